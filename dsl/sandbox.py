"""The jinja environment templates run in: sandboxed, immutable, and on a budget.

jinja's SandboxedEnvironment keeps templates away from Python internals; on
top of it we keep them away from the machine's memory and time:

- templates cannot change what they read (`state`, `input`, outputs): the
  immutable sandbox refuses `append`, `update`, `pop` and friends;
- arithmetic and string operators are intercepted, which also stops jinja
  from folding constant expressions at compile time (`{{ 'x' * 10**9 }}`
  would otherwise be built while the spec is only being loaded); the
  operators refuse results larger than MAX_OUTPUT characters or items, and
  integers of more than MAX_INT_BITS bits;
- padding and width arguments (`center`, `indent`, `'%9999999d'`, `'{:>…}'`)
  and `replace`/`join` are checked before they allocate;
- every call, loop iteration and output chunk counts against MAX_WORK, and
  evaluation stops at the running step's deadline (its `timeout`), so
  nested `range` loops cannot hold the event loop.

Exceeding a budget raises TemplateLimitError, which the caller turns into a
located one-line error.
"""

from __future__ import annotations

import contextvars
import functools
import math
import re
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.visitor import NodeTransformer

from .interpreter.expressions import step_deadline

MAX_OUTPUT = 10_000_000  # characters of a string, items of a list, a render's total output
MAX_INT_BITS = 4_096  # about 1,233 decimal digits
MAX_WORK = 1_000_000  # calls, loop iterations and output chunks in one evaluation
_CHECK_CLOCK_EVERY = 1_024


class TemplateLimitError(Exception):
    """A template went over one of the sandbox's budgets."""


class _Budget:
    __slots__ = ("work", "deadline")

    def __init__(self, deadline: float | None) -> None:
        self.work = 0
        self.deadline = deadline

    def tick(self) -> None:
        self.work += 1
        if self.work > MAX_WORK:
            raise TemplateLimitError(f"more than {MAX_WORK:,} operations (calls, loop iterations)")
        if (
            self.deadline is not None
            and self.work % _CHECK_CLOCK_EVERY == 0
            and time.monotonic() > self.deadline
        ):
            raise TemplateLimitError("still running at the step's timeout")


_BUDGET: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar(
    "agno_dsl_template_budget", default=None
)


def _tick() -> None:
    budget = _BUDGET.get()
    if budget is not None:
        budget.tick()


def budgeted(function: Callable[[], Any]) -> Any:
    """Run one evaluation of a template with a fresh budget (nested evaluations share it)."""
    if _BUDGET.get() is not None:
        return function()
    token = _BUDGET.set(_Budget(step_deadline.get()))
    try:
        return function()
    finally:
        _BUDGET.reset(token)


def render_bounded(chunks: Iterable[str]) -> str:
    """Join a template's output, refusing more than MAX_OUTPUT characters."""
    parts: list[str] = []
    size = 0
    for chunk in chunks:
        _tick()
        size += len(chunk)
        if size > MAX_OUTPUT:
            raise TemplateLimitError(f"output longer than {MAX_OUTPUT:,} characters")
        parts.append(chunk)
    return "".join(parts)


def _sized(value: Any) -> Any:
    if isinstance(value, str | bytes | list | tuple) and len(value) > MAX_OUTPUT:
        raise TemplateLimitError(
            f"a value of {len(value):,} characters or items; the limit is {MAX_OUTPUT:,}"
        )
    return value


def _check_int(value: Any) -> Any:
    if _is_int(value) and value.bit_length() > MAX_INT_BITS:
        raise TemplateLimitError(f"an integer of more than {MAX_INT_BITS:,} bits")
    return value


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _multiply(left: Any, right: Any) -> Any:
    if _is_int(left) and _is_int(right):
        if left.bit_length() + right.bit_length() > MAX_INT_BITS + 1:
            raise TemplateLimitError(f"an integer of more than {MAX_INT_BITS:,} bits")
        return left * right
    for sequence, count in ((left, right), (right, left)):
        sized = isinstance(sequence, str | list | tuple | bytes) and _is_int(count)
        if sized and len(sequence) * max(count, 0) > MAX_OUTPUT:
            raise TemplateLimitError(
                f"repeating {len(sequence):,} items {count:,} times; "
                f"the limit is {MAX_OUTPUT:,} characters or items"
            )
    return left * right


def _power(left: Any, right: Any) -> Any:
    huge = _is_int(left) and _is_int(right) and right > 0 and abs(left) > 1
    if huge and right * math.log2(abs(left)) > MAX_INT_BITS:
        raise TemplateLimitError(
            f"{left} ** {right} has more than {MAX_INT_BITS:,} bits; "
            "templates compute with modest numbers"
        )
    return left**right


# The width/precision of a %-format or {}-format field.
_PERCENT_WIDTH = re.compile(r"%[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")
_BRACE_WIDTH = re.compile(r"\{[^{}]*?:[^{}]*?(\d+)(?:\.(\d+))?[^{}]*\}")


def _check_widths(pattern: Any, regex: re.Pattern[str]) -> None:
    if not isinstance(pattern, str):
        return
    for match in regex.finditer(pattern):
        for group in match.groups():
            if group and group.isdigit() and int(group) > MAX_OUTPUT:
                raise TemplateLimitError(f"a format width of {group}; the limit is {MAX_OUTPUT:,}")
            if group == "*":
                raise TemplateLimitError("'*' widths are not supported in templates")


def _modulo(left: Any, right: Any) -> Any:
    if isinstance(left, str):
        _check_widths(left, _PERCENT_WIDTH)
        return _sized(left % right)
    return left % right


def _add(left: Any, right: Any) -> Any:
    sequences = isinstance(left, str | list | tuple) and isinstance(right, str | list | tuple)
    if sequences and len(left) + len(right) > MAX_OUTPUT:
        raise TemplateLimitError(f"a value longer than {MAX_OUTPUT:,} characters or items")
    return _check_int(left + right)


_BINOPS: dict[str, Callable[[Any, Any], Any]] = {
    "*": _multiply,
    "**": _power,
    "%": _modulo,
    "+": _add,
    "-": lambda left, right: left - right,
    "/": lambda left, right: left / right,
    "//": lambda left, right: left // right,
}


def _check_replace(text: Any, old: Any, new: Any, count: Any = -1) -> None:
    if not (isinstance(text, str) and isinstance(old, str) and isinstance(new, str)):
        return
    occurrences = len(text) + 1 if old == "" else (text.count(old) if new else 0)
    if isinstance(count, int) and count >= 0:
        occurrences = min(occurrences, count)
    if len(text) + occurrences * len(new) > MAX_OUTPUT:
        raise TemplateLimitError(f"replace() would make more than {MAX_OUTPUT:,} characters")


def _check_join(separator: Any, items: Any) -> None:
    sized = isinstance(separator, str) and hasattr(items, "__len__")
    if sized and len(separator) * len(items) > MAX_OUTPUT:
        raise TemplateLimitError(f"join() would make more than {MAX_OUTPUT:,} characters")


def _check_width_argument(value: Any, what: str) -> None:
    if _is_int(value) and value > MAX_OUTPUT:
        raise TemplateLimitError(f"{what} of {value:,}; the limit is {MAX_OUTPUT:,}")


def _check_string_method(target: str, method: str, args: tuple[Any, ...], kwargs: Any) -> None:
    """Refuse a str method call that would allocate past the limit."""
    values = (*args, *kwargs.values())
    if method in ("center", "ljust", "rjust", "zfill") and values:
        _check_width_argument(values[0], f"{method}() width")
    elif method == "expandtabs" and values and _is_int(values[0]):
        _check_width_argument(len(target) * values[0], "expandtabs() result")
    elif method == "replace" and len(values) >= 2:
        _check_replace(target, *values[:3])
    elif method == "join" and values:
        _check_join(target, values[0])
    elif method in ("format", "format_map"):
        _check_widths(target, _BRACE_WIDTH)


def _guard_filters(filters: dict[str, Callable[..., Any]]) -> None:
    """Wrap the built-in filters that take a size, so they cannot allocate past the limit."""

    def wrap(name: str, check: Callable[..., None]) -> None:
        original = filters[name]

        @functools.wraps(original)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            check(*args, **kwargs)
            return _sized(original(*args, **kwargs))

        filters[name] = guarded

    def width(position: int, keyword: str, what: str) -> Callable[..., None]:
        def check(*args: Any, **kwargs: Any) -> None:
            value = kwargs.get(keyword, args[position] if len(args) > position else None)
            _check_width_argument(value, what)

        return check

    wrap("center", width(1, "width", "center width"))
    wrap("indent", width(1, "width", "indent width"))
    wrap("wordwrap", width(2, "width", "wordwrap width"))
    wrap("truncate", width(2, "length", "truncate length"))
    wrap("batch", width(1, "linecount", "batch size"))
    wrap("slice", width(1, "slices", "slice count"))
    wrap("format", lambda value, *args, **kwargs: _check_widths(value, _PERCENT_WIDTH))
    wrap(
        "replace",
        lambda eval_ctx, value, old, new, count=None: _check_replace(
            str(value), str(old), str(new), -1 if count is None else count
        ),
    )
    wrap(
        "join",
        lambda eval_ctx, value, d="", attribute=None: _check_join(
            str(d), value if hasattr(value, "__len__") else ()
        ),
    )


def _iterate(iterable: Any) -> Iterator[Any]:
    """What a `{% for %}` loop walks: the same items, each counted against the budget."""
    for item in iterable:
        _tick()
        yield item


class _Generator(CodeGenerator):
    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        # `a ~ b` goes through the environment's bounded join, like every buffer.
        self.write("environment.concat((")
        for argument in node.nodes:
            self.visit(argument, frame)
            self.write(", ")
        self.write("))")


class _CountLoops(NodeTransformer):
    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        node.iter = nodes.Call(nodes.Name("_agno_dsl_iterate", "load"), [node.iter], [], None, None)
        if node.environment is not None:
            node.iter.set_environment(node.environment)
        node.iter.set_lineno(node.lineno)
        return node


class BudgetedEnvironment(ImmutableSandboxedEnvironment):
    """ImmutableSandboxedEnvironment with bounded operators, filters, loops and output."""

    intercepted_binops = frozenset(_BINOPS)
    code_generator_class = _Generator

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.globals.pop("lipsum", None)  # generates text of any size on request
        self.globals["_agno_dsl_iterate"] = _iterate
        self.filters = dict(self.filters)
        _guard_filters(self.filters)

    def concat(self, parts: Iterable[Any]) -> str:  # type: ignore[override]
        return render_bounded(str(part) for part in parts)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        _tick()
        return _BINOPS[operator](left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        _tick()
        # str.format reaches us wrapped by the sandbox's formatter.
        method = getattr(__obj, "__wrapped__", __obj)
        target = getattr(method, "__self__", None)
        if isinstance(target, str):
            _check_string_method(target, getattr(method, "__name__", ""), args, kwargs)
        return _sized(super().call(__context, __obj, *args, **kwargs))

    def _generate(self, source: nodes.Template, *args: Any, **kwargs: Any) -> str:
        return super()._generate(_CountLoops().visit(source), *args, **kwargs)  # type: ignore[no-any-return]


def fold_constants(tree: nodes.Node, environment: BudgetedEnvironment) -> str | None:
    """Evaluate the constant arithmetic in a template as the run would, within budget.

    A template whose constants alone break a budget (`'x' * 10**9`) is
    reported while the spec is checked, not when it runs; anything else a
    constant does wrong (a division by zero) is left to the run.
    """
    top = [n for n in tree.find_all((nodes.BinExpr, nodes.UnaryExpr))]
    inner = {id(child) for n in top for child in n.iter_child_nodes()}
    for node in top:
        if id(node) in inner:
            continue
        try:
            budgeted(functools.partial(_constant, node, environment))
        except TemplateLimitError as exc:
            return str(exc)
        except Exception:  # noqa: BLE001 - not constant, or wrong in a way the run reports
            continue
    return None


class _NotConstant(Exception):
    pass


def _constant(node: nodes.Node, environment: BudgetedEnvironment) -> Any:
    if isinstance(node, nodes.Const):
        return node.value
    if isinstance(node, nodes.BinExpr):
        left = _constant(node.left, environment)
        right = _constant(node.right, environment)
        if node.operator in _BINOPS:
            return environment.call_binop(None, node.operator, left, right)
        raise _NotConstant
    if isinstance(node, nodes.Neg | nodes.Pos):
        value = _constant(node.node, environment)
        return -value if isinstance(node, nodes.Neg) else value
    if isinstance(node, nodes.List | nodes.Tuple):
        return [_constant(item, environment) for item in node.items]
    raise _NotConstant
