"""interpreter/team.py: the four agno team modes, failing members, nested teams."""

from __future__ import annotations

from pathlib import Path

import agno_dsl

from tests.conftest import run_cli

MODELS = """version: 1
models:
  leader:
    provider: scripted
    responses:
{leader}
  members:
    provider: scripted
    responses:
      - {{match: "prices", content: "Prices start at 1,000 EUR.", delay: 10ms}}
      - {{match: "safety", content: "Wear a helmet.", delay: 10ms}}
      - {{match: "range", content: "40 to 80 km."}}
      - {{content: "member default"}}
  broken: {{provider: scripted, responses: [{{error: "member model down"}}]}}
agents:
  pricing: {{model: members, description: Knows prices}}
  safety: {{model: members, description: Knows safety}}
  faulty: {{model: broken, description: Always fails}}
teams:
{teams}
"""


def run_team(tmp_path: Path, leader: str, teams: str, team: str = "desk", message: str = "bikes"):
    spec = tmp_path / "spec.yaml"
    spec.write_text(MODELS.format(leader=leader, teams=teams))
    events: list = []
    output = agno_dsl.run(spec, message, team=team, on_event=events.append)
    names = [
        e.event
        + (
            ":" + (e.model_extra or {}).get("team_name", e.agent_name or "")
            if e.event.startswith(("Team", "Run"))
            else ""
        )
        for e in events
    ]
    return output, names


def test_coordinate_delegates_and_synthesizes(tmp_path: Path) -> None:
    leader = (
        "      - tool_calls: [{name: delegate_task_to_member, arguments: "
        "{member_id: pricing, task: 'prices of bikes'}}]\n"
        "      - {match: 'Prices start', content: 'Summary: from 1,000 EUR.'}"
    )
    output, names = run_team(
        tmp_path, leader, "  desk: {model: leader, members: [pricing, safety]}"
    )
    assert output.status == "completed" and output.content == "Summary: from 1,000 EUR."
    assert [r.content for r in output.member_responses] == ["Prices start at 1,000 EUR."]
    assert names == [
        "TeamRunStarted:desk",
        "TeamModelRequestStarted:desk",
        "TeamModelRequestCompleted:desk",
        "TeamToolCallStarted:desk",
        "RunStarted:pricing",
        "ModelRequestStarted",
        "RunContent:pricing",
        "ModelRequestCompleted",
        "RunContentCompleted:pricing",
        "RunCompleted:pricing",
        "TeamToolCallCompleted:desk",
        "TeamModelRequestStarted:desk",
        "TeamRunContent:desk",
        "TeamModelRequestCompleted:desk",
        "TeamRunContentCompleted:desk",
        "TeamRunCompleted:desk",
    ]


def test_route_returns_the_member_answer_directly(tmp_path: Path) -> None:
    leader = (
        "      - tool_calls: [{name: delegate_task_to_member, arguments: "
        "{member_id: safety, task: 'safety tips'}}]\n"
        "      - content: 'the leader never speaks again'"
    )
    output, _ = run_team(
        tmp_path, leader, "  desk: {model: leader, mode: route, members: [pricing, safety]}"
    )
    assert output.content == "Wear a helmet."


def test_broadcast_sends_one_task_to_all_at_once_and_survives_a_failing_member(
    tmp_path: Path,
) -> None:
    leader = (
        "      - tool_calls: [{name: delegate_task_to_members, arguments: "
        "{task: 'prices and safety'}}]\n"
        "      - {match: 'member model down', content: 'Two answers, one failure.'}"
    )
    output, names = run_team(
        tmp_path,
        leader,
        "  desk: {model: leader, mode: broadcast, members: [pricing, safety, faulty]}",
    )
    assert output.content == "Two answers, one failure."
    tool_result = output.tools[0]["result"]
    assert tool_result.splitlines()[0] == "Member pricing: Prices start at 1,000 EUR."
    assert "Member faulty: Error: ModelProviderError: member model down" in tool_result
    # All three members started before any finished: they ran at the same time.
    starts = [i for i, n in enumerate(names) if n.startswith("RunStarted")]
    first_end = min(i for i, n in enumerate(names) if n.startswith(("RunCompleted", "RunError")))
    assert len(starts) == 3 and max(starts) < first_end


def test_coordinate_member_failure_goes_back_to_the_leader(tmp_path: Path) -> None:
    leader = (
        "      - tool_calls: [{name: delegate_task_to_member, arguments: "
        "{member_id: faulty, task: 'anything'}}]\n"
        "      - {match: 'member model down', content: 'The specialist is unavailable.'}"
    )
    output, names = run_team(tmp_path, leader, "  desk: {model: leader, members: [faulty]}")
    assert output.content == "The specialist is unavailable."
    assert "TeamToolCallError:desk" in names and "RunError:faulty" in names


def test_tasks_mode_keeps_a_task_list_until_complete(tmp_path: Path) -> None:
    leader = "\n".join(
        [
            "      - tool_calls: [{name: create_task, arguments: {title: 'range check', "
            "description: 'range of bikes', assignee: pricing}}]",
            "      - tool_calls: [{name: execute_task, arguments: "
            "{task_id: '1', member_id: pricing}}]",
            "      - tool_calls: [{name: list_tasks, arguments: {}}]",
            "      - {match: 'status: completed', tool_calls: [{name: mark_all_complete, "
            "arguments: {summary: 'Range is 40 to 80 km.'}}]}",
        ]
    )
    output, _ = run_team(
        tmp_path, leader, "  desk: {model: leader, mode: tasks, members: [pricing]}"
    )
    assert output.content == "Range is 40 to 80 km."
    assert [r.content for r in output.member_responses] == ["40 to 80 km."]


def test_tasks_mode_is_bounded_by_max_iterations(tmp_path: Path) -> None:
    leader = "      - tool_calls: [{name: list_tasks, arguments: {}}]"
    output, _ = run_team(
        tmp_path,
        leader,
        "  desk: {model: leader, mode: tasks, max_iterations: 3, members: [pricing]}",
    )
    assert output.status == "completed" and len(output.tools) == 2


def test_nested_teams_two_levels_deep(tmp_path: Path) -> None:
    leader = "\n".join(
        [
            "      - {match: '^bikes', tool_calls: [{name: delegate_task_to_member, "
            "arguments: {member_id: experts, task: 'ask the specialists'}}]}",
            "      - {match: '^ask the', tool_calls: [{name: delegate_task_to_member, "
            "arguments: {member_id: inner, task: 'safety first'}}]}",
            "      - {match: '^safety first', tool_calls: [{name: delegate_task_to_member, "
            "arguments: {member_id: safety, task: 'safety tips'}}]}",
            "      - {match: '^Wear a helmet', content: 'Helmet, said the innermost team.'}",
            "      - {match: '^Helmet, said', content: 'Relayed: helmet.'}",
            "      - {match: '^Relayed', content: 'Final: wear a helmet.'}",
        ]
    )
    teams = (
        "  desk: {model: leader, members: [experts]}\n"
        "  experts: {model: leader, members: [inner]}\n"
        "  inner: {model: leader, members: [safety]}"
    )
    output, names = run_team(tmp_path, leader, teams)
    assert output.content == "Final: wear a helmet."
    inner = output.member_responses[0].member_responses[0]
    assert inner.team_name == "inner" and inner.member_responses[0].agent_name == "safety"
    assert [n for n in names if n.startswith("TeamRunStarted")] == [
        "TeamRunStarted:desk",
        "TeamRunStarted:experts",
        "TeamRunStarted:inner",
    ]


def test_team_as_a_workflow_step_and_from_the_cli(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        MODELS.format(
            leader="      - tool_calls: [{name: delegate_task_to_member, arguments: "
            "{member_id: safety, task: 'safety tips'}}]",
            teams="  desk: {model: leader, mode: route, members: [safety]}",
        )
        + "workflows:\n  w:\n    steps:\n      - {name: ask, team: desk}\n"
        "      - {name: shout, agent: pricing, input: 'range of {{ previous.output }}'}\n"
    )
    output = agno_dsl.run(spec, "bikes")
    assert [s.content for s in output.step_results] == ["Wear a helmet.", "40 to 80 km."]
    result = run_cli(["run", str(spec), "bikes", "--team", "desk"])
    assert result.exit_code == 0 and result.stdout == "Wear a helmet.\n"


def test_route_and_tasks_modes_survive_a_failing_member(tmp_path: Path) -> None:
    leader = (
        "      - {match: '^bikes', tool_calls: [{name: delegate_task_to_member, arguments: "
        "{member_id: faulty, task: 'anything'}}]}\n"
        "      - {match: 'member model down', content: 'Nobody could answer.'}"
    )
    output, names = run_team(
        tmp_path, leader, "  desk: {model: leader, mode: route, members: [faulty]}"
    )
    # The failure is not a member answer, so the leader speaks instead.
    assert output.content == "Nobody could answer." and "RunError:faulty" in names
    leader = "\n".join(
        [
            "      - tool_calls: [{name: create_task, arguments: {title: t, description: d, "
            "assignee: faulty}}]",
            "      - tool_calls: [{name: execute_task, arguments: {task_id: '1'}}]",
            "      - {match: 'member model down', tool_calls: [{name: list_tasks, arguments: {}}]}",
            "      - {match: 'status: failed', content: 'Task 1 failed; escalating.'}",
        ]
    )
    output, _ = run_team(
        tmp_path, leader, "  desk: {model: leader, mode: tasks, members: [faulty]}"
    )
    assert output.content == "Task 1 failed; escalating."
