"""Drawing workflows as Mermaid or Graphviz DOT; blocks become subgraphs."""

from __future__ import annotations

from dataclasses import dataclass, field

from .outline import Outline, OutlineStep

_BLOCK_LABELS = {
    "parallel": "parallel",
    "condition": "if",
    "loop": "loop",
    "router": "router",
    "foreach": "foreach",
    "steps": "steps",
}


def _decision(value: object) -> str:
    """An expression as written, or a Python evaluator as `module:function()`."""
    return value if isinstance(value, str) else f"{getattr(value, 'function', value)}()"


@dataclass
class _Cluster:
    """A block of the drawing: its nodes and the blocks inside it."""

    id: str
    label: str
    nodes: list[tuple[str, str, bool]] = field(default_factory=list)  # id, label, is_block
    children: list[_Cluster] = field(default_factory=list)


@dataclass
class _Drawing:
    """The clusters and edges of a workflow's drawing."""

    root: _Cluster
    edges: list[tuple[str, str, str]] = field(default_factory=list)


def _leaf_label(step: OutlineStep) -> str:
    target = getattr(step.step, step.kind)
    return f"{step.name}\n{step.kind}: {target}"


def _block_label(step: OutlineStep) -> str:
    block = step.block
    detail = {
        "condition": lambda: f"if {_decision(block.if_)}",
        "loop": lambda: (
            f"loop ≤ {block.max_iterations}"
            + (f" until {_decision(block.until)}" if block.until else "")
        ),
        "router": lambda: f"route by {_decision(block.select)}",
        "foreach": lambda: f"foreach {block.as_} in {block.items}",
        "parallel": lambda: "parallel",
        "steps": lambda: "steps",
    }[step.kind]()
    return f"{step.name}\n{detail}"


class _Drawer:
    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.edges: list[tuple[str, str, str]] = []

    def node_id(self, name: str) -> str:
        return f"{self.prefix}__{name}".replace("-", "_")

    def draw_list(self, steps: list[OutlineStep], cluster: _Cluster, preds: list[str]) -> list[str]:
        for step in steps:
            preds = self.draw_step(step, cluster, preds)
        return preds

    def draw_step(self, step: OutlineStep, cluster: _Cluster, preds: list[str]) -> list[str]:
        node = self.node_id(step.name)
        for pred in preds:
            self.edges.append((pred, node, ""))
        if step.block is None:
            cluster.nodes.append((node, _leaf_label(step), False))
            return [node]
        inner = _Cluster(f"{node}_block", f"{_BLOCK_LABELS[step.kind]} {step.name}")
        cluster.children.append(inner)
        inner.nodes.append((node, _block_label(step), True))
        exits: list[str] = []
        for branch in step.branches:
            target = inner
            if step.kind in ("condition", "router"):
                target = _Cluster(f"{node}_{branch.label}", branch.label)
                inner.children.append(target)
            exits += self.draw_list(branch.steps, target, [node])
        if step.kind == "condition" and len(step.branches) == 1:
            exits.append(node)  # false with no else: the block itself leads on
        return exits


def draw(outlines: list[Outline]) -> _Drawing:
    root = _Cluster("root", "")
    edges: list[tuple[str, str, str]] = []
    for plan in outlines:
        drawer = _Drawer(plan.workflow_name)
        cluster = _Cluster(f"wf_{plan.workflow_name}", f"workflow {plan.workflow_name}")
        root.children.append(cluster)
        if plan.is_graph:
            exits = {step.name: drawer.draw_step(step, cluster, []) for step in plan.steps}
            for step in plan.steps:
                for need in sorted(plan.dependencies.get(step.name, ())):
                    for exit_id in exits[need]:
                        drawer.edges.append((exit_id, drawer.node_id(step.name), ""))
        else:
            drawer.draw_list(plan.steps, cluster, [])
        edges += drawer.edges
    return _Drawing(root, edges)


def to_mermaid(outlines: list[Outline]) -> str:
    drawing = draw(outlines)
    lines = ["flowchart TD"]

    def text(label: str) -> str:
        return label.replace('"', "#quot;").replace("\n", "<br/>")

    def emit(cluster: _Cluster, depth: int) -> None:
        pad = "  " * depth
        for node_id, label, is_block in cluster.nodes:
            shape = ('{{"', '"}}') if is_block else ('["', '"]')
            lines.append(f"{pad}{node_id}{shape[0]}{text(label)}{shape[1]}")
        for child in cluster.children:
            lines.append(f'{pad}subgraph {child.id}["{text(child.label)}"]')
            emit(child, depth + 1)
            lines.append(f"{pad}end")

    emit(drawing.root, 1)
    lines += [f"  {a} --> {b}" for a, b, _ in drawing.edges]
    return "\n".join(lines) + "\n"


def to_dot(outlines: list[Outline]) -> str:
    drawing = draw(outlines)
    lines = ["digraph agno_dsl {", "  rankdir=TB;", '  node [shape=box, style="rounded"];']

    def text(label: str) -> str:
        return label.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")

    def emit(cluster: _Cluster, depth: int) -> None:
        pad = "  " * depth
        for node_id, label, is_block in cluster.nodes:
            shape = ", shape=hexagon" if is_block else ""
            lines.append(f'{pad}"{node_id}" [label="{text(label)}"{shape}];')
        for child in cluster.children:
            lines.append(f'{pad}subgraph "cluster_{child.id}" {{')
            lines.append(f'{pad}  label="{text(child.label)}";')
            emit(child, depth + 1)
            lines.append(f"{pad}}}")

    emit(drawing.root, 1)
    lines += [f'  "{a}" -> "{b}";' for a, b, _ in drawing.edges]
    lines.append("}")
    return "\n".join(lines) + "\n"
