"""What a user reads of a run, as plain data, the same way for agno and agno-dsl.

Each view keeps the fields the parity suite compares (names, content, tools,
status, error type, step/member structure, session state, token counts) and
normalises only what is never equal between two runs: ids become their
presence, timestamps and durations are left out. Objects are read by
attribute or key, so agno's dataclasses and agno-dsl's pydantic models go
through the same code; where the two shapes differ, the view shows agno's and
the difference is reported.
"""

from __future__ import annotations

import enum
import json
from typing import Any

TOKEN_FIELDS = ("input_tokens", "output_tokens", "total_tokens")

# Event fields a user reads, besides the event name and the names of who emitted it.
NAME_FIELDS = ("agent_name", "team_name", "workflow_name", "step_name", "member_name")
EVENT_FIELDS = (
    "content",
    "content_type",
    "status",
    "error",
    "error_type",
    "pre_hook_name",
    "post_hook_name",
    "model",
    "model_provider",
    "step_index",
    "condition_result",
    "iteration",
    "max_iterations",
    "selected_steps",
    "parallel_step_count",
    "stopped_early",
    "task_id",  # tasks mode (TeamTaskCreated, TeamTaskUpdated, ...)
    "title",
    "assignee",
    "previous_status",
    "result",
    "dependencies",
    "goal_complete",
    "completion_summary",
    "task_summary",
    *TOKEN_FIELDS,
)
# Events whose `content` is what the run answered (the rest carry progress text).
CONTENT_EVENTS = frozenset(
    {
        "RunContent",
        "RunCompleted",
        "TeamRunContent",
        "TeamRunCompleted",
        "WorkflowCompleted",
        "StepCompleted",
        "StepOutput",
        "RunError",
        "TeamRunError",
    }
)


def get(obj: Any, name: str, default: Any = None) -> Any:
    """A field of a dataclass, pydantic model or mapping (never a computed property)."""
    if isinstance(obj, dict):
        return obj.get(name, default)
    fields = getattr(obj, "__dataclass_fields__", None)
    if fields is not None and name not in fields:
        return default
    value = getattr(obj, name, default)
    if value is default and hasattr(obj, "__pydantic_extra__"):
        value = (obj.__pydantic_extra__ or {}).get(name, default)
    return value


def plain(value: Any) -> Any:
    """JSON-like data: models dumped, enums as their value, tuples as lists."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, enum.Enum):
        return plain(value.value)
    if hasattr(value, "model_dump"):
        return plain(value.model_dump(mode="json"))
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if hasattr(value, "to_dict"):
        return plain(value.to_dict())
    return str(value)


def status(value: Any) -> str | None:
    text = plain(value)
    return text.lower() if isinstance(text, str) else text


def tokens(metrics: Any) -> dict[str, int] | None:
    """Token counts, or None where there are none (agno's WorkflowMetrics has only steps)."""
    if metrics is None or get(metrics, "input_tokens") is None:
        return None
    return {name: int(get(metrics, name, 0) or 0) for name in TOKEN_FIELDS}


def tool_view(tool: Any) -> dict[str, Any]:
    """A tool execution as agno's ToolExecution shows it."""
    view = {
        "tool_name": get(tool, "tool_name"),
        "tool_args": plain(get(tool, "tool_args")),
        "result": plain(get(tool, "result")),
        "tool_call_error": bool(get(tool, "tool_call_error")),
    }
    for flag in ("requires_confirmation", "confirmed", "stop_after_tool_call"):
        if get(tool, flag):
            view[flag] = True
    return view


def message_view(message: Any) -> dict[str, Any]:
    view: dict[str, Any] = {"role": get(message, "role"), "content": plain(get(message, "content"))}
    calls = get(message, "tool_calls")
    if calls:
        view["tool_calls"] = [_call_view(call) for call in calls]
    if get(message, "role") == "tool":
        view["tool_name"] = get(message, "tool_name") or get(message, "name")
    if get(message, "from_history"):
        view["from_history"] = True
    return view


def _call_view(call: Any) -> dict[str, Any]:
    function = get(call, "function")
    if function is not None:  # agno: OpenAI's {"function": {"name", "arguments": "<json>"}}
        arguments = get(function, "arguments")
        return {
            "name": get(function, "name"),
            "arguments": json.loads(arguments)
            if isinstance(arguments, str) and arguments
            else arguments,
        }
    return {"name": get(call, "name"), "arguments": plain(get(call, "arguments"))}


def event_view(event: Any) -> dict[str, Any]:
    """One event: its name, who emitted it, and the fields a user reads."""
    name = get(event, "event")
    view: dict[str, Any] = {"event": name}
    for field in NAME_FIELDS:
        if value := get(event, field):
            view[field] = value
    for field in EVENT_FIELDS:
        if field == "content" and name not in CONTENT_EVENTS:
            continue
        value = get(event, field)
        if value is not None:
            view[field] = plain(value)
    tool = get(event, "tool")
    if tool is not None:
        view["tool"] = tool_view(tool)
    memories = get(event, "memories")
    if memories is not None:
        # what each memory says (ids and times can never be equal), sorted: agno's SqliteDb
        # returns them in the order of their random ids (agno-dsl: the order they were added)
        view["memories"] = sorted(get(memory, "memory") for memory in memories)
    view["ids"] = "+".join(key for key in ("run_id", "session_id") if get(event, key)) or "-"
    return view


def event_line(view: dict[str, Any]) -> str:
    """One readable line per event for diffs."""
    rest = {key: value for key, value in view.items() if key != "event"}
    return f"{view['event']} {json.dumps(rest, sort_keys=True, default=str)}"


def output_view(output: Any) -> dict[str, Any]:
    """A RunOutput / TeamRunOutput / WorkflowRunOutput without its metrics."""
    view: dict[str, Any] = {
        "status": status(get(output, "status")),
        "content": plain(get(output, "content")),
        "content_type": get(output, "content_type"),
    }
    for name in ("model", "model_provider"):
        if value := get(output, name):
            view[name] = value
    for name in ("agent_name", "team_name", "workflow_name", "user_id"):
        if value := get(output, name):
            view[name] = value
    tools = get(output, "tools")
    if tools:
        view["tools"] = [tool_view(tool) for tool in tools]
    messages = get(output, "messages")
    if messages is not None:
        view["messages"] = [message_view(message) for message in messages]
    members = get(output, "member_responses")
    if members:
        view["member_responses"] = [output_view(member) for member in members]
    steps = get(output, "step_results")
    if steps:
        view["step_results"] = [step_view(step) for step in steps]
    view["session_state"] = _state(get(output, "session_state"))
    view["ids"] = "+".join(key for key in ("run_id", "session_id") if get(output, key)) or "-"
    return view


# agno keeps the current run's ids in session_state; ids are normalised away.
_STATE_IDS = frozenset({"current_run_id", "current_session_id", "current_user_id"})


def _state(state: Any) -> Any:
    if not isinstance(state, dict):
        return plain(state)
    view = {key: plain(value) for key, value in state.items() if key not in _STATE_IDS}
    tasks = view.get("_team_tasks")  # tasks mode's task list: its timestamps are not read
    if isinstance(tasks, dict):
        view["_team_tasks"] = {
            **tasks,
            "tasks": [
                {k: v for k, v in task.items() if k != "created_at"}
                for task in tasks.get("tasks", [])
            ],
        }
    return view


def step_view(step: Any) -> Any:
    if isinstance(step, list):  # agno: a parallel block's results as a list
        return [step_view(item) for item in step]
    view: dict[str, Any] = {
        "step_name": get(step, "step_name"),
        "step_type": plain(get(step, "step_type")),
        "content": plain(get(step, "content")),
        "success": get(step, "success"),
    }
    if get(step, "stop"):
        view["stop"] = True
    if get(step, "error"):
        view["error"] = get(step, "error")
    nested = get(step, "steps")
    if nested:
        view["steps"] = [step_view(item) for item in nested]
    return view


def metrics_view(output: Any) -> dict[str, Any]:
    """Token counts of the run, its members and its steps (nested as they are)."""
    metrics = get(output, "metrics")
    view: dict[str, Any] = {"run": tokens(metrics)}
    per_step = get(metrics, "steps") if metrics is not None else None
    if isinstance(per_step, dict):  # a workflow's: agno's WorkflowMetrics, by step name
        view["workflow_steps"] = {
            name: {
                "executor": f"{get(step, 'executor_type')}:{get(step, 'executor_name')}",
                "tokens": tokens(get(step, "metrics")),
            }
            for name, step in per_step.items()
        }
    members = get(output, "member_responses")
    if members:
        view["members"] = [metrics_view(member) for member in members]
    steps = get(output, "step_results")
    if steps:
        view["steps"] = [_step_metrics(step) for step in steps]
    return view


def _step_metrics(step: Any) -> Any:
    if isinstance(step, list):
        return [_step_metrics(item) for item in step]
    view: dict[str, Any] = {"step": get(step, "step_name"), "tokens": tokens(get(step, "metrics"))}
    nested = get(step, "steps")
    if nested:
        view["steps"] = [_step_metrics(item) for item in nested]
    return view


def differences(agno: Any, dsl: Any, path: str = "") -> list[str]:
    """Every place two views differ, one line each: `path: agno=… dsl=…`."""
    if isinstance(agno, dict) and isinstance(dsl, dict):
        lines: list[str] = []
        for key in list(agno) + [k for k in dsl if k not in agno]:
            lines += differences(agno.get(key), dsl.get(key), f"{path}.{key}" if path else key)
        return lines
    if isinstance(agno, list) and isinstance(dsl, list) and len(agno) == len(dsl):
        return [
            line
            for i, (a, d) in enumerate(zip(agno, dsl, strict=True))
            for line in differences(a, d, f"{path}[{i}]")
        ]
    if agno == dsl:
        return []
    if isinstance(agno, str) and isinstance(dsl, str) and max(len(agno), len(dsl)) > 120:
        return [_text_difference(path, agno, dsl)]
    return [f"{path or '.'}: agno={_short(agno)} dsl={_short(dsl)}"]


def _text_difference(path: str, agno: str, dsl: str) -> str:
    """Long texts (prompts): where they part, with some context on each side."""
    pairs = enumerate(zip(agno, dsl, strict=False))
    at = next((i for i, (a, d) in pairs if a != d), min(len(agno), len(dsl)))
    start = max(at - 40, 0)
    return (
        f"{path}: texts differ from char {at}: "
        f"agno=...{json.dumps(agno[start : at + 160])} dsl=...{json.dumps(dsl[start : at + 160])}"
    )


def _short(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= 300 else text[:297] + "..."
