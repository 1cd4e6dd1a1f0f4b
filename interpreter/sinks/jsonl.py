"""Event sinks that write somewhere: a JSON Lines file."""

from __future__ import annotations

import json
from typing import IO

from ...schemas.events import Event


class JsonlSink:
    """Appends one JSON object per event and flushes it, so a killed run keeps its log."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream

    def __call__(self, event: Event) -> None:
        self.stream.write(json.dumps(event.to_dict(), ensure_ascii=False, default=str) + "\n")
        self.stream.flush()
