"""A team's members, as agno's delegation tools run them.

Each member runs in a `MemberContext`: its events go on to the team's
listeners (a route member's text becomes the team's own TeamRunContent; with
`stream_member_events: false` the rest stays back), and the text of its
content events is collected, which is what agno's leader reads on agno's
streaming path. Otherwise the leader reads each answer whole (`member_text`).
Members get the leader's task (or the user's input), after the shared
interactions and the team's history when the team forwards them.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

from ...schemas.outputs import RunOutput, TeamRunOutput
from ..context import RunContext, Scope
from ..plan import AgentPlan, TeamPlan
from .agent import run_agent, user_text
from .team_prompt import display_name, member_id, roster

NO_RESPONSE = "No response from the member agent."


class MemberContext(RunContext):
    """The run context a member runs in: its events go on to the team's listeners, except
    that a member answering for the team (route) streams its text as the team's own
    content, and `stream_member_events: false` keeps the rest of its events back."""

    def __init__(
        self,
        parent: RunContext,
        team_who: dict[str, Any],
        shows: bool,
        forward: bool,
        streamed: list[str],
    ) -> None:
        self.__dict__.update(
            _parent=parent, _who=team_who, _shows=shows, _forward=forward, streamed=streamed
        )

    def __getattr__(self, name: str) -> Any:
        return getattr(self.__dict__["_parent"], name)

    def emit(self, event: str, **fields: Any) -> None:
        parent: RunContext = self.__dict__["_parent"]
        if event in ("RunContent", "TeamRunContent"):
            content = fields.get("content")
            # agno's streaming path: the leader reads the text of its members' content events
            self.streamed.append(content if isinstance(content, str) else json.dumps(content))
            if self.__dict__["_shows"]:
                shown = {k: fields[k] for k in ("content", "content_type", "delta") if k in fields}
                parent.emit("TeamRunContent", **shown, **self.__dict__["_who"])
                return
        if self.__dict__["_forward"]:
            parent.emit(event, **fields)


def member_text(response: RunOutput | TeamRunOutput) -> str:
    """What the leader reads of a member's answer (agno's delegate tool)."""
    content = response.content
    if content is None and not response.tools:
        return NO_RESPONSE
    if isinstance(content, str):
        if content.strip():
            return content
        return ",".join(str(t.get("result")) for t in response.tools or [] if t.get("result"))
    return json.dumps(content, indent=2, ensure_ascii=False)


def find_member(team: TeamPlan, wanted: str) -> AgentPlan | TeamPlan | None:
    """agno's lookup: a direct member first, then inside each sub-team, depth first."""
    for member in team.members:
        if member_id(member) == wanted:
            return member
        if isinstance(member, TeamPlan):
            found = find_member(member, wanted)
            if found is not None:
                return found
    return None


def _member_task(team: TeamPlan, task: str, original: Any, shared: list[str], ctx: Any) -> str:
    """The text a member gets: the leader's task (or the user's input), after the shared
    interactions and the team's history when the team forwards them (agno)."""
    text = task if team.determine_input_for_members else user_text(original)
    prefix = ""
    if team.share_member_interactions and shared:
        prefix += (
            "<member_interaction_context>\nSee below interactions with other team members.\n"
            + "".join(shared)
            + "</member_interaction_context>\n\n\n"
        )
    if team.add_team_history_to_members and ctx.session is not None:
        history = ctx.session.team_history_context(team.name, team.num_team_history_runs)
        if history:
            prefix += f"{history}\n\n"
    return prefix + text


class Delegation:
    """Runs members for the leader's tools and keeps what agno keeps of them."""

    def __init__(
        self,
        team: TeamPlan,
        original: Any,
        ctx: RunContext,
        step_name: str | None,
        who: dict[str, Any],
        run_team: Callable[..., Awaitable[TeamRunOutput]],
    ) -> None:
        self.run_team = run_team  # a member that is a team runs as a team (team.py)
        self.team = team
        self.original = original
        self.ctx = ctx
        self.step_name = step_name
        self.who = who
        self.responses: list[RunOutput | TeamRunOutput] = []
        self.shared: list[str] = []  # share_member_interactions: earlier tasks and answers

    async def run(
        self, member: AgentPlan | TeamPlan, task: str, streamed: list[str], quiet: bool = False
    ) -> RunOutput | TeamRunOutput | None:
        """One member run; `streamed` gains the text of its content events. A member that
        fails still answers with its error (agno; on agno's streaming path it has no
        response at all)."""
        team = self.team
        text = _member_task(team, task, self.original, self.shared, self.ctx)
        ctx = MemberContext(
            self.ctx,
            self.who,
            shows=team.respond_directly,
            forward=team.stream_member_events and not quiet,
            streamed=streamed,
        )
        try:
            if isinstance(member, TeamPlan):
                response: RunOutput | TeamRunOutput = await self.run_team(
                    member, text, ctx, Scope(), self.step_name
                )
            else:
                response = await run_agent(member, text, ctx, Scope(), step_name=self.step_name)
        except Exception as exc:
            failed = getattr(exc, "run_output", None)
            if failed is None:
                raise
            if self.ctx.streaming:
                return None
            response = failed
        response.parent_run_id = self.who["team_run_id"]
        self.responses.append(response)
        name = display_name(member)
        self.shared.append(f"Member: {name}\nTask: {task}\nResponse: {response.content or ''}\n\n")
        return response

    async def to_member(self, arguments: dict[str, Any]) -> str:
        wanted = str(arguments.get("member_id"))
        member = find_member(self.team, wanted)
        if member is None:
            return (
                f"Member with ID {wanted} not found in the team or any subteams. Please choose "
                f"the correct member from the list of members:\n\n{roster(self.team)}"
            )
        streamed: list[str] = []
        response = await self.run(member, str(arguments.get("task", "")), streamed)
        if self.ctx.streaming or response is None:
            return "".join(streamed)
        return member_text(response)

    async def to_members(self, arguments: dict[str, Any]) -> str:
        """Every member at once; agno's streaming path reads their content events as they
        come, its other path `Agent NAME: answer` per member, in roster order."""
        task = str(arguments.get("task", ""))
        streamed: list[str] = []
        members = self.team.members
        results = await asyncio.gather(*(self.run(m, task, streamed) for m in members))
        if self.ctx.streaming:
            return "".join(streamed)
        return "".join(
            f"Agent {display_name(m)}: {member_text(r)}"
            for m, r in zip(members, results, strict=True)
            if r is not None
        )

    async def for_task(
        self, member: AgentPlan | TeamPlan, task: str, quiet: bool = False
    ) -> tuple[str, Any, str]:
        """A task's member run: its outcome, content, and (streaming) its streamed text;
        `quiet`: a batch member, which agno runs without streaming (no events)."""
        streamed: list[str] = []
        try:
            response = await self.run(member, task, streamed, quiet)
        except Exception as exc:  # agno: the task fails with the error, the run goes on
            return "error", exc, ""
        text = "".join(streamed) if self.ctx.streaming else ""
        if response is None:  # agno's streaming path: a failed member left no response
            return "completed", None, text
        return ("failed" if response.status == "failed" else "completed"), response.content, text
