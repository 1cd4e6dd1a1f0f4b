"""Teams with agno's four modes, through agno's own leader tools (names, descriptions, schemas).

- coordinate: the leader delegates with `delegate_task_to_member(member_id, task)`
  and writes the final answer from the members' results.
- route (`respond_directly`): the same tool ends the run; the member's answer is
  the team's answer, streamed as the team's TeamRunContent (agno's show_result).
- broadcast: `delegate_task_to_members(task)` runs every member at once on one task.
- tasks: the leader works a shared task list (`team_tasks.py`) in rounds of its
  run loop until it marks the goal complete, every task has completed, or
  `max_iterations` rounds have passed; each round after the first starts with
  agno's task-state message.

The team's metrics are the leader's own; each member's stay on its response
in member_responses (agno). Member ids are their names made URL-safe, found at
any depth of nested teams.
"""

from __future__ import annotations

import time
from typing import Any

from ...schemas.outputs import Message, TeamRunOutput, content_type_of
from ..context import RunContext, Scope, new_id
from ..errors import error_type_of
from ..plan import TeamPlan
from . import checks
from .agent import _pre_hooks, agent_tools, user_text
from .run_loop import LoopResult, LoopTool, ModelCall, run_loop
from .structured import said
from .team_members import Delegation, MemberContext, find_member
from .team_prompt import display_name, roster, team_system_message
from .team_tasks import TaskList, TaskTools, state_message
from .team_tools import LEADER_TOOLS, TASK_TOOLS

# agno writes these as plain generators: they run, and announce themselves, in call order
IN_ORDER = frozenset({"create_task", "update_task_status"})
# The tools a leader has by mode (agno's names); scripted tool calls may name them.
LEADER_TOOL_NAMES = frozenset({"delegate_task_to_member", "delegate_task_to_members", *TASK_TOOLS})


def _tool(name: str, call: Any, stop: bool = False) -> LoopTool:
    spec = LEADER_TOOLS[name]
    return LoopTool(
        name,
        spec["description"],
        spec["parameters"],
        call,
        stop_after_tool_call=stop,
        shows_result=not stop,  # route: the member's own text was the team's content
        in_order=name in IN_ORDER,
    )


async def _leader_tools(
    team: TeamPlan, delegation: Delegation, ctx: RunContext, emit: Any, run_id: str
) -> dict[str, LoopTool]:
    tools = await agent_tools(team.leader, ctx, run_id)
    if team.mode in ("coordinate", "route"):
        tools["delegate_task_to_member"] = _tool(
            "delegate_task_to_member", delegation.to_member, stop=team.respond_directly
        )
    elif team.mode == "broadcast":
        tools["delegate_task_to_members"] = _tool("delegate_task_to_members", delegation.to_members)
    else:
        board = TaskTools(
            ctx.state,
            emit,
            lambda wanted: find_member(team, wanted),
            delegation.for_task,
            roster(team),
        )
        for name in TASK_TOOLS:
            tools[name] = _tool(name, getattr(board, name))
    return tools


async def run_team(
    team: TeamPlan, message: Any, ctx: RunContext, scope: Scope, step_name: str | None = None
) -> TeamRunOutput:
    run_id = new_id()
    leader = team.leader
    model = ctx.model(leader.model.name)
    shown = display_name(team)  # agno's `name`
    who = {"team_name": shown, "step_name": step_name, "team_run_id": run_id}

    def emit(name: str, **fields: Any) -> None:
        ctx.emit(name, **fields, **who)

    started = time.perf_counter()
    hooks = {"team": team.name, "session_state": ctx.state}
    try:
        run_input = checks.RunInput(message)
        await checks.run_hooks(
            _pre_hooks(leader),
            "pre",
            _prefixed(emit),
            ctx.executor(),
            run_input=run_input,
            input=message,
            **hooks,
        )
    except Exception as exc:
        emit("TeamRunError", content=str(exc), error_type=error_type_of(exc))
        raise
    message = run_input.input_content
    # agno runs a team's pre-hooks before it announces the run
    emit("TeamRunStarted", mode=team.mode, model=model.id, model_provider=model.provider)
    delegation = Delegation(team, message, ctx, step_name, who, run_team)
    tools = await _leader_tools(team, delegation, ctx, emit, run_id)
    messages = [
        Message(
            role="system",
            content=team_system_message(team, ctx.template_context(scope), model),
        )
    ]
    if leader.add_history_to_context and ctx.session is not None:
        messages.extend(ctx.session.history_messages(team.name, leader.num_history_runs))
    own_start = len(messages)
    messages.append(Message(role="user", content=user_text(message)))
    call = ModelCall(
        model=model,
        runner=team.name,
        retries=leader.retries,
        retry_delay=leader.retry_delay,
        timeout=leader.timeout,
        output_schema=leader.output_schema,
    )
    loop: dict[str, Any] = {
        "ctx": ctx,
        "event_prefix": "Team",
        "events": who,
        "tool_call_limit": leader.tool_call_limit,
        "decision_key": team.name,
    }
    try:
        if team.mode == "tasks":
            result = await _task_rounds(team, call, messages, tools, ctx, emit, loop)
        else:
            result = await run_loop(call, messages, tools, **loop)
    except Exception as exc:
        emit("TeamRunError", content=str(exc), error_type=error_type_of(exc))
        raise
    content = result.content
    duration = time.perf_counter() - started
    metrics = result.metrics(duration)  # the leader's own; members' stay on their responses
    ctx.metrics.add_tokens(metrics)
    if team.mode != "tasks" and result.stopped_by is None:  # each task round added its own
        messages.append(Message(role="assistant", content=said(result.last)))
    if ctx.session is not None:
        ctx.session.add_run(team.name, messages[own_start:])
    emit("TeamRunContentCompleted")
    output = TeamRunOutput(
        run_id=run_id,
        team_name=shown,
        mode=team.mode,
        session_id=ctx.session_id,
        parent_run_id=ctx.run_id,
        content=content,
        model=model.id,
        model_provider=model.provider,
        messages=messages,
        member_responses=delegation.responses,
        metrics=metrics,
        tools=result.tool_calls or None,
        # agno: a team run as a member gets (a copy of) the session state and shows it
        session_state=dict(ctx.state) if isinstance(ctx, MemberContext) else None,
    )
    post = [(checks.hook_name(hook), hook) for hook in leader.post_hooks]
    try:
        await checks.run_hooks(
            post,
            "post",
            _prefixed(emit),
            ctx.executor(),
            run_output=output,
            output=content,
            **hooks,
        )
    except Exception as exc:
        emit("TeamRunError", content=str(exc), error_type=error_type_of(exc))
        raise
    content = output.content
    output.content_type = content_type = content_type_of(content)
    emit(
        "TeamRunCompleted",
        content=content,
        content_type=content_type,
        metrics=metrics.model_dump(),
    )
    return output


def _prefixed(emit: Any) -> Any:
    """Hook events as a team's: TeamPreHookStarted, ... (agno)."""
    return lambda name, **fields: emit(f"Team{name}", **fields)


async def _task_rounds(
    team: TeamPlan,
    call: ModelCall,
    messages: list[Message],
    tools: dict[str, LoopTool],
    ctx: RunContext,
    emit: Any,
    loop: dict[str, Any],
) -> LoopResult:
    """agno's task loop: rounds of the run loop until the goal is met (or max_iterations)."""
    total = LoopResult(content=None)
    idle_rounds = 0
    for iteration in range(1, team.max_iterations + 1):
        rounds = {"iteration": iteration, "max_iterations": team.max_iterations}
        emit("TeamTaskIterationStarted", **rounds)
        if iteration > 1:
            messages.append(Message(role="user", content=state_message(TaskList.load(ctx.state))))
        calls_before = len(total.tool_calls)
        result = await run_loop(call, messages, tools, **loop)
        total.input_tokens += result.input_tokens
        total.output_tokens += result.output_tokens
        if total.time_to_first_token is None:
            total.time_to_first_token = result.time_to_first_token
        total.tool_calls += result.tool_calls
        # agno's content: the text of every round added up (its streaming path: the last)
        joined = _joined(total.content, result.content)
        total.content = result.content if ctx.streaming else joined
        total.last = result.last
        if result.stopped_by is None:
            messages.append(Message(role="assistant", content=said(result.last)))
        board = TaskList.load(ctx.state)
        emit(
            "TeamTaskStateUpdated",
            task_summary=board.summary(),
            goal_complete=board.goal_complete,
            tasks=board.data(),
            completion_summary=board.completion_summary,
        )
        emit("TeamTaskIterationCompleted", **rounds, task_summary=board.summary())
        if board.goal_complete:
            break
        if board.all_terminal() and not any(t.status == "failed" for t in board.tasks):
            break
        if not board.tasks:  # a request needing no tasks ends on its second quiet answer
            idle_rounds = idle_rounds + 1 if len(total.tool_calls) == calls_before else 0
            if idle_rounds >= 2:
                break
        else:
            idle_rounds = 0
    return total


def _joined(before: Any, after: Any) -> Any:
    if isinstance(before, str) and isinstance(after, str | None):
        return before + (after or "")
    return after if after is not None else before
