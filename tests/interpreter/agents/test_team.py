"""interpreter/agents/team.py: the four agno team modes, failing members, nested teams.

The exact behaviour is agno's and is compared with agno itself in tests/parity; these
tests cover what a pair cannot show: members running at once, the bounds of tasks
mode, the two paths (event stream or not), a team inside a workflow and the CLI.
"""

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


def run_team(
    tmp_path: Path,
    leader: str,
    teams: str,
    team: str = "desk",
    message: str = "bikes",
    stream: bool = True,
):
    spec = tmp_path / "spec.yaml"
    spec.write_text(MODELS.format(leader=leader, teams=teams))
    events: list = []
    feed = {"on_event": events.append} if stream else {}
    output = agno_dsl.run(spec, message, team=team, **feed)
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


def test_route_streams_the_member_answer_as_the_team_content(tmp_path: Path) -> None:
    leader = (
        "      - tool_calls: [{name: delegate_task_to_member, arguments: "
        "{member_id: safety, task: 'safety tips'}}]\n"
        "      - content: 'the leader never speaks again'"
    )
    teams = "  desk: {model: leader, mode: route, members: [pricing, safety]}"
    output, names = run_team(tmp_path, leader, teams)
    assert output.content == "Wear a helmet."
    assert "TeamRunContent:desk" in names and "RunContent:safety" not in names
    quiet, _ = run_team(tmp_path, leader, teams, stream=False)
    assert quiet.content == "Wear a helmet."


def test_broadcast_runs_every_member_at_once_and_survives_a_failing_member(
    tmp_path: Path,
) -> None:
    leader = (
        "      - tool_calls: [{name: delegate_task_to_members, arguments: "
        "{task: 'prices and safety'}}]\n"
        "      - {content: 'Two answers, one failure.'}"
    )
    teams = "  desk: {model: leader, mode: broadcast, members: [pricing, safety, faulty]}"
    output, names = run_team(tmp_path, leader, teams, stream=False)
    assert output.content == "Two answers, one failure."
    assert output.tools[0]["result"] == (
        "Agent pricing: Prices start at 1,000 EUR."
        "Agent safety: Prices start at 1,000 EUR."  # the task matches "prices" first
        "Agent faulty: member model down"
    )
    # kept as they finish (agno): the failing member first
    assert [r.status for r in output.member_responses] == ["failed", "completed", "completed"]
    streamed, names = run_team(tmp_path, leader, teams)
    # agno's streaming path: the leader reads the members' streamed text; a failed member
    # left no response
    assert streamed.tools[0]["result"] == "Prices start at 1,000 EUR." * 2
    assert len(streamed.member_responses) == 2
    # All three members started before any finished: they ran at the same time.
    starts = [i for i, n in enumerate(names) if n.startswith("RunStarted")]
    first_end = min(i for i, n in enumerate(names) if n.startswith(("RunCompleted", "RunError")))
    assert len(starts) == 3 and max(starts) < first_end


def test_coordinate_member_failure_goes_back_to_the_leader(tmp_path: Path) -> None:
    leader = (
        "      - tool_calls: [{name: delegate_task_to_member, arguments: "
        "{member_id: faulty, task: 'anything'}}]\n"
        "      - {content: 'The specialist is unavailable.'}"
    )
    output, names = run_team(tmp_path, leader, "  desk: {model: leader, members: [faulty]}")
    assert output.content == "The specialist is unavailable."
    # agno: the delegation itself succeeds; the member's run ends in RunError
    assert "TeamToolCallError:desk" not in names and "RunError:faulty" in names
    quiet, _ = run_team(
        tmp_path, leader, "  desk: {model: leader, members: [faulty]}", stream=False
    )
    assert quiet.tools[0]["result"] == "member model down"


def test_tasks_mode_keeps_a_task_list_until_complete(tmp_path: Path) -> None:
    leader = "\n".join(
        [
            "      - tool_calls: [{name: create_task, arguments: {title: 'range check', "
            "description: 'range of bikes', assignee: pricing}}]",
            "      - tool_calls: [{name: execute_task, arguments: "
            "{task_id: '00000001', member_id: pricing}}]",
            "      - tool_calls: [{name: list_tasks, arguments: {}}]",
            "      - {match: 'COMPLETED', tool_calls: [{name: mark_all_complete, "
            "arguments: {summary: 'Range is 40 to 80 km.'}}]}",
            "      - {match: 'Goal marked as complete', content: 'The range is 40 to 80 km.'}",
        ]
    )
    output, names = run_team(
        tmp_path, leader, "  desk: {model: leader, mode: tasks, members: [pricing]}"
    )
    # agno asks the leader once more after mark_all_complete and answers with that
    assert output.content == "The range is 40 to 80 km."
    assert [r.content for r in output.member_responses] == ["40 to 80 km."]
    assert names.count("TeamTaskIterationStarted:desk") == 1
    assert "TeamTaskCreated:desk" in names and "TeamTaskUpdated:desk" in names


def test_tasks_mode_is_bounded_by_max_iterations(tmp_path: Path) -> None:
    leader = "\n".join(
        [
            "      - tool_calls: [{name: create_task, arguments: {title: t, assignee: pricing}}]",
            "      - content: 'Still thinking.'",
        ]
    )
    output, names = run_team(
        tmp_path,
        leader,
        "  desk: {model: leader, mode: tasks, max_iterations: 3, members: [pricing]}",
        stream=False,
    )
    # a task never run keeps the loop going: three rounds, each answered in text
    assert output.status == "completed" and len(output.tools) == 1
    assert output.content == "Still thinking." * 3
    rounds = [m.content for m in output.messages if m.role == "user"]
    assert len(rounds) == 3 and rounds[1].startswith("<current_task_state>")


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
    output, _ = run_team(tmp_path, leader, teams, stream=False)
    assert output.content == "Final: wear a helmet."
    inner = output.member_responses[0].member_responses[0]
    assert inner.team_name == "inner" and inner.member_responses[0].agent_name == "safety"


def test_a_member_of_a_sub_team_is_found_by_its_id(tmp_path: Path) -> None:
    leader = "\n".join(
        [
            "      - {match: '^bikes', tool_calls: [{name: delegate_task_to_member, "
            "arguments: {member_id: safety, task: 'safety tips'}}]}",
            "      - {match: '^Wear a helmet', content: 'Reached the inner member.'}",
        ]
    )
    teams = "  desk: {model: leader, members: [inner]}\n  inner: {model: leader, members: [safety]}"
    output, _ = run_team(tmp_path, leader, teams, stream=False)
    assert output.content == "Reached the inner member."
    assert output.member_responses[0].agent_name == "safety"


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
        "      - {content: 'the leader never speaks again'}"
    )
    output, names = run_team(
        tmp_path, leader, "  desk: {model: leader, mode: route, members: [faulty]}", stream=False
    )
    # agno: the member's answer is the team's, even its error
    assert output.content == "member model down"
    leader = "\n".join(
        [
            "      - tool_calls: [{name: create_task, arguments: {title: t, description: d, "
            "assignee: faulty}}]",
            "      - tool_calls: [{name: execute_task, arguments: "
            "{task_id: '00000001', member_id: faulty}}]",
            "      - {match: 'failed', content: 'Task 1 failed; escalating.'}",
        ]
    )
    output, _ = run_team(
        tmp_path,
        leader,
        "  desk: {model: leader, mode: tasks, members: [faulty]}",
        stream=False,
    )
    # every task is terminal but one failed: the loop goes on to max_iterations
    assert output.content.startswith("Task 1 failed; escalating.")
    assert output.tools[1]["result"] == "Task [00000001] failed: member model down"


def test_team_options_take_agnos_defaults_and_respond_directly_is_route(tmp_path: Path) -> None:
    from agno_dsl.loader import load_document
    from agno_dsl.overrides import compiler_for

    spec = tmp_path / "spec.yaml"
    spec.write_text(
        MODELS.format(
            leader="      - content: hi",
            teams="  desk: {model: leader, members: [pricing]}\n"
            "  direct: {model: leader, respond_directly: true, members: [pricing]}\n"
            "  tuned: {model: leader, mode: broadcast, respond_directly: true,"
            " determine_input_for_members: false, share_member_interactions: true,"
            " add_team_history_to_members: true, num_team_history_runs: 2,"
            " add_member_tools_to_context: true, stream_member_events: false,"
            " name: Tuned Team, role: Decides, members: [pricing]}",
        )
    )
    compiler = compiler_for(load_document(spec), None)
    desk, direct, tuned = (compiler.team(n) for n in ("desk", "direct", "tuned"))
    assert (desk.mode, desk.respond_directly, desk.determine_input_for_members) == (
        "coordinate",
        False,
        True,
    )
    assert not desk.share_member_interactions and not desk.add_team_history_to_members
    assert desk.num_team_history_runs == 3 and desk.stream_member_events
    assert not desk.add_member_tools_to_context and desk.max_iterations == 10
    assert (direct.mode, direct.respond_directly) == ("route", True)
    # agno: broadcast never responds directly
    assert (tuned.mode, tuned.respond_directly) == ("broadcast", False)
    assert tuned.leader.display_name == "Tuned Team" and tuned.leader.role == "Decides"
    assert tuned.num_team_history_runs == 2 and not tuned.stream_member_events


def test_stream_member_events_false_keeps_the_members_events_back(tmp_path: Path) -> None:
    leader = (
        "      - tool_calls: [{name: delegate_task_to_member, arguments: "
        "{member_id: pricing, task: 'prices of bikes'}}]\n"
        "      - {content: 'Summary.'}"
    )
    teams = "  desk: {model: leader, stream_member_events: false, members: [pricing]}"
    output, names = run_team(tmp_path, leader, teams)
    assert output.member_responses[0].content == "Prices start at 1,000 EUR."
    assert output.tools[0]["result"] == "Prices start at 1,000 EUR."
    assert not [n for n in names if n.endswith(":pricing") or n.startswith("Model")]
    assert names[-1] == "TeamRunCompleted:desk"
