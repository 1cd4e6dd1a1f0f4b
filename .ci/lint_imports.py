"""Check the import contracts of pyproject.toml ([tool.importlinter]) over the whole package.

The package `agno_dsl` is assembled from three folders (dsl/, interpreter/,
schemas/; see pyproject's package-dir), and import-linter only walks the
folder `agno_dsl` itself maps to. So this copies the three folders into one
temporary `agno_dsl/` tree, puts it first on the path and runs `lint-imports`
there. Usage: `python .ci/lint_imports.py [ROOT]` (ROOT: a checkout; default: this one).
Exit status: lint-imports' own (0 when every contract is kept).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

FOLDERS = {"dsl": "", "interpreter": "interpreter", "schemas": "schemas"}


def assemble(root: Path, target: Path) -> Path:
    """The package as Python sees it, laid out as one folder under `target`."""
    package = target / "agno_dsl"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(root / "dsl", package, ignore=ignore)
    for folder, inside in FOLDERS.items():
        if inside:
            shutil.copytree(root / folder, package / inside, ignore=ignore)
    return package


def main(root: Path) -> int:
    with tempfile.TemporaryDirectory(prefix="agno-dsl-imports-") as tmp:
        assemble(root, Path(tmp))
        env = {**os.environ, "PYTHONPATH": tmp}
        lint = Path(sys.executable).with_name("lint-imports")
        command = [str(lint), str(root / "pyproject.toml"), "--no-cache"]
        return subprocess.run(command, cwd=tmp, env=env).returncode


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parent.parent)))
