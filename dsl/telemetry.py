"""Telemetry of the runs the API and the CLI start: settings, the sink, spans into storage.

Telemetry is on when the spec has a `telemetry:` section (not `enabled:
false`), when `--trace` / `trace=` asks for an exporter, or when the caller
passes its own `Telemetry` (tests, benchmarks, programs with their own
exporters). Off, nothing of OpenTelemetry is imported.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from .loader import Document

if TYPE_CHECKING:
    from .interpreter.sinks.otel import OtelSink
    from .interpreter.sinks.otel_export import Telemetry, TelemetryConfig
    from .interpreter.storage import Storage

# One Telemetry per settings for the whole process: providers and their export
# threads are made once, not per run (a server starts many runs).
_SHARED: dict[tuple[Any, ...], Telemetry] = {}


def telemetry_config(document: Document, trace: str | None = None) -> TelemetryConfig | None:
    """The merged settings, or None when telemetry is off for this run."""
    section = document.spec.telemetry
    if trace is None and (section is None or not section.enabled):
        return None
    # lazy: only a traced run loads the SDK
    from .interpreter.sinks.otel_export import TelemetryConfig
    from .interpreter.sinks.redaction import Redactor, secret_values

    secrets = secret_values(
        document.env_references, dict(os.environ), section.redact if section else ()
    )
    headers = dict(section.headers) if section else {}
    secrets.update(headers.values())
    # The exporter's own credentials (OTEL_EXPORTER_OTLP_HEADERS) must not be copied into spans.
    for variable in ("OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_TRACES_HEADERS"):
        for pair in os.environ.get(variable, "").split(","):
            if "=" in pair:
                value = pair.split("=", 1)[1].strip()
                secrets.update((value, unquote(value)))  # the variable holds them URL-encoded
    return TelemetryConfig(
        exporter=trace or (section.exporter if section else "none"),
        protocol=section.protocol if section else None,
        endpoint=section.endpoint if section else None,
        headers=headers,
        service_name=section.service_name if section else None,
        resource_attributes=dict(section.resource_attributes) if section else {},
        capture_content=section.capture_content if section else False,
        metrics=section.metrics if section else True,
        user_id=section.user_id if section else None,
        redactor=Redactor(secrets, mask_pii=section.mask_pii if section else False),
    )


def shared_telemetry(config: TelemetryConfig) -> Telemetry:
    """The process's Telemetry for these settings, made on first use."""
    from .interpreter.sinks.otel_export import Telemetry

    redactor = config.redactor
    key = (
        config.exporter,
        config.protocol,
        config.endpoint,
        tuple(sorted(config.headers.items())),
        config.service_name,
        tuple(sorted(config.resource_attributes.items())),
        config.capture_content,
        config.metrics,
        config.user_id,
        tuple(redactor.secrets),
        redactor.mask_pii,
    )
    telemetry = _SHARED.get(key)
    if telemetry is None:
        telemetry = _SHARED[key] = Telemetry(config)
    return telemetry


def shutdown_all() -> None:
    """Export what every shared Telemetry holds and stop it (the CLI, before it exits).

    Shutting down exports once; a flush and then the SDK's own shutdown at exit
    would export twice, and wait twice for a collector that does not answer.
    """
    while _SHARED:
        _, telemetry = _SHARED.popitem()
        telemetry.shutdown()


class RunTracing:
    """The telemetry of one run: its sink, and its spans saved beside it in storage."""

    def __init__(self, telemetry: Telemetry) -> None:
        self.telemetry = telemetry
        self.sink: OtelSink | None = None

    def listener(self, resume_from: tuple[str, str] | None = None) -> OtelSink:
        from .interpreter.sinks.otel import OtelSink

        self.sink = OtelSink(self.telemetry, resume_from=resume_from)
        return self.sink

    async def save(self, storage: Storage, run_id: str) -> None:
        """Store the run's finished spans, so `agno-dsl runs trace` can draw them."""
        recorder = self.telemetry.recorder
        if self.sink is None or recorder is None:
            return
        trace_id = self.sink.trace_ids.get(run_id)
        if trace_id is not None:
            await storage.save_spans(run_id, recorder.take(trace_id))

    def discard(self) -> None:
        """Forget the spans of a run that is stored nowhere (they were exported)."""
        recorder = self.telemetry.recorder
        if self.sink is not None and recorder is not None:
            for trace_id in self.sink.trace_ids.values():
                recorder.take(trace_id)


async def resume_point(storage: Storage, run_id: str) -> tuple[str, str] | None:
    """(trace id, span id) of the run's latest root span, which a resumed run links to."""
    roots = [s for s in await storage.load_spans(run_id) if not s.get("parent_span_id")]
    if not roots:
        return None
    return roots[-1]["trace_id"], roots[-1]["span_id"]


def run_tracing(
    document: Document, trace: str | None, telemetry: Telemetry | None
) -> RunTracing | None:
    """The tracing of a run about to start, or None when telemetry is off."""
    if telemetry is None:
        config = telemetry_config(document, trace)
        if config is None:
            return None
        telemetry = shared_telemetry(config)
    return RunTracing(telemetry)
