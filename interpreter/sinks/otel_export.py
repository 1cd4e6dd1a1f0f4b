"""OpenTelemetry plumbing for runs: resource, tracer and meter providers, exporters.

Imported only when telemetry is on (the SDK is the `otel` extra). The
providers are ours, never the process-wide globals, so a program embedding
agno-dsl keeps its own OpenTelemetry setup; a span the program has open when
it starts a run still becomes the run's parent, through the context.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from ..errors import ConfigurationError
from .otel_metrics import RunMetrics
from .redaction import Redactor

try:  # lazy: the SDK is an optional extra
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import MetricReader, PeriodicExportingMetricReader
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor, TracerProvider
    from opentelemetry.sdk.trace.export import (
        BatchSpanProcessor,
        ConsoleSpanExporter,
        SpanExporter,
        SpanExportResult,
    )
    from opentelemetry.sdk.trace.id_generator import RandomIdGenerator
except ImportError as exc:  # pragma: no cover - exercised without the extra only
    raise ConfigurationError(
        f"telemetry needs the OpenTelemetry SDK ({exc.name} is missing): "
        "pip install 'agno-dsl[otel]'"
    ) from None

RUNTIME = "agno-dsl"
DEFAULT_SERVICE_NAME = "agno-dsl"


def project_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("agno-dsl")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0+unknown"


@dataclass
class TelemetryConfig:
    """Telemetry settings after the spec, the CLI and the environment have been merged."""

    exporter: str = "none"  # otlp | console | none | PATH.jsonl
    protocol: str | None = None  # http/protobuf | grpc; else OTEL_EXPORTER_OTLP_PROTOCOL
    endpoint: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    service_name: str | None = None
    resource_attributes: dict[str, str] = field(default_factory=dict)
    capture_content: bool = False
    metrics: bool = True
    user_id: str | None = None
    redactor: Redactor = field(default_factory=Redactor)


class ResumableIds(RandomIdGenerator):
    """Random ids, except that a resumed run's root span reuses its run's trace id."""

    def __init__(self) -> None:
        self.next_trace_id: int | None = None

    def generate_trace_id(self) -> int:
        if self.next_trace_id is not None:
            trace_id, self.next_trace_id = self.next_trace_id, None
            return trace_id
        return super().generate_trace_id()


def span_record(span: ReadableSpan) -> dict[str, Any]:
    """A finished span as plain JSON (agno's Span fields, plus events and links)."""
    context = span.context
    parent = span.parent
    start = span.start_time or 0
    end = span.end_time or start
    return {
        "trace_id": format(context.trace_id, "032x") if context else "",
        "span_id": format(context.span_id, "016x") if context else "",
        "parent_span_id": format(parent.span_id, "016x") if parent else None,
        "name": span.name,
        "span_kind": span.kind.name,
        "status_code": span.status.status_code.name,
        "status_message": span.status.description,
        "start_time": start,
        "end_time": end,
        "duration_ms": (end - start) / 1e6,
        "attributes": {k: _plain(v) for k, v in (span.attributes or {}).items()},
        "events": [
            {
                "name": e.name,
                "time": e.timestamp,
                "attributes": {k: _plain(v) for k, v in (e.attributes or {}).items()},
            }
            for e in span.events
        ],
        "links": [
            {
                "trace_id": format(link.context.trace_id, "032x"),
                "span_id": format(link.context.span_id, "016x"),
                "attributes": {k: _plain(v) for k, v in (link.attributes or {}).items()},
            }
            for link in span.links
        ],
    }


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


class SpanRecorder(SpanProcessor):
    """Keeps each finished span as a record, by trace, until the run's owner takes them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._spans: dict[str, list[dict[str, Any]]] = {}

    def on_end(self, span: ReadableSpan) -> None:
        record = span_record(span)
        with self._lock:
            self._spans.setdefault(record["trace_id"], []).append(record)

    def take(self, trace_id: str) -> list[dict[str, Any]]:
        with self._lock:
            return self._spans.pop(trace_id, [])


class JsonlSpanExporter(SpanExporter):
    """One JSON object per span, appended to a file (with the resource on each line)."""

    def __init__(self, path: str) -> None:
        self._stream: IO[str] = open(path, "a", encoding="utf-8")  # noqa: SIM115 - closed in shutdown
        self._lock = threading.Lock()

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        lines = []
        for span in spans:
            record = span_record(span)
            record["resource"] = dict(span.resource.attributes)
            lines.append(json.dumps(record, ensure_ascii=False, default=str) + "\n")
        with self._lock:
            self._stream.writelines(lines)
            self._stream.flush()
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        with self._lock:
            self._stream.close()


def _protocol(config: TelemetryConfig) -> str:
    return (
        config.protocol
        or os.environ.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL")
        or os.environ.get("OTEL_EXPORTER_OTLP_PROTOCOL")
        or "http/protobuf"
    )


def _otlp_exporters(config: TelemetryConfig) -> tuple[SpanExporter, Any]:
    """OTLP span and metric exporters; unset options come from the OTEL_* variables."""
    protocol = _protocol(config)
    headers = dict(config.headers) or None
    if protocol == "grpc":
        try:  # lazy: gRPC is heavy and only this protocol needs it
            from opentelemetry.exporter.otlp.proto.grpc.metric_exporter import (
                OTLPMetricExporter as GrpcMetrics,
            )
            from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import (
                OTLPSpanExporter as GrpcSpans,
            )
        except ImportError:
            raise ConfigurationError(
                "OTLP over gRPC needs its exporter: pip install 'agno-dsl[otel]'"
            ) from None
        endpoint = config.endpoint
        return GrpcSpans(endpoint=endpoint, headers=headers), GrpcMetrics(
            endpoint=endpoint, headers=headers
        )
    if protocol != "http/protobuf":
        raise ConfigurationError(f"OTLP protocol {protocol!r}: use http/protobuf or grpc")
    try:
        from opentelemetry.exporter.otlp.proto.http.metric_exporter import (
            OTLPMetricExporter as HttpMetrics,
        )
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import (
            OTLPSpanExporter as HttpSpans,
        )
    except ImportError:
        raise ConfigurationError(
            "OTLP over HTTP needs its exporter: pip install 'agno-dsl[otel]'"
        ) from None
    base = config.endpoint.rstrip("/") if config.endpoint else None
    return (
        HttpSpans(endpoint=f"{base}/v1/traces" if base else None, headers=headers),
        HttpMetrics(endpoint=f"{base}/v1/metrics" if base else None, headers=headers),
    )


class Telemetry:
    """The tracer, meter and exporters that the runs of one process share."""

    def __init__(
        self,
        config: TelemetryConfig,
        *,
        span_exporters: Sequence[SpanExporter] = (),
        metric_readers: Sequence[MetricReader] = (),
        record_spans: bool = True,
    ) -> None:
        self.config = config
        attributes: dict[str, Any] = {
            "service.version": project_version(),
            "agno.runtime": RUNTIME,
            **config.resource_attributes,
        }
        if config.service_name:
            attributes["service.name"] = config.service_name
        elif not os.environ.get("OTEL_SERVICE_NAME"):
            attributes["service.name"] = DEFAULT_SERVICE_NAME
        # Resource.create adds OTEL_RESOURCE_ATTRIBUTES / OTEL_SERVICE_NAME under ours.
        self.resource = Resource.create(attributes)
        self.ids = ResumableIds()
        # The sampler comes from OTEL_TRACES_SAMPLER(_ARG), as the SDK reads it.
        self.tracer_provider = TracerProvider(resource=self.resource, id_generator=self.ids)
        self.recorder: SpanRecorder | None = None
        if record_spans:
            self.recorder = SpanRecorder()
            self.tracer_provider.add_span_processor(self.recorder)
        exporters = list(span_exporters)
        readers = list(metric_readers)
        if config.exporter == "otlp":
            span_exporter, metric_exporter = _otlp_exporters(config)
            exporters.append(span_exporter)
            if config.metrics:
                readers.append(PeriodicExportingMetricReader(metric_exporter))
        elif config.exporter == "console":
            exporters.append(ConsoleSpanExporter(out=sys.stderr))
            if config.metrics:
                from opentelemetry.sdk.metrics.export import ConsoleMetricExporter

                readers.append(PeriodicExportingMetricReader(ConsoleMetricExporter(out=sys.stderr)))
        elif config.exporter.endswith(".jsonl"):
            exporters.append(JsonlSpanExporter(config.exporter))
        for exporter in exporters:
            self.tracer_provider.add_span_processor(BatchSpanProcessor(exporter))
        self.tracer = self.tracer_provider.get_tracer("agno_dsl", project_version())
        self.meter_provider: MeterProvider | None = None
        # Instruments are made once per process, whatever the number of runs.
        self.run_metrics: RunMetrics | None = None
        if readers:
            self.meter_provider = MeterProvider(resource=self.resource, metric_readers=readers)
            meter = self.meter_provider.get_meter("agno_dsl", project_version())
            self.run_metrics = RunMetrics(meter)

    def flush(self) -> None:
        """Export everything finished so far (the end of a run, before the CLI exits)."""
        self.tracer_provider.force_flush()
        if self.meter_provider is not None:
            self.meter_provider.force_flush()

    def shutdown(self) -> None:
        """Export what is left and stop. Spans and metrics leave side by side, so a
        collector that does not answer costs one export timeout, not two."""
        meters = None
        if self.meter_provider is not None:
            meters = threading.Thread(target=self.meter_provider.shutdown, daemon=True)
            meters.start()
        self.tracer_provider.shutdown()
        if meters is not None:
            meters.join()
