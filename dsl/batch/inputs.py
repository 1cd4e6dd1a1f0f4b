"""Rows of an inputs file (JSON Lines, CSV, Parquet), and how a row becomes a run's input.

Rows are read lazily, one at a time, so a large file is never held whole. A
row that cannot be read (bad JSON, a CSV line with the wrong number of
fields) or mapped to an input (missing message field, input schema violated)
is a `BadRow` that names its place in the file and the reason.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FORMATS = (".jsonl", ".ndjson", ".csv", ".parquet")


class InputsError(Exception):
    """The inputs file cannot be read at all (missing, unknown format, no pyarrow)."""


@dataclass(slots=True)
class Row:
    """One readable row of the inputs file."""

    index: int  # 0-based position among the file's rows: a row's identity in the batch
    value: Any
    where: str  # file:line (or file: row N for Parquet)


@dataclass(slots=True)
class BadRow:
    """A row that cannot become an input: where it is and why."""

    index: int
    where: str  # file:line (or file: row N for Parquet)
    reason: str

    def message(self) -> str:
        return f"{self.where}: row {self.index} {self.reason}"


def check_inputs_file(path: Path) -> None:
    """Fail early, with one line, on what would stop every row."""
    if not path.is_file():
        raise InputsError(f"--inputs {path}: no such file")
    if path.suffix.lower() not in FORMATS:
        raise InputsError(
            f"--inputs {path}: unknown format {path.suffix or '(no extension)'}; "
            "use .jsonl, .csv or .parquet"
        )
    if path.suffix.lower() == ".parquet":
        _pyarrow(path)


def _pyarrow(path: Path) -> Any:
    try:
        import pyarrow.parquet
    except ImportError:
        raise InputsError(
            f"--inputs {path}: reading Parquet needs pyarrow: pip install 'agno-dsl[batch]'"
        ) from None
    return pyarrow.parquet


def count_rows(path: Path) -> int:
    """How many rows the file holds (for the progress bar's ETA)."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return int(_pyarrow(path).ParquetFile(path).metadata.num_rows)
    with path.open("rb") as file:
        lines = sum(1 for line in file if line.strip())
    return max(lines - 1, 0) if suffix == ".csv" else lines


def read_rows(path: Path) -> Iterator[Row | BadRow]:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _csv_rows(path)
    if suffix == ".parquet":
        return _parquet_rows(path)
    return _jsonl_rows(path)


def _jsonl_rows(path: Path) -> Iterator[Row | BadRow]:
    index = 0
    with path.open(encoding="utf-8", errors="replace") as file:
        for number, line in enumerate(file, start=1):
            if not line.strip():
                continue
            try:
                yield Row(index, json.loads(line), f"{path.name}:{number}")
            except json.JSONDecodeError as exc:
                yield BadRow(index, f"{path.name}:{number}", f"is not JSON: {exc.msg}")
            index += 1


def _csv_rows(path: Path) -> Iterator[Row | BadRow]:
    with path.open(encoding="utf-8", errors="replace", newline="") as file:
        reader = csv.reader(file)
        header = next(reader, None)
        if header is None:
            return
        index = 0
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            where = f"{path.name}:{reader.line_num}"
            if len(cells) != len(header):
                reason = f"has {len(cells)} fields, the header has {len(header)}"
                yield BadRow(index, where, reason)
            else:
                yield Row(index, dict(zip(header, cells, strict=True)), where)
            index += 1


def _parquet_rows(path: Path) -> Iterator[Row | BadRow]:
    index = 0
    for batch in _pyarrow(path).ParquetFile(path).iter_batches(batch_size=1024):
        for value in batch.to_pylist():
            yield Row(index, value, f"{path.name}: row {index}")
            index += 1


class InputMapper:
    """Turns a row into the run's input: a message field, or the row as the
    workflow's input, checked against the target's input schema."""

    def __init__(
        self, kind: str, message_field: str | None, schema: Any, where: str, what: str = ""
    ) -> None:
        self.kind = kind
        self.what = what or kind
        self.message_field = message_field
        self.schema = schema
        self.where = where
        self._validator: Any = None
        if schema is not None:
            from jsonschema import Draft202012Validator

            # One validator for every row: building it per row would cost more than a run.
            self._validator = Draft202012Validator(schema)

    def __call__(self, row: Row) -> Any:
        """The input for `row`, or a BadRow saying why there is none."""
        value, where = row.value, row.where
        if self.message_field is not None:
            if not isinstance(value, dict) or self.message_field not in value:
                return BadRow(row.index, where, f"has no field '{self.message_field}'")
            value = value[self.message_field]
        elif self.kind != "workflow" and isinstance(value, dict):
            if len(value) == 1:
                value = next(iter(value.values()))
            elif "message" in value:
                value = value["message"]
            else:
                fields = ", ".join(map(str, value)) or "none"
                return BadRow(
                    row.index, where, f"has fields {fields}; choose one with --message-field"
                )
        if self._validator is not None and not self._validator.is_valid(value):
            from ..interpreter.errors import InputCheckError
            from ..interpreter.inputs import check_input

            try:
                check_input(self.schema, value, self.where, self.what)
            except InputCheckError as exc:
                return BadRow(row.index, where, f"violates the input schema: {exc}")
        return value
