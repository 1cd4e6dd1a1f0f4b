"""Telemetry set up with the SDK's in-memory exporter and metric reader."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


class Traced:
    """A Telemetry whose spans and metrics the test reads back."""

    def __init__(self, **config: Any) -> None:
        from agno_dsl.interpreter.sinks.otel_export import Telemetry, TelemetryConfig
        from opentelemetry.sdk.metrics.export import InMemoryMetricReader
        from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

        self.exporter = InMemorySpanExporter()
        self.reader = InMemoryMetricReader()
        self.telemetry = Telemetry(
            TelemetryConfig(**config), span_exporters=[self.exporter], metric_readers=[self.reader]
        )

    def spans(self) -> list[Any]:
        self.telemetry.flush()
        return list(self.exporter.get_finished_spans())

    def metrics(self) -> dict[str, list[Any]]:
        """Metric name → its data points."""
        data = self.reader.get_metrics_data()
        found: dict[str, list[Any]] = {}
        for resource in data.resource_metrics if data else []:
            for scope in resource.scope_metrics:
                for metric in scope.metrics:
                    found.setdefault(metric.name, []).extend(metric.data.data_points)
        return found


@pytest.fixture
def traced() -> Iterator[Traced]:
    traced = Traced()
    yield traced
    traced.telemetry.shutdown()


def children(spans: list[Any], parent: Any) -> list[Any]:
    """The spans whose parent is `parent`, in start order."""
    span_id = parent.context.span_id
    return sorted(
        (s for s in spans if s.parent is not None and s.parent.span_id == span_id),
        key=lambda s: s.start_time,
    )


def tree(spans: list[Any], root: Any) -> Any:
    """(name, [subtrees]) of `root`: the shape a test can compare whole."""
    return (root.name, [tree(spans, child) for child in children(spans, root)])


def roots(spans: list[Any]) -> list[Any]:
    return [s for s in spans if s.parent is None]
