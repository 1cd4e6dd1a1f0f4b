"""The one error type of the front end: a list of located problems."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Location:
    """A place in a spec file; line and column start at 1."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a spec, rendered as a single line."""

    message: str
    location: Location | None = None
    hint: str | None = None

    def __str__(self) -> str:
        text = f"{self.location}: {self.message}" if self.location else self.message
        return f"{text} (hint: {self.hint})" if self.hint else text

    def sort_key(self) -> tuple[str, int, int, str]:
        loc = self.location
        return (loc.file, loc.line, loc.col, self.message) if loc else ("", 0, 0, self.message)


class SpecError(Exception):
    """A spec is invalid; `problems` lists every problem found, in file order."""

    def __init__(self, problems: list[Problem]) -> None:
        unique = {str(problem): problem for problem in problems}
        self.problems = sorted(unique.values(), key=Problem.sort_key)
        super().__init__("\n".join(str(problem) for problem in self.problems))


class UsageError(Exception):
    """The call does not say what to run, or names something that does not exist."""
