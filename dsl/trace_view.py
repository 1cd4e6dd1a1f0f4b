"""The span tree of a traced run, drawn in the terminal (`agno-dsl runs trace RUN_ID`).

Reads stored span records (no OpenTelemetry needed): each line shows the
span's name, duration, tokens, and its error; a resumed run shows one tree
per attempt, the later ones marked as resumed.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from rich.tree import Tree

_KIND_STYLE = {
    "CHAIN": "bold",
    "AGENT": "cyan",
    "LLM": "magenta",
    "TOOL": "yellow",
}


def _label(span: dict[str, Any]) -> Text:
    attributes = span.get("attributes") or {}
    kind = attributes.get("openinference.span.kind", "")
    label = Text(span["name"], style=_KIND_STYLE.get(kind, ""))
    label.append(f"  {span.get('duration_ms', 0):.1f} ms", style="dim")
    tokens_in = attributes.get("gen_ai.usage.input_tokens")
    tokens_out = attributes.get("gen_ai.usage.output_tokens")
    if tokens_in is not None or tokens_out is not None:
        label.append(f"  tokens {tokens_in or 0} in / {tokens_out or 0} out", style="green")
    if attributes.get("gen_ai.request.model") and kind == "LLM":
        label.append(f"  {attributes['gen_ai.request.model']}", style="dim")
    status = attributes.get("agno.status")
    if status in ("paused", "cancelled"):
        label.append(f"  {status}", style="yellow")
    if attributes.get("agno.resumed"):
        label.append("  resumed", style="yellow")
    if span.get("status_code") == "ERROR":
        label.append(f"  ERROR {span.get('status_message') or ''}".rstrip(), style="bold red")
    return label


def span_trees(spans: list[dict[str, Any]]) -> list[Tree]:
    """One rich Tree per root span, children in start order."""
    children: dict[str | None, list[dict[str, Any]]] = {}
    known = {span["span_id"] for span in spans}
    for span in sorted(spans, key=lambda s: s.get("start_time", 0)):
        parent = span.get("parent_span_id")
        # A parent outside the stored spans (a caller's own span) makes a root here.
        children.setdefault(parent if parent in known else None, []).append(span)

    def grow(tree: Tree, span: dict[str, Any]) -> None:
        for child in children.get(span["span_id"], []):
            grow(tree.add(_label(child)), child)

    trees = []
    for root in children.get(None, []):
        tree = Tree(_label(root))
        grow(tree, root)
        trees.append(tree)
    return trees
