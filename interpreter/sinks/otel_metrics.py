"""The metrics of runs: GenAI semantic-convention instruments where they exist, agno.* else.

- gen_ai.client.token.usage (histogram, {token}; gen_ai.token.type input|output)
- gen_ai.client.operation.duration (histogram, s): model requests (chat) and
  tool calls (execute_tool)
- gen_ai.client.operation.time_to_first_chunk (histogram, s)
- agno.runs, agno.steps (counters by status) and agno.run.duration (histogram, s)
"""

from __future__ import annotations

from typing import Any

# Buckets the GenAI conventions advise for durations and token counts.
_DURATION_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48]
_TOKEN_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304]


class RunMetrics:
    """Instruments made once per meter; each record call is one measurement."""

    def __init__(self, meter: Any) -> None:
        self.tokens = meter.create_histogram(
            "gen_ai.client.token.usage",
            unit="{token}",
            description="Tokens used by model requests",
            explicit_bucket_boundaries_advisory=_TOKEN_BUCKETS,
        )
        self.duration = meter.create_histogram(
            "gen_ai.client.operation.duration",
            unit="s",
            description="Duration of model requests and tool calls",
            explicit_bucket_boundaries_advisory=_DURATION_BUCKETS,
        )
        self.first_chunk = meter.create_histogram(
            "gen_ai.client.operation.time_to_first_chunk",
            unit="s",
            description="Time from a model request to its first token",
            explicit_bucket_boundaries_advisory=_DURATION_BUCKETS,
        )
        self.runs = meter.create_counter(
            "agno.runs", unit="{run}", description="Runs by kind and outcome"
        )
        self.steps = meter.create_counter(
            "agno.steps", unit="{step}", description="Workflow steps by type and outcome"
        )
        self.run_duration = meter.create_histogram(
            "agno.run.duration",
            unit="s",
            description="Duration of runs",
            explicit_bucket_boundaries_advisory=_DURATION_BUCKETS,
        )

    def model_request(
        self,
        attributes: dict[str, Any],
        *,
        duration: float | None,
        input_tokens: int | None,
        output_tokens: int | None,
        time_to_first_token: float | None,
    ) -> None:
        if duration is not None:
            self.duration.record(duration, attributes)
        if input_tokens:
            self.tokens.record(input_tokens, {**attributes, "gen_ai.token.type": "input"})
        if output_tokens:
            self.tokens.record(output_tokens, {**attributes, "gen_ai.token.type": "output"})
        if time_to_first_token is not None:
            self.first_chunk.record(time_to_first_token, attributes)

    def tool_call(self, tool: str, duration: float, error: bool) -> None:
        attributes = {"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": tool}
        if error:
            attributes["error.type"] = "tool_error"
        self.duration.record(duration, attributes)

    def step(self, step_type: str, status: str) -> None:
        self.steps.add(1, {"agno.step.type": step_type, "agno.status": status})

    def run(self, kind: str, name: str, status: str, duration: float) -> None:
        attributes = {"agno.run.kind": kind, "agno.run.target": name, "agno.status": status}
        self.runs.add(1, attributes)
        self.run_duration.record(duration, attributes)
