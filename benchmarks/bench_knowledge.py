"""Embedded vector store candidates for `knowledge:`, measured side by side.

For each candidate, in a process of its own: cold import time, load
throughput (10k chunks of 256-dimension hashing vectors, inserted in
batches of 100 as a per-file load does), search p50/p95 over 100 queries
(top 10, exact), and the install size it adds to our environment.

    python benchmarks/bench_knowledge.py [--chunks 10000] [--extra-path DIR ...]

`--extra-path` is a `pip install --target` directory holding a candidate
(sqlite-vec, lancedb) that is not in this environment; the size it adds is
what is in it and not already installed here. Results go to stdout as a
table and to benchmarks/results/knowledge-<date>.json.
"""

from __future__ import annotations

import argparse
import datetime
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CANDIDATES = {
    "sqlite-exact+numpy": ("agno_dsl.interpreter.knowledge.sqlite_store", "numpy"),
    "sqlite-exact, pure": ("agno_dsl.interpreter.knowledge.sqlite_store", None),
    "sqlite-vec": ("sqlite_vec", "sqlite_vec"),
    "lancedb": ("lancedb", "lancedb"),
}
DIMENSIONS = 256
WORDS = [f"w{i}" for i in range(3000)]


def corpus(count: int) -> list[str]:
    rng = random.Random(7)
    return [" ".join(rng.choices(WORDS, k=60)) for _ in range(count)]


def vectors(texts: list[str]) -> list[list[float]]:
    from agno_dsl.interpreter.knowledge.embedders import hashing_vector

    return [hashing_vector(text, DIMENSIONS) for text in texts]


def measure(candidate: str, count: int, directory: Path) -> dict[str, float]:
    """One candidate in this process: load and search figures."""
    module, distribution = CANDIDATES[candidate]
    import agno_dsl  # noqa: F401 - loaded by any run already: not the candidate's cost

    if candidate == "sqlite-exact, pure":
        sys.modules["numpy"] = None  # type: ignore[assignment] - the store's fallback path
    started = time.perf_counter()
    __import__(module)
    if distribution == "numpy":
        __import__("numpy")
    import_s = time.perf_counter() - started
    texts = corpus(count)
    vecs = vectors(texts)
    queries = vectors([" ".join(random.Random(i).choices(WORDS, k=5)) for i in range(100)])
    load, search = {
        "sqlite-exact+numpy": _ours,
        "sqlite-exact, pure": _ours,
        "sqlite-vec": _sqlite_vec,
        "lancedb": _lancedb,
    }[candidate](texts, vecs, directory)
    started = time.perf_counter()
    load()
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    search(queries[0])  # the first search: caches warmed, files opened
    first_s = time.perf_counter() - started
    times = []
    for query in queries[1:]:
        started = time.perf_counter()
        found = search(query)
        times.append(time.perf_counter() - started)
        assert len(found) == 10, found
    times.sort()
    return {
        "import_ms": import_s * 1000,
        "load_chunks_per_s": count / load_s,
        "first_search_ms": first_s * 1000,
        "search_p50_ms": statistics.median(times) * 1000,
        "search_p95_ms": times[int(len(times) * 0.95) - 1] * 1000,
    }


def _ours(texts, vecs, directory):  # type: ignore[no-untyped-def]
    from agno_dsl.interpreter.knowledge.documents import Document
    from agno_dsl.interpreter.knowledge.sqlite_store import SqliteVectorStore

    store = SqliteVectorStore(directory, "bench")

    def load() -> None:
        for start in range(0, len(texts), 100):
            chunks = [
                Document(f"f{start}", t, {"chunk": i})
                for i, t in enumerate(texts[start : start + 100])
            ]
            store.replace_file(
                "kb", f"f{start}", "h", chunks, vecs[start : start + 100], DIMENSIONS
            )

    return load, lambda q: store.search("kb", q, 10, None)


def _sqlite_vec(texts, vecs, directory):  # type: ignore[no-untyped-def]
    import sqlite3
    import struct

    import sqlite_vec

    db = sqlite3.connect(directory / "vec.db")
    db.enable_load_extension(True)
    sqlite_vec.load(db)
    db.enable_load_extension(False)
    db.execute(
        f"create virtual table chunks using vec0(embedding float[{DIMENSIONS}], content text)"
    )
    pack = struct.Struct(f"{DIMENSIONS}f").pack

    def load() -> None:
        for start in range(0, len(texts), 100):
            with db:
                db.executemany(
                    "insert into chunks (embedding, content) values (?, ?)",
                    [
                        (pack(*v), t)
                        for v, t in zip(
                            vecs[start : start + 100], texts[start : start + 100], strict=True
                        )
                    ],
                )

    def search(query):  # type: ignore[no-untyped-def]
        return db.execute(
            "select content, distance from chunks where embedding match ? and k = 10 "
            "order by distance",
            (pack(*query),),
        ).fetchall()

    return load, search


def _lancedb(texts, vecs, directory):  # type: ignore[no-untyped-def]
    import lancedb

    db = lancedb.connect(str(directory / "lance"))
    table = None

    def load() -> None:
        nonlocal table
        for start in range(0, len(texts), 100):
            rows = [
                {"vector": v, "content": t}
                for v, t in zip(vecs[start : start + 100], texts[start : start + 100], strict=True)
            ]
            if table is None:
                table = db.create_table("chunks", data=rows)
            else:
                table.add(rows)

    def search(query):  # type: ignore[no-untyped-def]
        return table.search(query).metric("cosine").limit(10).to_list()

    return load, search


def install_size(extra_paths: list[str], distribution: str | None) -> float:
    """MB a candidate adds to an environment holding agno-dsl's own dependencies: what its
    `pip install --target` directory holds beyond them (numpy counted for both users)."""
    if distribution is None:
        return 0.0
    import site

    ours = {p.name for root in site.getsitepackages() for p in Path(root).iterdir()}
    ours -= {"numpy", "numpy.libs"} | {p for p in ours if p.startswith("numpy-")}
    for extra in extra_paths:
        root = Path(extra)
        if (root / distribution).exists():
            added = [p for p in root.iterdir() if p.name not in ours | {"bin", "__pycache__"}]
            if distribution == "numpy":
                added = [p for p in added if p.name.startswith("numpy")]
            files = (f for p in added for f in ([p] if p.is_file() else p.rglob("*")))
            return sum(f.stat().st_size for f in files if f.is_file()) / 1e6
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chunks", type=int, default=10_000)
    parser.add_argument("--extra-path", action="append", default=[])
    parser.add_argument("--skip", action="append", default=[], help="A candidate not to run.")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        with tempfile.TemporaryDirectory() as directory:
            print(json.dumps(measure(args.one, args.chunks, Path(directory))))
        return
    env_path = ":".join(args.extra_path)
    results = {}
    for candidate, (_, distribution) in CANDIDATES.items():
        if candidate in args.skip:
            continue
        command = [sys.executable, __file__, "--one", candidate, "--chunks", str(args.chunks)]
        import os

        env = {**os.environ, "PYTHONPATH": env_path}
        done = subprocess.run(command, capture_output=True, text=True, env=env)
        if done.returncode != 0:
            print(f"{candidate}: not measured ({done.stderr.strip().splitlines()[-1:]})")
            continue
        results[candidate] = {
            **json.loads(done.stdout),
            "install_mb": install_size(args.extra_path, distribution),
        }
    columns = [
        "import_ms",
        "install_mb",
        "load_chunks_per_s",
        "first_search_ms",
        "search_p50_ms",
        "search_p95_ms",
    ]
    print(f"{args.chunks} chunks, {DIMENSIONS} dimensions, top 10")
    print(f"{'candidate':22}" + "".join(f"{c:>19}" for c in columns))
    for candidate, figures in results.items():
        print(f"{candidate:22}" + "".join(f"{figures[c]:>19.1f}" for c in columns))
    out = (
        Path(__file__).parent / "results" / f"knowledge-{datetime.date.today()}-{args.chunks}.json"
    )
    out.write_text(json.dumps({"chunks": args.chunks, "results": results}, indent=2) + "\n")


if __name__ == "__main__":
    main()
