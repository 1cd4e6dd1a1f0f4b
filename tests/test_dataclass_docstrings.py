"""Every dataclass of the package has a docstring (structural, for cold start).

A dataclass without one gets a docstring computed by `inspect.signature` when
its module is imported: ~0.5 ms a class, paid on every `agno-dsl` start.
"""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil

import agno_dsl
import agno_dsl.interpreter
import agno_dsl.schemas


def _modules() -> list[str]:
    # The three folders are mapped into one package, so each is walked on its own.
    names = []
    for package in (agno_dsl, agno_dsl.interpreter, agno_dsl.schemas):
        prefix = package.__name__ + "."
        names += [info.name for info in pkgutil.walk_packages(package.__path__, prefix)]
    assert "agno_dsl.interpreter.plan" in names and "agno_dsl.cli" in names
    return names


def test_every_dataclass_has_its_own_docstring() -> None:
    missing = []
    for name in _modules():
        if name == "agno_dsl.__main__":
            continue  # runs the CLI when imported
        module = importlib.import_module(name)
        for attr, value in vars(module).items():
            if (
                isinstance(value, type)
                and value.__module__ == name
                and dataclasses.is_dataclass(value)
                and "__doc__" in value.__dict__
                and (value.__doc__ or "").startswith(value.__name__ + "(")
            ):
                missing.append(f"{name}.{attr}")
    assert not missing, "dataclasses without a docstring: " + ", ".join(missing)
