"""Compiled templates and expressions, as the run loop sees them.

The front end compiles every template once; at run time each is just
`evaluate(context)`. A template that is exactly one `{{ expr }}` keeps the
native type of its value (an object stays an object); any other template
renders to a string. Failures become ExpressionError naming the template
and its place in the spec.
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

# When the running step must be done (time.monotonic()), if it has a timeout.
# Evaluating templates and scripted `match` patterns stop there: they run on
# the event loop, where asyncio's own timeout cannot interrupt them.
step_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "agno_dsl_step_deadline", default=None
)


def deadline_after(seconds: float) -> float:
    """The deadline of a step starting now, never later than the one it runs inside."""
    deadline = time.monotonic() + seconds
    outer = step_deadline.get()
    return deadline if outer is None else min(outer, deadline)


def seconds_left(default: float) -> float:
    """Time left before the running step's deadline, at most `default`."""
    deadline = step_deadline.get()
    if deadline is None:
        return default
    return max(0.0, min(default, deadline - time.monotonic()))


class ExpressionError(Exception):
    """A template or expression failed while the run evaluated it."""


class Evaluable(Protocol):
    def evaluate(self, context: Mapping[str, Any]) -> Any: ...


@dataclass(frozen=True, slots=True)
class Constant:
    """A value with no template in it."""

    value: Any

    def evaluate(self, context: Mapping[str, Any]) -> Any:
        return self.value


@dataclass(frozen=True, slots=True)
class Template:
    """A compiled jinja template or expression."""

    source: str
    where: str
    kind: str  # "template" or "expression", for messages
    function: Callable[[Mapping[str, Any]], Any]

    def evaluate(self, context: Mapping[str, Any]) -> Any:
        try:
            return self.function(context)
        except ExpressionError:
            raise
        except Exception as exc:
            message = _describe(exc)
            raise ExpressionError(
                f"{self.where}: {self.kind} {self.source.strip()!r} failed: {message}"
            ) from exc


@dataclass(frozen=True, slots=True)
class MappingTemplate:
    """A mapping whose values contain templates."""

    items: tuple[tuple[str, Evaluable], ...]

    def evaluate(self, context: Mapping[str, Any]) -> Any:
        return {key: value.evaluate(context) for key, value in self.items}


@dataclass(frozen=True, slots=True)
class ListTemplate:
    """A list whose items contain templates."""

    items: tuple[Evaluable, ...]

    def evaluate(self, context: Mapping[str, Any]) -> Any:
        return [item.evaluate(context) for item in self.items]


def _describe(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    # jinja says "'dict object' has no attribute 'x'"; users think in steps and keys.
    return text.replace("'dict object'", "the mapping").replace("'list object'", "the list")
