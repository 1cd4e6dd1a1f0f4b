"""Deliberate differences from agno, each asserted exactly so it cannot grow.

A difference names the diff lines it accounts for, pair by pair (as
`PairResult.lines()` prints them). A pair listed here must differ from agno in
exactly the union of its registered lines, no more and no fewer. Each
difference has its reason in docs/decisions.md ("Parity"). The language
promises agno's behaviour, so there are at most MAX_KNOWN_DIFFERENCES of them
in the whole suite.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_KNOWN_DIFFERENCES = 3


@dataclass(frozen=True)
class KnownDifference:
    reason: str  # one line; docs/decisions.md has the whole argument
    pairs: dict[str, frozenset[str]] = field(default_factory=dict)  # pair -> its diff lines


def _failed_status(turns: int = 1, turn_offset: int = 0) -> frozenset[str]:
    """The lines of a run agno reports as RunStatus.error and agno-dsl as failed."""
    return frozenset(
        f'outputs: [{path}] turn {turn}: status: agno="error" dsl="failed"'
        for path in ("run", "stream")
        for turn in range(turn_offset, turn_offset + turns)
    )


KNOWN_DIFFERENCES: dict[str, KnownDifference] = {
    "failed_status": KnownDifference(
        reason="a failed run's status is 'failed' (agno: RunStatus.error), the word the CLI, "
        "exit codes, storage and `runs list` use",
        pairs={
            "agent_agno_hook": _failed_status(),
            "agent_guardrail_injection": _failed_status(),
            "agent_guardrail_pii": _failed_status(),
            "agent_model_error": _failed_status(),
            "agent_post_hook_reject": _failed_status(),
            "agent_pre_hook_reject": _failed_status(),
            # a member that failed, on agno's non-streaming path (its streaming path keeps
            # no response of a failed member)
            "team_member_fails": frozenset(
                {'outputs: [run] turn 0: member_responses[0].status: agno="error" dsl="failed"'}
            ),
            "workflow_step_fails_run": _failed_status(),
        },
    ),
}


KNOWN_DIFFERENCES["stop_agent_run_content"] = KnownDifference(
    reason="after a tool raises StopAgentRun agno's content is '' on its non-streaming path "
    "and None on its streaming path; agno-dsl has one path and gives None",
    pairs={
        "agent_stop_agent_run": frozenset(
            {
                'content: [run] turn 0: .: agno="" dsl=null',
                'outputs: [run] turn 0: content: agno="" dsl=null',
            }
        )
    },
)


def expected_lines(pair: str) -> frozenset[str] | None:
    """The diff lines the known differences allow for this pair (None: it must be equal)."""
    lines = [d.pairs[pair] for d in KNOWN_DIFFERENCES.values() if pair in d.pairs]
    return frozenset().union(*lines) if lines else None
