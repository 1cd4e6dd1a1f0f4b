"""Skip pydantic's plugin discovery when no pydantic plugin is installed.

The first validator pydantic builds looks for plugins (the `pydantic` entry
point group) through `importlib.metadata`, whose import and scan of every
installed distribution cost ~15 ms of each `agno-dsl` start, a tenth of it.
`PYDANTIC_DISABLE_PLUGINS` avoids the scan but not the import, and would turn
off plugins a user did install. So: look for the group ourselves, reading only
the `entry_points.txt` files on `sys.path` (what importlib.metadata reads),
and when no distribution declares it, give pydantic a loader that answers "no
plugins" — exactly what its own loader would have found. When any declares
it, or a path entry cannot be read cheaply (a zip), nothing changes.
"""

import os
import sys
import types
from collections.abc import Iterable
from typing import Any

_LOADER = "pydantic.plugin._loader"
_GROUP_HEADER = "[pydantic]"


def plugins_declared(paths: Iterable[str]) -> bool:
    """Whether a distribution on these paths declares a pydantic entry point (or may)."""
    for entry in paths:
        folder = entry or "."
        if not os.path.isdir(folder):
            if os.path.exists(folder):
                return True  # a zip or egg file: let importlib.metadata read it
            continue
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        for name in names:
            if not name.endswith((".dist-info", ".egg-info")):
                continue
            try:
                with open(os.path.join(folder, name, "entry_points.txt"), encoding="utf-8") as f:
                    if any(line.strip() == _GROUP_HEADER for line in f):
                        return True
            except OSError:
                continue  # no entry points, or an egg-info file
    return False


def _no_plugins() -> tuple[Any, ...]:
    return ()


def skip_discovery_if_none_installed() -> None:
    """Before pydantic's first validator: answer "no plugins" without importlib.metadata."""
    if _LOADER in sys.modules or os.environ.get("PYDANTIC_DISABLE_PLUGINS") is not None:
        return  # already loaded, or the user chose which plugins run
    if plugins_declared(sys.path):
        return
    loader = types.ModuleType(_LOADER, __doc__)
    loader.get_plugins = _no_plugins  # type: ignore[attr-defined]
    sys.modules[_LOADER] = loader
