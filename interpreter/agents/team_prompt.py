"""The team leader's system message, laid out as agno 3.1.10 lays it out.

Description, role and instructions open the prompt (the user's identity); then
one <team> block: agno's capability statement, the roster (<team_members>,
a member's id is its name made URL-safe, nested teams indented), and the
mode's <delegation> rules; then the trailing sections (expected output,
additional context, agno's JSON output prompt). Texts are agno's, word for word
(agno/team/_messages.py).
"""

from __future__ import annotations

import re
from typing import Any

from ..plan import AgentPlan, TeamPlan
from .structured import json_output_prompt

OPENING = (
    "You coordinate this team to fulfill the user's request. "
    "You have a team of specialists, listed below. "
    "Delegate to members when their expertise or tools are needed; "
    "answer directly — including with your own tools — when they are not.\n"
)

TASKS_RULES = (
    "You work from a shared task list: you create tasks, assign each one to a member, "
    "execute them, and deliver the result.\n\n"
    "- `create_task` sets the assignee — the member whose {selector} fit the work best. "
    "`execute_tasks_parallel` runs each task against the member it was created with, so a task "
    "created without an assignee cannot go in a batch. Titles are unique: creating a task under "
    "an existing title returns that task instead of a new one.\n"
    "- Set `depends_on` only when a task genuinely needs another task's output.\n"
    "- Run one task with `execute_task`, or a batch of independent ones with "
    "`execute_tasks_parallel`. `list_tasks` re-reads the board at any point.\n"
    "- Read every result. On a failure, retry, reassign, or change the plan — do not repeat the "
    "same call unchanged. Record work you did yourself with `update_task_status`, and anything a "
    "later task will need with `add_task_note`.\n"
    "- A task result is evidence, not your answer. When a task fails or a member returns nothing, "
    "say so plainly and name what it reported — never supply a cause or a finding the member did "
    "not state.\n"
    "- `mark_all_complete` ends the loop; the summary you pass it is bookkeeping, not the reply. "
    "Write the answer as your own message in the same turn — that message is what reaches the "
    "user. A list whose tasks have all completed also ends the loop. For a request that needs "
    "no tasks at all — a greeting, a question you can simply answer — write the answer and call "
    "`mark_all_complete` in the same turn: that finishes at once instead of after a reminder. "
    "Call it too when the goal is out of reach: a partial outcome stated plainly beats looping.\n"
)
ROUTE_RULES = (
    "You work in route mode: you hand the request to exactly one member with "
    "`delegate_task_to_member`, and its reply is returned to the user as written and ends the "
    "run.\n\n"
    "- Pick the member whose {selector} are the closest match; if none is a clear fit, pick the "
    "closest and carry the shortfall into the task.\n"
    "- Pass the request whole. Do not reinterpret, narrow, or summarize what the user asked.\n"
    "- State any requirement on the reply — format, length, structure, tone — in the task itself. "
    "Your own formatting rules and expected output are not applied to what the member returns.\n"
    "- Write no text of your own in the turn you hand over: anything you write is prepended to the "
    "member's reply, and you get no turn to review or correct what it sends.\n"
)
BROADCAST_RULES = (
    "You work in broadcast mode: one call puts the same task to every member, then you write the "
    "answer yourself.\n\n"
    "- Call `delegate_task_to_members` exactly once. One call reaches every member; do not call it "
    "once per member.\n"
    "- Write one whole question each member can answer from its own vantage point, not a sub-task "
    "for one of them.\n"
    "- A member's output is evidence, not your answer. When a member fails, refuses, or returns "
    "nothing, say so plainly and name what it reported — never supply a cause, source, or finding "
    "the member did not state.\n"
    "- Say each finding once: where members agree that is one finding, not three; where they "
    "conflict, reconcile it and say which view you took. Integrate the strongest contributions "
    "thematically — never list the responses in sequence.\n"
)
COORDINATE_RULES = (
    "You work in coordinate mode: you hand sub-tasks to members with "
    "`delegate_task_to_member` and write the answer yourself.\n\n"
    "- Match each sub-task to the member whose {selector} fit it best. When sub-tasks do not "
    "depend on each other, delegate them in the same turn instead of one per turn.\n"
    "- A member's output is evidence, not your answer. When a member fails, refuses, or returns "
    "nothing, say so plainly and name what it reported — never supply a cause, source, or finding "
    "the member did not state.\n"
    "- If a response is off-target, re-delegate with clearer instructions or try a better-suited "
    "member. If it still misses, answer with what you have and say what is missing — do not work "
    "through the roster.\n"
    "- Write one answer. Resolve contradictions, add structure, and fill gaps only where you can "
    "state the basis for it. Never concatenate member outputs.\n"
)
RULES = {
    "tasks": TASKS_RULES,
    "route": ROUTE_RULES,
    "broadcast": BROADCAST_RULES,
    "coordinate": COORDINATE_RULES,
}
VERBATIM_INPUT = (
    "\nMembers do not see this conversation, and each one receives the user's message verbatim "
    "rather than the text you write. Pass a short label; do not restate or rewrite the request.\n"
)
SHARED_CONTEXT = (
    "\nMembers see only what you pass them plus the shared context this team forwards — not the "
    "conversation itself. Carry over every name, number and earlier answer the task depends on, "
    "and say what a good result looks like.\n"
)
PRIVATE_CONTEXT = (
    "\nMembers do not see this conversation. Each one gets only the text you write for it, so "
    "carry over every name, number and earlier answer it needs, and say what a good result looks "
    "like.\n"
)
NESTED_IDS = (
    "Member ids are the ids shown in the roster above, used exactly as written — never joined "
    "or prefixed. Delegate to a sub-team by the sub-team's own id; its leader hands work to "
    "the members inside it.\n"
)
FLAT_IDS = "Member ids are the ids shown in the roster above, used exactly as written.\n"


def url_safe(name: str) -> str:
    """agno's member id of a name (agno.utils.string.url_safe_string)."""
    text = name.replace(" ", "-")
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1-\2", text).lower()
    text = text.replace("_", "-")
    return re.sub(r"[^\w\-.]", "", text)


def display_name(runner: AgentPlan | TeamPlan) -> str:
    leader = runner.leader if isinstance(runner, TeamPlan) else runner
    return leader.display_name or leader.name


def member_id(member: AgentPlan | TeamPlan) -> str:
    return url_safe(display_name(member))


def roster(team: TeamPlan, indent: int = 0) -> str:
    """agno's <team_members> entries; only the top level shows ids (they are delegable)."""
    pad = " " * indent
    text = ""
    for member in team.members:
        runner = member.leader if isinstance(member, TeamPlan) else member
        kind = ' type="team"' if isinstance(member, TeamPlan) else ""
        shown = f'id="{member_id(member)}" ' if indent == 0 else ""
        text += f'{pad}<member {shown}name="{display_name(member)}"{kind}>\n'
        if runner.role is not None:
            text += f"{pad}  Role: {runner.role}\n"
        if runner.description is not None:
            text += f"{pad}  Description: {runner.description}\n"
        if isinstance(member, TeamPlan):
            text += roster(member, indent + 2)
        elif team.add_member_tools_to_context and member.tools:
            text += f"{pad}  Tools: {', '.join(tool.name for tool in member.tools)}\n"
        text += f"{pad}</member>\n"
    return text


def _delegation(team: TeamPlan) -> str:
    selector = (
        "role, description, and tools"
        if team.add_member_tools_to_context
        else "role and description"
    )
    text = "\n<delegation>\n" + RULES[team.mode].format(selector=selector)
    if team.mode != "tasks" and not team.determine_input_for_members:
        text += VERBATIM_INPUT
    elif team.add_team_history_to_members or team.share_member_interactions:
        text += SHARED_CONTEXT
    else:
        text += PRIVATE_CONTEXT
    if team.mode != "broadcast":
        nested = any(isinstance(member, TeamPlan) for member in team.members)
        text += NESTED_IDS if nested else FLAT_IDS
    return text + "</delegation>\n"


def _instructions(items: list[str]) -> str:
    """agno's render_instructions: one as is, several as bullets (multi-line ones as blocks)."""
    if len(items) == 1:
        return items[0]

    def block(item: str) -> bool:
        return "\n" in item.strip()

    if not any(block(item) for item in items):
        return "\n".join(f"- {item.strip()}" for item in items)
    return "\n\n".join(item if block(item) else f"- {item.strip()}" for item in items)


def team_system_message(team: TeamPlan, context: dict[str, Any], model: Any = None) -> str:
    leader = team.leader
    text = ""
    if leader.description is not None:
        text += f"<description>\n{leader.description}\n</description>\n\n"
    if leader.role is not None:
        text += f"<your_role>\n{leader.role}\n</your_role>\n\n"
    instructions = [str(item.evaluate(context)) for item in leader.instructions]
    if instructions:
        text += _instructions(instructions) + "\n\n"
    if team.members:
        text += "<team>\n" + OPENING + "\n<team_members>\n" + roster(team) + "</team_members>\n"
        text += _delegation(team) + "</team>\n\n"
    if leader.expected_output is not None:
        text += f"<expected_output>\n{leader.expected_output.strip()}\n</expected_output>\n\n"
    if leader.additional_context is not None:
        text += (
            f"<additional_context>\n{leader.additional_context.strip()}\n</additional_context>\n\n"
        )
    if leader.output_schema is not None and not getattr(model, "native_structured_outputs", False):
        text += json_output_prompt(leader.output_schema)
    return text.strip()
