"""Agents with knowledge: what the parity pairs do not show (YAML references, no match,
structured input, references on the output, the system message without the tool)."""

from __future__ import annotations

from pathlib import Path

import agno_dsl
import yaml

SPEC = """version: 1
models:
  fake:
    provider: scripted
    responses:
      - tool_calls: [{name: search_knowledge_base, arguments: {query: "kettle warranty"}}]
      - content: "Done."
knowledge:
  kb:
    sources: [{path: docs, metadata: {area: money}}]
    store: {path: store}
agents:
  yaml_reader: {model: fake, knowledge: kb, references_format: yaml}
  nothing_matches: {model: fake, knowledge: kb, knowledge_filters: {area: travel}}
  in_context:
    model: fake
    knowledge: kb
    search_knowledge: false
    add_knowledge_to_context: true
    references_format: yaml
"""


def spec(tmp_path: Path) -> Path:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "warranty.txt").write_text("Kettles have a three year warranty.\n")
    path = tmp_path / "spec.yaml"
    path.write_text(SPEC)
    return path


def test_the_tool_answers_in_yaml_and_the_search_is_on_the_output(tmp_path: Path) -> None:
    output = agno_dsl.run(spec(tmp_path), "Warranty?", agent="yaml_reader")
    result = output.tools[0]["result"]
    assert yaml.safe_load(result) == [
        {
            "name": "warranty.txt",
            "content": "Kettles have a three year warranty.\n",
            "meta_data": {"chunk": 1, "chunk_size": 36, "area": "money", "linked_to": "kb"},
        }
    ]
    [reference] = output.references
    assert reference["query"] == "kettle warranty"
    assert reference["references"][0]["name"] == "warranty.txt"
    assert "<knowledge_base>" in output.messages[0].content


def test_filters_that_match_nothing_answer_no_documents_and_record_nothing(
    tmp_path: Path,
) -> None:
    output = agno_dsl.run(spec(tmp_path), "Warranty?", agent="nothing_matches")
    assert output.tools[0]["result"] == "No documents found"
    assert output.references is None


def test_references_in_context_need_a_text_message(tmp_path: Path) -> None:
    path = spec(tmp_path)
    output = agno_dsl.run(path, "kettle warranty", agent="in_context")
    # search_knowledge off: no <knowledge_base> block, so no system message at all
    assert output.messages[0].role == "user"
    assert output.messages[0].content.startswith(
        "kettle warranty\n\nUse the following references from the knowledge base if it helps:\n"
        "<references>\n- content: 'Kettles have a three year warranty.\n\n"
    )
    assert output.references[0]["query"] == "kettle warranty"
    failed = agno_dsl.run(path, {"question": "warranty"}, agent="in_context")
    assert failed.status == "failed"
    assert "add_knowledge_to_context needs a text message" in (failed.error or "")
