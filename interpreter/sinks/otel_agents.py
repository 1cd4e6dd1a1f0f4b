"""Agent and team runs, model requests and tool calls as spans (the lower half of the tree).

Model requests come from agno's ModelRequestStarted/Completed events when the
agent loop emits them; before that, each is derived from the tool calls
around it (docs/decisions.md, Telemetry).
"""

from __future__ import annotations

from typing import Any

from opentelemetry.trace import SpanKind

from ...schemas.events import Event
from .otel_spans import (
    LLM_PROVIDER,
    MODEL_CLASS,
    MODEL_METRIC_KEYS,
    Node,
    Run,
    SpanBook,
    field_of,
    span_name,
)


def tool_field(event: Event, name: str) -> Any:
    """A field of the call an event is about: agno's `tool` (a ToolExecution), else the event."""
    tool = field_of(event, "tool", None)
    if isinstance(tool, dict):
        return tool.get(name)
    return field_of(event, name, None)


class AgentSpans(SpanBook):
    """The handlers of agent, team, model-request and tool-call events."""

    # --- agents and teams ----------------------------------------------------------

    @staticmethod
    def _runner_id(event: Event) -> str:
        return str(field_of(event, "team_run_id", None) or field_of(event, "agent_run_id", ""))

    def _runner_started(self, event: Event) -> None:
        is_team = event.event.startswith("Team")
        name = (field_of(event, "team_name", None) if is_team else event.agent_name) or "agent"
        run = self._run(event, "team" if is_team else "agent", name)
        provider = str(field_of(event, "model_provider", None) or "")
        model = str(field_of(event, "model", None) or "")
        runner_id = self._runner_id(event)
        attributes: dict[str, Any] = {
            "openinference.span.kind": "AGENT",
            "gen_ai.operation.name": "invoke_agent",
            "gen_ai.agent.name": name,
            "gen_ai.agent.id": name,
            "agent.name": name,
            "graph.node.name": name,
            "gen_ai.provider.name": provider,
            "gen_ai.request.model": model,
            "agno.run.id": runner_id,
            **self._common(event),
        }
        if is_team:
            attributes.update({"agno.team": name, "agno.team.id": name})
            if field_of(event, "mode", None):
                attributes["agno.team.mode"] = field_of(event, "mode")
        else:
            attributes.update({"agno.agent": name, "agno.agent.id": name})
        parent = self._current(run)
        if parent is not None and parent.kind == "step" and parent.name == event.step_name:
            key = "agno.step.team_name" if is_team else "agno.step.agent_name"
            parent.span.set_attribute(key, name)
        kind = "team" if is_team else "agent"
        node = self._start(run, kind, f"{span_name(name)}.arun", event, attributes, key=name)
        if run.root is None:  # the agent or team is the run: its id is the run's
            node.span.set_attribute("agno.run.id", event.run_id)
            self._set_root(run, node, event)
        run.runners[runner_id] = node
        if not self.explicit_requests:
            self._turn_started(run, runner_id, event)

    def _runner_content(self, event: Event) -> None:
        if field_of(event, "delta", None) or self.explicit_requests:
            return
        run = self.runs.get(event.run_id)
        if run is not None:
            self._turn_ended(run, self._runner_id(event), event, finish="stop")

    def _runner_ended(self, event: Event) -> None:
        run = self.runs.get(event.run_id)
        runner_id = self._runner_id(event)
        node = run.runners.pop(runner_id, None) if run is not None else None
        if run is None or node is None:
            return
        paused = event.event.endswith("RunPaused")  # agno's pause ends the run's span
        failed = event.event.endswith("Error")
        error = self._error_text(event) if failed else None
        if run.turns.get(runner_id) is not None:
            self._turn_ended(
                run, runner_id, event, finish="error" if error else "stop", error=error
            )
        metrics = field_of(event, "metrics", None)
        attributes = self._usage(metrics)
        content = field_of(event, "content", None)
        if self.capture and content is not None:
            attributes["output.value"] = self._content(content)
        node.paused = paused
        self._end(
            run,
            node,
            event,
            error=error,
            error_type=field_of(event, "error_type", None),
            attributes=attributes,
        )
        if not self.explicit_requests and self.metrics is not None and metrics:
            self._record_run_tokens(node, metrics)
        if node is run.root:
            self._finish_run(
                run, event, "paused" if paused else ("failed" if error else "completed")
            )

    def _record_run_tokens(self, node: Node, metrics: dict[str, Any]) -> None:
        """Without per-request events, a run's own tokens are measured once per run.

        A team's metrics include its members' (agno), which were measured when
        each member ended; only the rest is the leader's own.
        """
        if self.metrics is None:
            return
        own_in = int(metrics.get("input_tokens") or 0) - node.member_tokens[0]
        own_out = int(metrics.get("output_tokens") or 0) - node.member_tokens[1]
        self.metrics.model_request(
            self._model_attributes(node),
            duration=None,
            input_tokens=max(own_in, 0),
            output_tokens=max(own_out, 0),
            time_to_first_token=metrics.get("time_to_first_token"),
        )
        leader = node.parent
        while leader is not None and leader.kind not in ("agent", "team"):
            leader = leader.parent
        if leader is not None:
            leader.member_tokens[0] += int(metrics.get("input_tokens") or 0)
            leader.member_tokens[1] += int(metrics.get("output_tokens") or 0)

    # --- model requests ------------------------------------------------------------

    def _model_attributes(self, runner: Node) -> dict[str, Any]:
        provider = str(runner.attributes.get("gen_ai.provider.name") or "")
        return {
            "gen_ai.operation.name": "chat",
            "gen_ai.provider.name": provider,
            "gen_ai.request.model": str(runner.attributes.get("gen_ai.request.model") or ""),
        }

    def _turn_started(self, run: Run, runner_id: str, event: Event) -> Node | None:
        runner = run.runners.get(runner_id)
        if runner is None:
            return None
        attributes = self._model_attributes(runner)
        provider = attributes["gen_ai.provider.name"]
        model = str(field_of(event, "model", None) or attributes["gen_ai.request.model"])
        attributes.update(
            {
                "gen_ai.request.model": model,
                "openinference.span.kind": "LLM",
                "llm.model_name": model,
                "llm.provider": LLM_PROVIDER.get(provider, provider),
            }
        )
        name = MODEL_CLASS.get(provider, provider.title() or "Model")
        node = self._start(
            run,
            "model",
            f"{name}.ainvoke",
            event,
            attributes,
            parent=runner,
            span_kind=SpanKind.CLIENT,
            current=False,  # nothing runs inside a model request
        )
        run.turns[runner_id] = node
        return node

    def _turn_ended(
        self,
        run: Run,
        runner_id: str,
        event: Event,
        *,
        finish: str,
        error: str | None = None,
        usage: dict[str, Any] | None = None,
    ) -> None:
        node = run.turns.pop(runner_id, None)
        if node is None:
            return
        attributes: dict[str, Any] = {"gen_ai.response.finish_reasons": [finish]}
        attributes.update(self._usage(usage))
        self._end(
            run, node, event, error=error, error_type="ModelProviderError", attributes=attributes
        )
        if self.metrics is not None:
            # Tokens per request when events report them; else per run (_runner_ended).
            usage = usage or {}
            self.metrics.model_request(
                {key: node.attributes[key] for key in MODEL_METRIC_KEYS},
                duration=event.created_at - node.started,
                input_tokens=usage.get("input_tokens"),
                output_tokens=usage.get("output_tokens"),
                time_to_first_token=usage.get("time_to_first_token"),
            )

    def _request_started(self, event: Event) -> None:
        run = self.runs.get(event.run_id)
        if run is None:
            return
        runner_id = self._runner_id(event)
        if not self.explicit_requests:
            self.explicit_requests = True
            if runner_id in run.turns:  # the turn derived at the run's start is this request
                return
        if runner_id not in run.turns:
            self._turn_started(run, runner_id, event)

    def _request_ended(self, event: Event) -> None:
        run = self.runs.get(event.run_id)
        if run is None:
            return
        usage = {
            key: field_of(event, key)
            for key in ("input_tokens", "output_tokens", "time_to_first_token")
        }
        finish = "tool_calls" if field_of(event, "tool_calls", None) else "stop"
        self._turn_ended(run, self._runner_id(event), event, finish=finish, usage=usage)

    # --- tool calls ----------------------------------------------------------------

    def _tool_started(self, event: Event) -> Node | None:
        run = self.runs.get(event.run_id)
        runner_id = self._runner_id(event)
        runner = run.runners.get(runner_id) if run is not None else None
        if run is None or runner is None:
            return None
        if not self.explicit_requests:
            self._turn_ended(run, runner_id, event, finish="tool_calls")
            run.tools_running[runner_id] = run.tools_running.get(runner_id, 0) + 1
        tool = str(tool_field(event, "tool_name") or "tool")
        call_id = str(tool_field(event, "tool_call_id") or "")
        attributes: dict[str, Any] = {
            "openinference.span.kind": "TOOL",
            "gen_ai.operation.name": "execute_tool",
            "gen_ai.tool.name": tool,
            "gen_ai.tool.call.id": call_id,
            "gen_ai.tool.type": "function",
            "tool.name": tool,
        }
        if self.capture and tool_field(event, "tool_args") is not None:
            arguments = self._content(tool_field(event, "tool_args"))
            attributes["gen_ai.tool.call.arguments"] = attributes["input.value"] = arguments
        # Current: a member's run started by a delegation tool nests under it.
        node = self._start(run, "tool", span_name(tool), event, attributes, parent=runner)
        run.tools[(runner_id, call_id)] = node
        return node

    def _tool_ended(self, event: Event) -> None:
        run = self.runs.get(event.run_id)
        if run is None:
            return
        runner_id = self._runner_id(event)
        key = (runner_id, str(tool_field(event, "tool_call_id") or ""))
        node = run.tools.pop(key, None)
        if node is None:
            if event.event.endswith("Error"):
                return  # agno: ToolCallError follows the call's ToolCallCompleted, which ended it
            node = self._tool_started(event)  # a call that completed without starting
            if node is None:
                return
            run.tools.pop(key, None)
        failed = event.event.endswith("Error") or bool(tool_field(event, "tool_call_error"))
        attributes: dict[str, Any] = {}
        if self.capture and tool_field(event, "result") is not None:
            result = self._content(tool_field(event, "result"))
            attributes["gen_ai.tool.call.result"] = attributes["output.value"] = result
        if field_of(event, "stopped_run", None):
            attributes["agno.tool.stopped_run"] = True
        error = (
            (str(tool_field(event, "result") or "") or self._error_text(event)) if failed else None
        )
        self._end(run, node, event, error=error, error_type="ToolCallError", attributes=attributes)
        if self.metrics is not None:
            self.metrics.tool_call(node.name, event.created_at - node.started, failed)
        if not self.explicit_requests:
            running = run.tools_running.get(runner_id, 1) - 1
            run.tools_running[runner_id] = running
            if running == 0:  # every call of the batch answered: the model is asked again
                self._turn_started(run, runner_id, event)
