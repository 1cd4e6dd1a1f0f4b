"""The results file: one JSON line per row, in input order, whatever order rows finish in."""

from __future__ import annotations

import json
import sys
from typing import IO, Any

from ..interpreter.storage.batches import BatchRow


class OrderedResults:
    """Writes row i once rows 0..i-1 are written; holds the ones that finished early."""

    def __init__(self, path: str | None) -> None:
        self.path = path
        # A resumed batch rewrites the whole file: earlier rows come from storage.
        self._file: IO[str] = open(path, "w", encoding="utf-8") if path else sys.stdout  # noqa: SIM115
        self._waiting: dict[int, BatchRow] = {}
        self.next_index = 0

    def add(self, row: BatchRow) -> None:
        self._waiting[row.index] = row
        if row.index != self.next_index:
            return
        lines: list[str] = []
        while self.next_index in self._waiting:
            lines.append(_line(self._waiting.pop(self.next_index)))
            self.next_index += 1
        self._file.write("".join(lines))
        self._file.flush()

    def close(self) -> None:
        if self._file is not sys.stdout:
            self._file.close()


def _line(row: BatchRow) -> str:
    data: dict[str, Any] = row.to_json()
    return json.dumps(data, ensure_ascii=False, default=str) + "\n"
