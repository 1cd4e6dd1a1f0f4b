"""`agno-dsl knowledge load|search SPEC [NAME]`: a spec's knowledge bases from the shell.

`load` brings each knowledge base (or the one named) up to date with its
sources — unchanged files are not embedded again, removed ones are deleted —
and prints a summary line per base. `search` prints the documents a query
finds, as the search_knowledge_base tool would give them to an agent.
Problems (a missing source, a binary file, an embedder of the wrong size)
are one line naming the spec entry, exit 1.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from .cli_shared import EXIT_FAILED, EXIT_USAGE, load_or_exit


def _bases(spec: str, name: str | None) -> list[Any]:
    """The knowledge bases of the spec (or the one named), ready to load or search."""
    from .interpreter.knowledge.base import KnowledgeBase
    from .schemas.base import unknown_name_message

    document = load_or_exit(spec, EXIT_USAGE)
    configs = document.spec.knowledge
    if not configs:
        click.echo(f"error: {spec} has no knowledge: section", err=True)
        sys.exit(EXIT_USAGE)
    if name is not None and name not in configs:
        click.echo(f"error: {unknown_name_message('knowledge base', name, set(configs))}", err=True)
        sys.exit(EXIT_USAGE)
    names = [name] if name is not None else list(configs)
    return [
        KnowledgeBase(
            n,
            configs[n],
            document.base_dir,
            str(document.locate(("knowledge", n))),
            tuple(
                str(document.locate(("knowledge", n, "sources", i, "path")))
                for i in range(len(configs[n].sources))
            ),
        )
        for n in names
    ]


def _run(action: Any) -> Any:
    import asyncio

    from .interpreter.knowledge import KnowledgeError

    try:
        return asyncio.run(action())
    except KnowledgeError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_FAILED)


@click.group()
def knowledge() -> None:
    """Knowledge bases of a spec (its knowledge: section)."""


@knowledge.command("load")
@click.argument("spec", type=click.Path(dir_okay=False))
@click.argument("name", required=False)
@click.option("-v", "--verbose", is_flag=True, help="A line per file embedded.")
def load(spec: str, name: str | None, verbose: bool) -> None:
    """Embed new and changed files, delete removed ones; a summary line per base."""
    progress = (lambda line: click.echo(f"  {line}", err=True)) if verbose else None

    async def go() -> None:
        for base in _bases(spec, name):
            try:
                summary = await base.load(progress)
            finally:
                base.close()
            click.echo(summary.line(base.name))

    _run(go)


@knowledge.command("search")
@click.argument("spec", type=click.Path(dir_okay=False))
@click.argument("name", required=False)
@click.option("-q", "--query", required=True, help="What to search for.")
@click.option("--limit", type=click.IntRange(min=1), help="Documents to show (max_results).")
@click.option("--filter", "filters", multiple=True, metavar="KEY=VALUE", help="Metadata filter.")
def search(
    spec: str, name: str | None, query: str, limit: int | None, filters: tuple[str, ...]
) -> None:
    """The documents the query finds (loading first what changed), as agno's tool shows them."""
    wanted: dict[str, Any] = {}
    for item in filters:
        key, sep, value = item.partition("=")
        if not sep:
            raise click.UsageError(f"--filter {item!r}: write KEY=VALUE")
        wanted[key] = value
    bases = _bases(spec, name)
    if len(bases) > 1:
        raise click.UsageError(f"name one knowledge base: {', '.join(b.name for b in bases)}")

    async def go() -> list[dict[str, Any]]:
        try:
            found = await bases[0].search(query, limit, wanted or None)
        finally:
            bases[0].close()
        return [document.to_dict() for document in found]

    documents = _run(go)
    if not documents:
        click.echo("No documents found")
        return
    import json

    click.echo(json.dumps(documents, indent=2, ensure_ascii=False))
