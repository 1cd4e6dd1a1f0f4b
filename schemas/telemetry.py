"""The `telemetry:` section: OpenTelemetry traces and metrics of every run.

Everything here can also come from the standard `OTEL_*` environment
variables (endpoint, headers, protocol, sampler, service name); what the spec
says wins over the environment, and `agno-dsl run --trace` wins over both.
"""

from typing import Literal

from pydantic import Field, field_validator
from pydantic_core import PydanticCustomError

from .base import SpecModel

EXPORTERS = ("otlp", "console", "none")


class Telemetry(SpecModel):
    """OpenTelemetry settings; the section being present turns telemetry on."""

    enabled: bool = Field(True, description="Set false to keep the section but record nothing.")
    service_name: str | None = Field(
        None, description="Resource service.name; else OTEL_SERVICE_NAME, else agno-dsl."
    )
    exporter: str = Field(
        "none",
        description=(
            "Where spans go besides storage: otlp, console, none, or a FILE.jsonl path "
            "(one span per line)."
        ),
    )
    protocol: Literal["http/protobuf", "grpc"] | None = Field(
        None, description="OTLP protocol; else OTEL_EXPORTER_OTLP_PROTOCOL, else http/protobuf."
    )
    endpoint: str | None = Field(
        None, description="OTLP endpoint; else OTEL_EXPORTER_OTLP_ENDPOINT (or its default)."
    )
    headers: dict[str, str] = Field(
        default_factory=dict,
        description="Extra OTLP headers (write values as ${ENV}); never put in spans.",
    )
    capture_content: bool = Field(
        False,
        description=(
            "Record inputs, outputs, tool arguments and results on spans (the GenAI "
            "conventions' opt-in); off by default."
        ),
    )
    mask_pii: bool = Field(
        False, description="Mask e-mail addresses, phone and card numbers in captured content."
    )
    redact: list[str] = Field(
        default_factory=list,
        description="More environment variables whose values must never leave the process.",
    )
    metrics: bool = Field(True, description="Export OpenTelemetry metrics too.")
    resource_attributes: dict[str, str] = Field(
        default_factory=dict, description="Extra resource attributes (deployment, team…)."
    )
    user_id: str | None = Field(None, description="user.id put on every run's spans.")

    @field_validator("exporter")
    @classmethod
    def _known_exporter(cls, value: str) -> str:
        if value in EXPORTERS or value.endswith(".jsonl"):
            return value
        raise PydanticCustomError(
            "telemetry_exporter", "write otlp, console, none or a file name ending in .jsonl"
        )
