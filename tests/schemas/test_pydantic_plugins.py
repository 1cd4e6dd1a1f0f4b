"""Pydantic plugin discovery is skipped only when no plugin is installed."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
import textwrap
from pathlib import Path

from agno_dsl.schemas.pydantic_plugins import plugins_declared

PLUGIN = """
from pathlib import Path

class Plugin:
    def new_schema_validator(self, schema, schema_type, *args, **kwargs):
        Path(__file__).with_name("called").write_text("yes")
        return None, None, None

plugin = Plugin()
"""


def _install_plugin(folder: Path) -> None:
    (folder / "spy_plugin.py").write_text(PLUGIN)
    dist = folder / "spy_plugin-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: spy-plugin\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(
        "[console_scripts]\nx = y:z\n\n[pydantic]\nspy = spy_plugin:plugin\n"
    )


def test_a_declared_pydantic_entry_point_is_found(tmp_path: Path) -> None:
    assert not plugins_declared([str(tmp_path)])
    _install_plugin(tmp_path)
    assert plugins_declared([str(tmp_path)])


def test_other_entry_points_and_missing_paths_are_not_plugins(tmp_path: Path) -> None:
    dist = tmp_path / "other-1.0.dist-info"
    dist.mkdir()
    (dist / "entry_points.txt").write_text("[console_scripts]\npydantic = a:b\n")
    assert not plugins_declared([str(tmp_path), str(tmp_path / "missing")])


def test_a_zip_on_the_path_is_left_to_importlib_metadata(tmp_path: Path) -> None:
    archive = tmp_path / "bundle.zip"
    archive.write_bytes(b"PK\x05\x06" + b"\0" * 18)
    assert plugins_declared([str(archive)])


def test_the_answer_matches_importlib_metadata_here() -> None:
    declared = bool(importlib.metadata.entry_points(group="pydantic"))
    assert plugins_declared(sys.path) == declared


def _load_spec_in_fresh_process(tmp_path: Path, pythonpath: str) -> str:
    spec = tmp_path / "spec.yaml"
    spec.write_text("version: 1\nmodels: {m: {provider: echo}}\nagents: {a: {model: m}}\n")
    code = textwrap.dedent(
        f"""
        import sys
        from agno_dsl.loader import load_document
        load_document({str(spec)!r})
        print("importlib.metadata" in sys.modules)
        """
    )
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": pythonpath}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_an_installed_plugin_still_sees_the_spec_validated(tmp_path: Path) -> None:
    _install_plugin(tmp_path)
    assert _load_spec_in_fresh_process(tmp_path, str(tmp_path)) == "True"
    assert (tmp_path / "called").read_text() == "yes"


def test_without_plugins_importlib_metadata_is_not_imported(tmp_path: Path) -> None:
    assert _load_spec_in_fresh_process(tmp_path, "") == "False"
