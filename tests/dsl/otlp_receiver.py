"""OTLP receivers on 127.0.0.1 for the telemetry tests: HTTP and gRPC, decoded with
the official opentelemetry-proto messages."""

from __future__ import annotations

import gzip
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class HttpReceiver:
    """Collects the raw bodies and headers POSTed to /v1/traces and /v1/metrics."""

    def __init__(self) -> None:
        self.bodies: dict[str, list[bytes]] = {"/v1/traces": [], "/v1/metrics": []}
        self.headers: list[dict[str, str]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                receiver.bodies.setdefault(self.path, []).append(body)
                receiver.headers.append(dict(self.headers))
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> HttpReceiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()

    def spans(self) -> list[tuple[Any, Any]]:
        return decode_spans(self.bodies["/v1/traces"])

    def raw(self) -> bytes:
        return b"".join(b for bodies in self.bodies.values() for b in bodies)


class GrpcReceiver:
    """An OTLP gRPC server with the trace and metrics services."""

    def __init__(self) -> None:
        from concurrent import futures

        import grpc
        from opentelemetry.proto.collector.metrics.v1 import (
            metrics_service_pb2,
            metrics_service_pb2_grpc,
        )
        from opentelemetry.proto.collector.trace.v1 import (
            trace_service_pb2,
            trace_service_pb2_grpc,
        )

        self.bodies: list[bytes] = []
        self.metric_bodies: list[bytes] = []
        self.metadata: list[dict[str, str]] = []
        receiver = self

        class Traces(trace_service_pb2_grpc.TraceServiceServicer):
            def Export(self, request: Any, context: Any) -> Any:  # noqa: N802 - gRPC's name
                receiver.bodies.append(request.SerializeToString())
                receiver.metadata.append(dict(context.invocation_metadata()))
                return trace_service_pb2.ExportTraceServiceResponse()

        class Metrics(metrics_service_pb2_grpc.MetricsServiceServicer):
            def Export(self, request: Any, context: Any) -> Any:  # noqa: N802 - gRPC's name
                receiver.metric_bodies.append(request.SerializeToString())
                return metrics_service_pb2.ExportMetricsServiceResponse()

        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
        trace_service_pb2_grpc.add_TraceServiceServicer_to_server(Traces(), self.server)
        metrics_service_pb2_grpc.add_MetricsServiceServicer_to_server(Metrics(), self.server)
        port = self.server.add_insecure_port("127.0.0.1:0")
        self.endpoint = f"http://127.0.0.1:{port}"

    def __enter__(self) -> GrpcReceiver:
        self.server.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.stop(grace=None)

    def spans(self) -> list[tuple[Any, Any]]:
        return decode_spans(self.bodies)

    def raw(self) -> bytes:
        return b"".join(self.bodies + self.metric_bodies)


def decode_spans(bodies: list[bytes]) -> list[tuple[Any, Any]]:
    """(resource, span) pairs of every ExportTraceServiceRequest body."""
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
        ExportTraceServiceRequest,
    )

    found = []
    for body in bodies:
        request = ExportTraceServiceRequest.FromString(body)
        for resource_spans in request.resource_spans:
            for scope_spans in resource_spans.scope_spans:
                for span in scope_spans.spans:
                    found.append((resource_spans.resource, span))
    return found


def attributes(proto_attributes: Any) -> dict[str, Any]:
    """An OTLP KeyValue list as a dict of plain values."""
    values: dict[str, Any] = {}
    for item in proto_attributes:
        kind = item.value.WhichOneof("value")
        value = getattr(item.value, kind) if kind else None
        if kind == "array_value":
            value = [getattr(v, v.WhichOneof("value")) for v in value.values]
        values[item.key] = value
    return values
