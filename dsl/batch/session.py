"""Starting or resuming a batch: the batch record, the spec, the executor, the driver."""

from __future__ import annotations

import time
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from ..interpreter.storage import Storage
from ..interpreter.storage.batch_tables import batch_store
from ..interpreter.storage.batches import BatchRecord
from ..loader import Document
from .driver import BatchSettings, Driver, save_status
from .inputs import InputMapper, check_inputs_file, count_rows
from .progress import ProgressBar, Tally
from .rows import RowRunner


class BatchStateError(Exception):
    """The batch cannot be resumed: unknown, or its spec changed."""


def input_mapper(document: Document, kind: str, target: str, message_field: str | None) -> Any:
    """Rows → inputs of `target`, checked against its input schema."""
    from ..overrides import compiler_for

    compiler = compiler_for(document, None)
    if kind == "workflow" and message_field is None:
        plan = compiler.workflow(target)
        schema, where = plan.input_schema, plan.input_schema_where
    elif kind == "agent":
        plan = compiler.agent(target)
        schema, where = plan.input_schema, plan.where
    else:
        schema, where = None, ""
    return InputMapper(kind, message_field, schema, where, f"{kind} '{target}'")


def new_record(document: Document, kind: str, target: str, inputs: Path) -> BatchRecord:
    from ..interpreter.context import new_id
    from ..runs import spec_hash

    check_inputs_file(inputs)
    now = time.time()
    return BatchRecord(
        batch_id=new_id(),
        spec_path=str(document.path.resolve()),
        spec_hash=spec_hash(document.path),
        kind=kind,
        target=target,
        inputs=str(inputs.resolve()),
        status="running",
        created_at=now,
        updated_at=now,
        total=count_rows(inputs),
    )


async def find_batch(storage: Storage, batch_id: str, force: bool) -> BatchRecord:
    """The record of a batch to resume, its spec and inputs checked."""
    from ..runs import spec_hash

    record = await (await batch_store(storage)).get_batch(batch_id)
    if record is None:
        raise BatchStateError(f"no batch {batch_id} in {storage.display_url}")
    spec = Path(record.spec_path)
    if not spec.is_file():
        raise BatchStateError(f"batch {batch_id}: its spec {spec} no longer exists")
    if spec_hash(spec) != record.spec_hash and not force:
        raise BatchStateError(
            f"batch {batch_id}: {spec} changed since the batch started; "
            "pass --force to resume with the new spec"
        )
    check_inputs_file(Path(record.inputs))
    return record


async def execute_batch(
    storage: Storage,
    document: Document,
    record: BatchRecord,
    settings: BatchSettings,
    resuming: bool,
    tally: Tally,
    show_progress: bool,
    run_row: Any = None,
) -> str:
    """Run the batch's unfinished rows (on this machine unless `run_row` sends them
    elsewhere, as the Ray executor does); the final status."""
    store = await batch_store(storage)
    record.options = settings.to_json()
    await save_status(store, record, "running")
    mapper = input_mapper(document, record.kind, record.target, settings.message_field)
    runner = RowRunner(
        document, record.kind, record.target, record.batch_id, storage, settings.models
    )
    bar = ProgressBar(tally, record.batch_id) if show_progress else None
    driver = Driver(
        store,
        record,
        settings,
        mapper,
        run_row or runner.run,
        tally,
        resuming,
        on_tick=bar.update if bar is not None else None,
    )
    status = "interrupted"
    try:
        with bar if bar is not None else nullcontext():
            status = await driver.run()
        return status
    except BaseException as exc:
        from .driver import BatchAborted

        status = "aborted" if isinstance(exc, BatchAborted) else "interrupted"
        raise
    finally:
        import asyncio
        import contextlib

        with contextlib.suppress(Exception):
            await asyncio.shield(save_status(store, record, status))
