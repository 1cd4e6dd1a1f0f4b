"""`${VAR}` and `${VAR:-default}` in spec strings, replaced from the environment.

`$${X}` stays as the literal text `${X}`. A variable that is missing and has
no default is a problem located at the string that uses it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from .errors import Location, Problem
from .source import YamlPath

_REFERENCE = re.compile(r"\$(\$?)\{([^}]*)\}")
_VARIABLE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$", re.DOTALL)


def interpolate(
    data: Any,
    env: Mapping[str, str],
    locate: Callable[[YamlPath], Location],
    problems: list[Problem],
    path: YamlPath = (),
    references: list[tuple[str, YamlPath]] | None = None,
) -> Any:
    """A copy of `data` with every reference replaced; problems are appended.

    `references` gains (variable, YAML path) for every variable used, so
    telemetry can tell which values are secrets (an `api_key:`, a header).
    """
    if isinstance(data, str):
        if "${" not in data:
            return data
        return _interpolate_string(data, env, locate(path), problems, path, references)
    if isinstance(data, dict):
        return {
            key: interpolate(value, env, locate, problems, (*path, key), references)
            for key, value in data.items()
        }
    if isinstance(data, list):
        return [
            interpolate(item, env, locate, problems, (*path, index), references)
            for index, item in enumerate(data)
        ]
    return data


def _interpolate_string(
    text: str,
    env: Mapping[str, str],
    location: Location,
    problems: list[Problem],
    path: YamlPath = (),
    references: list[tuple[str, YamlPath]] | None = None,
) -> str:
    def replace(match: re.Match[str]) -> str:
        escaped, body = match.group(1), match.group(2)
        if escaped:
            return "${" + body + "}"
        variable = _VARIABLE.match(body)
        if not variable:
            problems.append(
                Problem(
                    f"malformed reference '${{{body}}}'",
                    location,
                    "write ${NAME} or ${NAME:-default}",
                )
            )
            return match.group(0)
        name, default = variable.group(1), variable.group(2)
        if references is not None:
            references.append((name, path))
        if name in env:
            return env[name]
        if default is not None:
            return default
        problems.append(
            Problem(
                f"environment variable {name} is not set",
                location,
                f"export {name}=... or write ${{{name}:-default}}",
            )
        )
        return match.group(0)

    return _REFERENCE.sub(replace, text)
