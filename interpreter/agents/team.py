"""Teams with agno's four modes, through agno's built-in leader tools.

- coordinate: the leader delegates with `delegate_task_to_member(member_id, task)`
  and writes the final answer from the members' results.
- route: the same tool, but the member's answer is the team's answer.
- broadcast: `delegate_task_to_members(task)` sends one task to every member at
  once; the leader answers from all results.
- tasks: the leader keeps a shared task list (`create_task`, `execute_task`,
  `update_task_status`, `list_tasks`, `mark_all_complete`) and loops until it
  marks the goal complete, or `max_iterations` leader turns have passed.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

from ...schemas.outputs import Message, RunOutput, TeamRunOutput, content_type_of
from ..context import RunContext, Scope, new_id
from ..errors import error_type_of
from ..plan import AgentPlan, TeamPlan
from ..providers.base import message_text
from .agent import agent_tools, run_agent, system_message
from .run_loop import LoopTool, ModelCall, run_loop

MEMBER_TOOL = {
    "type": "object",
    "properties": {
        "member_id": {
            "type": "string",
            "description": "The member's id, as listed in <team_members>.",
        },
        "task": {"type": "string", "description": "What the member should achieve."},
    },
    "required": ["member_id", "task"],
}
BROADCAST_TOOL = {
    "type": "object",
    "properties": {"task": {"type": "string", "description": "The task sent to every member."}},
    "required": ["task"],
}


@dataclass
class Task:
    id: str
    title: str
    description: str
    assignee: str | None
    status: str = "pending"
    result: str | None = None


def _members_message(team: TeamPlan) -> str:
    lines = ["<team_members>"]
    for member in team.members:
        about = member.leader.description if isinstance(member, TeamPlan) else member.description
        lines.append(f"- member_id: {member.name}" + (f"\n  description: {about}" if about else ""))
    lines.append("</team_members>")
    return "\n".join(lines)


async def run_member(
    member: AgentPlan | TeamPlan, task: str, ctx: RunContext, scope: Scope, step_name: str | None
) -> RunOutput | TeamRunOutput:
    if isinstance(member, TeamPlan):
        return await run_team(member, task, ctx, scope, step_name)
    return await run_agent(member, task, ctx, scope, step_name=step_name)


async def run_team(
    team: TeamPlan, message: Any, ctx: RunContext, scope: Scope, step_name: str | None = None
) -> TeamRunOutput:
    run_id = new_id()
    leader = team.leader
    model = ctx.model(leader.model.name)
    who = {"team_name": team.name, "step_name": step_name, "team_run_id": run_id}
    ctx.emit("TeamRunStarted", mode=team.mode, model=model.id, model_provider=model.provider, **who)
    started = time.perf_counter()
    members = {member.name: member for member in team.members}
    responses: list[RunOutput | TeamRunOutput] = []
    tasks: dict[str, Task] = {}
    done: dict[str, str] = {}

    async def delegate(arguments: dict[str, Any]) -> str:
        member = members.get(str(arguments.get("member_id")))
        if member is None:
            return (
                f"Member with ID {arguments.get('member_id')} not found in the team. "
                f"Please choose the correct member from the list of members:\n\n"
                f"{_members_message(team)}"
            )
        response = await run_member(member, str(arguments.get("task", "")), ctx, scope, step_name)
        responses.append(response)
        return message_text(response.content)

    async def delegate_all(arguments: dict[str, Any]) -> str:
        task = str(arguments.get("task", ""))
        results = await asyncio.gather(
            *[run_member(m, task, ctx, scope, step_name) for m in team.members],
            return_exceptions=True,
        )
        lines = []
        for member, result in zip(team.members, results, strict=True):
            if isinstance(result, BaseException):
                if not isinstance(result, Exception):
                    raise result
                lines.append(f"Member {member.name}: Error: {type(result).__name__}: {result}")
            else:
                responses.append(result)
                lines.append(f"Member {member.name}: {message_text(result.content)}")
        return "\n\n".join(lines)

    async def create_task(arguments: dict[str, Any]) -> str:
        task = Task(
            id=str(len(tasks) + 1),
            title=str(arguments.get("title", "")),
            description=str(arguments.get("description", "")),
            assignee=arguments.get("assignee"),
        )
        tasks[task.id] = task
        return f"Task created: [{task.id}] {task.title} (status: {task.status})"

    async def execute_task(arguments: dict[str, Any]) -> str:
        task = tasks.get(str(arguments.get("task_id")))
        if task is None:
            return f"Task with ID '{arguments.get('task_id')}' not found."
        member_id = str(arguments.get("member_id") or task.assignee or "")
        task.status = "in_progress"
        try:
            result = await delegate(
                {"member_id": member_id, "task": f"{task.title}\n\n{task.description}".strip()}
            )
        except Exception:
            task.status = "failed"
            raise
        task.status, task.result = "completed", result
        return f"Task [{task.id}] '{task.title}' completed by {member_id}: {result}"

    async def update_task_status(arguments: dict[str, Any]) -> str:
        task = tasks.get(str(arguments.get("task_id")))
        status = str(arguments.get("status"))
        if task is None:
            return f"Task with ID '{arguments.get('task_id')}' not found."
        if status not in ("pending", "in_progress", "completed", "failed"):
            return (
                f"Invalid status '{status}'. Must be one of: pending, in_progress, "
                "completed, failed."
            )
        task.status = status
        return f"Task [{task.id}] '{task.title}' updated to {status}."

    async def list_tasks(arguments: dict[str, Any]) -> str:
        if not tasks:
            return "No tasks yet."
        return "\n".join(
            f"[{t.id}] {t.title} (status: {t.status}, assignee: {t.assignee})"
            for t in tasks.values()
        )

    async def mark_all_complete(arguments: dict[str, Any]) -> str:
        done["summary"] = str(arguments.get("summary", ""))
        return done["summary"]

    tools = agent_tools(leader, ctx, run_id)
    if team.mode in ("coordinate", "route"):
        tools["delegate_task_to_member"] = LoopTool(
            "delegate_task_to_member",
            "Delegate a task to one team member.",
            MEMBER_TOOL,
            delegate,
            stop_after_tool_call=team.mode == "route",
        )
    elif team.mode == "broadcast":
        tools["delegate_task_to_members"] = LoopTool(
            "delegate_task_to_members",
            "Send one task to every member; call it once.",
            BROADCAST_TOOL,
            delegate_all,
        )
    else:
        for name, function, stop in (
            ("create_task", create_task, False),
            ("execute_task", execute_task, False),
            ("update_task_status", update_task_status, False),
            ("list_tasks", list_tasks, False),
            ("mark_all_complete", mark_all_complete, True),
        ):
            tools[name] = LoopTool(
                name,
                name.replace("_", " "),
                {"type": "object"},
                function,
                stop_after_tool_call=stop,
            )
    system = "\n\n".join(
        part
        for part in (system_message(leader, ctx.template_context(scope)), _members_message(team))
        if part
    )
    messages = [
        Message(role="system", content=system),
        Message(role="user", content=message_text(message)),
    ]
    call = ModelCall(
        model=model,
        runner=team.name,
        retries=leader.retries,
        retry_delay=leader.retry_delay,
        timeout=leader.timeout,
        output_schema=leader.output_schema,
    )
    try:
        result = await run_loop(
            call,
            messages,
            tools,
            ctx=ctx,
            event_prefix="Team",
            events=who,
            tool_call_limit=leader.tool_call_limit,
            decision_key=team.name,
            max_turns=team.max_iterations if team.mode == "tasks" else None,
        )
    except Exception as exc:
        ctx.emit("TeamRunError", content=str(exc), error_type=error_type_of(exc), **who)
        raise
    content = result.content
    if team.mode == "route" and result.stopped_by == "delegate_task_to_member" and responses:
        content = responses[-1].content  # the member answers directly
    duration = time.perf_counter() - started
    metrics = result.metrics(duration)
    ctx.metrics.add_tokens(metrics)  # the leader's own tokens; members added theirs
    for response in responses:
        metrics.add_tokens(response.metrics)  # the team's metrics include its members'
    metrics.tokens_per_second = metrics.output_tokens / duration if duration > 0 else None
    messages.append(Message(role="assistant", content=content))
    ctx.emit("TeamRunContentCompleted", **who)  # the content streamed from the run loop
    ctx.emit("TeamRunCompleted", content=content, metrics=metrics.model_dump(), **who)
    return TeamRunOutput(
        run_id=run_id,
        team_name=team.name,
        mode=team.mode,
        session_id=ctx.session_id,
        parent_run_id=ctx.run_id,
        content=content,
        content_type=content_type_of(content),
        model=model.id,
        model_provider=model.provider,
        messages=messages,
        member_responses=responses,
        metrics=metrics,
        tools=result.tool_calls or None,
    )
