"""Parity pairs: one spec run by agno-dsl beside the same agno 3.1.10 objects, compared.

A pair is a spec (`specs/<name>.yaml`) plus a builder that makes the agno
Agent, Team or Workflow of the same name from the spec's scripted models
(`@pair` registers it). Both sides run every turn of the pair on the
non-streaming path and on the streaming path (agno: `stream=True,
stream_events=True`; agno-dsl: the events its public API hands to
`on_event`, the same feed as `agno_dsl.stream`), and the views of
`views.py` are compared: final content, events, outputs, token metrics.
"""

from __future__ import annotations

import contextlib
import difflib
import inspect
import itertools
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import agno_dsl
from agno.agent import Agent
from agno.db.in_memory import InMemoryDb
from agno.run.agent import RunOutput
from agno.run.team import TeamRunOutput
from agno.run.workflow import WorkflowRunOutput
from agno.team import Team
from agno.workflow import Workflow
from agno_dsl.interpreter.functions import resolve_callable

from . import views
from .scripted_agno import ScriptedAgnoModel, scripted_models

SPECS = Path(__file__).resolve().parent / "specs"
CATEGORIES = ("content", "events", "outputs", "metrics")
PATHS = ("run", "stream")  # agno's non-streaming and streaming paths


@dataclass(frozen=True)
class Turn:
    """One call of a pair: a new run with `input`, or the answer that continues a paused one:
    `approve` (confirm/reject) or `values` (user input)."""

    input: Any = None
    approve: bool | None = None
    values: dict[str, Any] | None = None

    @property
    def continues(self) -> bool:
        return self.approve is not None or self.values is not None


class Models(dict[str, ScriptedAgnoModel]):
    """The spec's scripted models as agno models, and its Python callables, for a builder."""

    def __init__(self, models: dict[str, ScriptedAgnoModel]) -> None:
        super().__init__(models)

    @staticmethod
    def function(import_path: str) -> Callable[..., Any]:
        """The very function object the spec names (`module:callable`, next to the specs)."""
        return resolve_callable(import_path, SPECS)

    def reset(self) -> None:
        for model in self.values():
            model.reset()


@dataclass(frozen=True)
class Pair:
    name: str
    build: Callable[[Models], Agent | Team | Workflow]
    turns: tuple[Turn, ...]
    session_id: str | None = None  # shared by every turn; None: each side makes its own
    user_id: str | None = None  # the user of every turn (memories); None: agno's "default"

    @property
    def spec(self) -> Path:
        return SPECS / f"{self.name}.yaml"


PAIRS: dict[str, Pair] = {}


def pair(
    *inputs: Any,
    name: str | None = None,
    turns: tuple[Turn, ...] = (),
    session_id: str | None = None,
    user_id: str | None = None,
) -> Callable[[Callable[[Models], Any]], Callable[[Models], Any]]:
    """Register a builder as a pair; `inputs` are its runs (or give `turns`)."""

    def register(build: Callable[[Models], Any]) -> Callable[[Models], Any]:
        key = name or build.__name__
        assert key not in PAIRS, f"pair {key} registered twice"
        PAIRS[key] = Pair(
            key, build, tuple(Turn(input=text) for text in inputs) + turns, session_id, user_id
        )
        return build

    return register


@dataclass
class Side:
    """What one side produced over the turns of a pair on one path."""

    contents: list[Any] = field(default_factory=list)
    outputs: list[dict[str, Any]] = field(default_factory=list)
    metrics: list[dict[str, Any]] = field(default_factory=list)
    events: list[list[dict[str, Any]]] = field(default_factory=list)

    def add(self, output: Any, events: list[dict[str, Any]] | None) -> None:
        """One turn: its output, and the views of its events (taken as they arrived, since
        agno's events hold objects it changes later, e.g. a ToolExecution's result)."""
        self.contents.append(views.plain(views.get(output, "content")))
        self.outputs.append(views.output_view(output))
        self.metrics.append(views.metrics_view(output))
        if events is not None:
            self.events.append(events)


def _kind(target: Any) -> str:
    if isinstance(target, Workflow):
        return "workflow"
    if isinstance(target, Team):
        return "team"
    return "agent"


# --- agno -----------------------------------------------------------------------------


async def run_agno(the_pair: Pair, stream: bool) -> Side:
    spec = agno_dsl.load(the_pair.spec)
    models = Models(scripted_models(dict(spec.models)))
    target = the_pair.build(models)
    if getattr(target, "db", None) is None:
        target.db = InMemoryDb()  # agno keeps sessions (history, state, paused runs) in its db
    side = Side()
    session_id = the_pair.session_id
    last: Any = None
    for turn in the_pair.turns:
        options: dict[str, Any] = {"session_id": session_id or views.get(last, "session_id")}
        if not turn.continues:
            models.reset()  # a new run starts its scripted answers afresh, as agno-dsl does
            options["session_id"] = session_id
            if the_pair.user_id is not None:
                options["user_id"] = the_pair.user_id
            call = target.arun(turn.input, **options, **_streaming(stream, target))
        else:
            _decide(last, turn)
            call = target.acontinue_run(last, **options, **_streaming(stream, target))
        if stream:
            events, last = await _collect(call, target, options["session_id"])
        else:
            try:
                events, last = None, await call
            except Exception:  # agno's workflows raise a failure; the run is stored as errored
                events, last = None, _stored_run(target, options["session_id"])
        side.add(last, events)
    return side


def _stored_run(target: Any, session_id: str | None) -> Any:
    """The last run agno stored, for a run that raised instead of returning its output."""
    if session_id is None:
        sessions = target.db.get_sessions() if hasattr(target.db, "get_sessions") else []
        session_id = views.get(sessions[-1], "session_id") if sessions else None
    return target.get_last_run_output(session_id=session_id)


def _streaming(stream: bool, target: Any) -> dict[str, Any]:
    if not stream:
        return {"stream": False}
    options = {"stream": True, "stream_events": True}
    if "yield_run_output" in inspect.signature(target.arun).parameters:
        options["yield_run_output"] = True
    return options


async def _collect(call: Any, target: Any, session_id: str | None) -> tuple[list[Any], Any]:
    """agno's events, and the run output it yields last (or keeps in its session)."""
    events: list[dict[str, Any]] = []
    output: Any = None
    try:
        async for item in await call if inspect.isawaitable(call) else call:
            if isinstance(item, RunOutput | TeamRunOutput | WorkflowRunOutput):
                output = item
            else:
                events.append(views.event_view(item))
    except Exception:  # agno's workflows raise a failure after its error events
        output = None
    if output is None:
        output = target.get_last_run_output(session_id=session_id)
    return events, output


def _decide(paused: Any, turn: Turn) -> None:
    """Answer what the paused run waits for (tool calls, or workflow steps)."""
    pending = views.get(paused, "step_requirements") or views.get(paused, "requirements") or []
    for requirement in pending:
        if turn.values is not None:
            if hasattr(requirement, "set_user_input"):
                requirement.set_user_input(**turn.values)
            else:
                requirement.provide_user_input(turn.values)
        elif turn.approve:
            requirement.confirm()
        else:
            requirement.reject()


# --- agno-dsl ----------------------------------------------------------------------------


async def run_dsl(the_pair: Pair, stream: bool, storage: str) -> Side:
    target = the_pair.build(Models(scripted_models(dict(agno_dsl.load(the_pair.spec).models))))
    which = {_kind(target): target.name}
    side = Side()
    last: Any = None
    for turn in the_pair.turns:
        events: list[dict[str, Any]] = []
        listen = (
            {"on_event": lambda event, seen=events: seen.append(views.event_view(event))}
            if stream
            else {}
        )
        if not turn.continues:
            last = await agno_dsl.arun(
                the_pair.spec,
                turn.input,
                session_id=the_pair.session_id,
                user_id=the_pair.user_id,
                storage=storage,
                **which,
                **listen,
            )
        else:
            answer = {"values": turn.values} if turn.values is not None else {}
            if turn.approve is not None:
                answer = {"approve": turn.approve}
            last = await agno_dsl.aresume(last.run_id, storage=storage, **answer, **listen)
        side.add(last, events if stream else None)
    return side


# --- comparison ----------------------------------------------------------------------------


@dataclass
class PairResult:
    name: str
    diffs: dict[str, list[str]] = field(default_factory=lambda: {c: [] for c in CATEGORIES})

    @property
    def equal(self) -> bool:
        return not any(self.diffs.values())

    def lines(self) -> list[str]:
        return [f"{category}: {line}" for category, lines in self.diffs.items() for line in lines]

    def report(self) -> str:
        parts = [f"pair {self.name}: agno 3.1.10 and agno-dsl differ"]
        for category, lines in self.diffs.items():
            if lines:
                parts.append(f"--- {category} ---")
                parts.extend(lines)
        return "\n".join(parts)


def compare(name: str, agno: dict[str, Side], dsl: dict[str, Side]) -> PairResult:
    result = PairResult(name)
    for path in PATHS:
        a, d = agno[path], dsl[path]
        for category, left, right in (
            ("content", a.contents, d.contents),
            ("outputs", a.outputs, d.outputs),
            ("metrics", a.metrics, d.metrics),
        ):
            result.diffs[category] += [
                f"[{path}] {line}" for line in _turn_differences(left, right)
            ]
        if path == "stream":
            for turn, (left_events, right_events) in enumerate(
                zip(a.events, d.events, strict=True)
            ):
                result.diffs["events"] += _event_diff(turn, left_events, right_events)
    return result


def _turn_differences(agno: list[Any], dsl: list[Any]) -> list[str]:
    if len(agno) != len(dsl):
        return [f"turns: agno={len(agno)} dsl={len(dsl)}"]
    return [
        f"turn {i}: {line}"
        for i, (a, d) in enumerate(zip(agno, dsl, strict=True))
        for line in views.differences(a, d)
    ]


def _event_diff(turn: int, agno: list[dict[str, Any]], dsl: list[dict[str, Any]]) -> list[str]:
    left = [views.event_line(event) for event in agno]
    right = [views.event_line(event) for event in dsl]
    if left == right:
        return []
    diff = difflib.unified_diff(
        left, right, f"agno turn {turn}", f"agno-dsl turn {turn}", n=2, lineterm=""
    )
    return list(diff)


RESULTS: dict[str, PairResult] = {}


@contextlib.contextmanager
def sequential_task_ids() -> Iterator[None]:
    """agno's tasks mode gives its tasks uuid4()[:8] ids; agno-dsl counts them (00000001,
    00000002, ...) so a scripted leader can name them; agno's side counts the same way here."""
    import agno.team.task as agno_tasks

    numbers = itertools.count(1)
    saved = agno_tasks.uuid4
    agno_tasks.uuid4 = lambda: uuid.UUID(int=next(numbers) << 96)  # type: ignore[assignment]
    try:
        yield
    finally:
        agno_tasks.uuid4 = saved  # type: ignore[assignment]


async def check_pair(the_pair: Pair, workdir: Path) -> PairResult:
    """Run a pair on both sides and both paths; the result is also kept for the summary line.

    Each agno-dsl path gets its own storage in `workdir`, as each agno path gets a fresh db.
    """
    try:
        agno, dsl = {}, {}
        for path in PATHS:
            with sequential_task_ids():
                agno[path] = await run_agno(the_pair, path == "stream")
            with sequential_task_ids():
                dsl[path] = await run_dsl(
                    the_pair, path == "stream", f"sqlite:///{workdir}/{path}.db"
                )
    except Exception as exc:  # a side that crashes is a difference in everything
        crashed = PairResult(the_pair.name, {c: [f"crashed: {exc!r}"] for c in CATEGORIES})
        RESULTS[the_pair.name] = crashed
        raise
    result = compare(the_pair.name, agno, dsl)
    RESULTS[the_pair.name] = result
    return result


def summary(known: dict[str, Any]) -> str:
    """The parity figure, e.g. `parity: 12/12 pairs equal (content 12, events 12, ...)`.

    A pair whose only differences are registered deliberate ones counts as equal in the
    categories those lines are in; the figure names how many pairs rely on them.
    """
    allowed = {p: set().union(*(d.pairs.get(p, ()) for d in known.values())) for p in RESULTS}
    total = len(RESULTS)

    def equal_in(result: PairResult, category: str) -> bool:
        lines = {f"{category}: {line}" for line in result.diffs[category]}
        return lines <= allowed[result.name]

    equal = sum(1 for r in RESULTS.values() if all(equal_in(r, c) for c in CATEGORIES))
    per = ", ".join(f"{c} {sum(1 for r in RESULTS.values() if equal_in(r, c))}" for c in CATEGORIES)
    text = f"parity: {equal}/{total} pairs equal ({per})"
    relying = sorted(name for name in RESULTS if allowed[name] and not RESULTS[name].equal)
    if relying:
        text += f"; {len(relying)} of them through {len(known)} deliberate difference(s)"
    return text
