"""Compiling agents, teams and tools into the plans the interpreter runs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .compile_mcp import mcp_server_plan
from .errors import Problem, SpecError
from .interpreter.errors import ConfigurationError
from .interpreter.expressions import Evaluable
from .interpreter.functions import resolve_callable
from .interpreter.plan import AgentPlan, ModelRef, TeamPlan
from .interpreter.tools.base import ToolPlan
from .interpreter.tools.http import HttpRequestPlan, http_tool
from .interpreter.tools.mcp import McpServerPlan
from .interpreter.tools.python import python_tool
from .loader import Document
from .schemas.agents import Agent, Team
from .schemas.tools import HttpTool, PythonTool
from .source import YamlPath


def first(*values: Any) -> Any:
    for value in values:
        if value is not None:
            return value
    return None


class RunnerCompiler:
    """Builds (and caches) agent, team and tool plans of one document."""

    def __init__(self, document: Document, models: dict[str, Any]) -> None:
        self.document = document
        self.spec = document.spec
        self.models = models
        self._agents: dict[str, AgentPlan] = {}
        self._teams: dict[str, TeamPlan] = {}
        self._tools: dict[str, ToolPlan | McpServerPlan] = {}

    def fail(self, message: str, path: YamlPath, hint: str | None = None) -> SpecError:
        return SpecError([Problem(message, self.document.locate(path), hint)])

    def where(self, path: YamlPath) -> str:
        return str(self.document.locate(path))

    def agent(self, name: str) -> AgentPlan:
        if name not in self._agents:
            self._agents[name] = self._runner(name, self.spec.agents[name], ("agents", name))
        return self._agents[name]

    def team(self, name: str) -> TeamPlan:
        if name not in self._teams:
            team = self.spec.teams[name]
            path: YamlPath = ("teams", name)
            # agno: respond_directly without another mode is route mode, and route mode is
            # respond_directly (broadcast and tasks never respond directly)
            mode = "route" if team.respond_directly and team.mode == "coordinate" else team.mode
            self._teams[name] = TeamPlan(
                name=name,
                mode=mode,
                leader=self._runner(name, team, path),
                members=tuple(
                    self.team(m) if m in self.spec.teams else self.agent(m) for m in team.members
                ),
                max_iterations=team.max_iterations,
                where=self.where(path),
                respond_directly=mode == "route",
                determine_input_for_members=team.determine_input_for_members,
                share_member_interactions=team.share_member_interactions,
                add_team_history_to_members=team.add_team_history_to_members,
                num_team_history_runs=team.num_team_history_runs,
                add_member_tools_to_context=team.add_member_tools_to_context,
                stream_member_events=team.stream_member_events,
            )
        return self._teams[name]

    def _runner(self, name: str, runner: Agent | Team, path: YamlPath) -> AgentPlan:
        defaults = self.spec.defaults
        model_name = runner.model or defaults.model
        assert model_name is not None  # the checker guarantees a model
        texts = runner.instructions
        instructions = [texts] if isinstance(texts, str) else list(texts or [])
        return AgentPlan(
            name=name,
            model=ModelRef(name=model_name, config=self.models[model_name]),
            description=runner.description,
            instructions=tuple(
                self._template(text, (*path, "instructions")) for text in instructions
            ),
            expected_output=runner.expected_output,
            additional_context=runner.additional_context,
            output_schema=runner.output_schema,
            input_schema=runner.input_schema,
            retries=first(runner.retries, defaults.retries, 0),
            retry_delay=first(runner.retry_delay, defaults.retry_delay, 1.0),
            timeout=first(runner.timeout, defaults.timeout, None),
            where=self.where(path),
            add_history_to_context=runner.add_history_to_context,
            num_history_runs=runner.num_history_runs,
            tools=tuple(
                self.tool(tool, (*path, "tools", i)) for i, tool in enumerate(runner.tools)
            ),
            tool_call_limit=runner.tool_call_limit,
            pre_hooks=self._hooks(runner.pre_hooks, (*path, "pre_hooks")),
            post_hooks=self._hooks(runner.post_hooks, (*path, "post_hooks")),
            guardrails=tuple(runner.guardrails),
            session_state=runner.session_state,
            display_name=runner.name,
            role=runner.role,
            **(self._memory(runner) if isinstance(runner, Agent) else {}),
        )

    def _memory(self, agent: Agent) -> dict[str, Any]:
        """agno's memory options; add_memories_to_context follows the other two when unset."""
        return {
            "update_memory_on_run": agent.update_memory_on_run,
            "enable_agentic_memory": agent.enable_agentic_memory,
            "add_memories_to_context": first(
                agent.add_memories_to_context,
                agent.update_memory_on_run or agent.enable_agentic_memory,
            ),
            "memory_model": ModelRef(
                name=agent.memory_model, config=self.models[agent.memory_model]
            )
            if agent.memory_model
            else None,
        }

    def _template(self, text: str, path: YamlPath) -> Evaluable:
        return self.document.compiler.compile_value(text, self.where(path))

    def _import(self, import_path: str, path: YamlPath) -> Callable[..., Any]:
        try:
            return resolve_callable(import_path, self.document.base_dir)
        except ConfigurationError as exc:
            raise self.fail(str(exc), path) from None

    def _hooks(self, paths: list[str], path: YamlPath) -> tuple[Callable[..., Any], ...]:
        return tuple(self._import(p, (*path, i)) for i, p in enumerate(paths))

    def tool(self, name: str, used_at: YamlPath) -> ToolPlan | McpServerPlan:
        if name not in self._tools:
            config = self.spec.tools[name]
            path: YamlPath = ("tools", name)
            if isinstance(config, PythonTool):
                self._tools[name] = self._python_tool(name, config, path)
            elif isinstance(config, HttpTool):
                self._tools[name] = self._http_tool(name, config, path)
            else:
                self._tools[name] = mcp_server_plan(self, name, config, path)
        return self._tools[name]

    def _python_tool(self, name: str, config: PythonTool, path: YamlPath) -> ToolPlan:
        function = self._import(config.python, (*path, "python"))
        try:
            return python_tool(
                name,
                function,
                description=config.description,
                timeout=config.timeout,
                cache=config.cache,
                requires_confirmation=config.requires_confirmation,
                stop_after_tool_call=config.stop_after_tool_call,
            )
        except ConfigurationError as exc:
            raise self.fail(str(exc), (*path, "python")) from None

    def _http_tool(self, name: str, config: HttpTool, path: YamlPath) -> ToolPlan:
        request = config.http
        at: YamlPath = (*path, "http")
        return http_tool(
            name,
            HttpRequestPlan(
                method=request.method,
                url=self._template(request.url, (*at, "url")),
                headers=tuple(
                    (key, self._template(value, (*at, "headers", key)))
                    for key, value in request.headers.items()
                ),
                body=None
                if request.body is None
                else self.document.compiler.compile_value(request.body, self.where((*at, "body"))),
            ),
            description=config.description,
            parameters=request.parameters,
            timeout=config.timeout,
            cache=config.cache,
            requires_confirmation=config.requires_confirmation,
            stop_after_tool_call=config.stop_after_tool_call,
        )
