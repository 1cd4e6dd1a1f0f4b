"""Which Python a spec may name as a tool, function step or hook.

A spec that names `os:system` as a tool hands the model a shell. By default
a reference may point at:

- a module inside the spec's directory tree (the user's own code), or
- an installed package outside the standard library,

and never at a callable on the DENIED list (shell, processes, code
execution, file deletion, importing). The standard library is refused by
default: wrap what you need in a module next to the spec, or widen the
policy deliberately with `python_allow:` in the spec or `--allow-python`:
an entry `MODULE` allows that module and its submodules (still without their
DENIED callables); `MODULE:CALLABLE` allows exactly that callable, even a
denied one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .python_refs import Module, stdlib_module

# Whole modules whose every callable runs code, processes or deletes files.
DENIED_MODULES = frozenset(
    {
        "subprocess",
        "shutil",
        "importlib",
        "ctypes",
        "multiprocessing",
        "pty",
        "code",
        "codeop",
        "runpy",
        "pickle",
        "marshal",
        "shelve",
        "pdb",
        "webbrowser",
        "socket",
        "sh",
        "pexpect",
        "plumbum",
    }
)
# Single callables of otherwise ordinary modules.
DENIED_CALLABLES = frozenset(
    {
        *(
            f"builtins:{name}"
            for name in (
                "eval",
                "exec",
                "compile",
                "__import__",
                "open",
                "getattr",
                "setattr",
                "delattr",
                "globals",
                "locals",
                "vars",
                "breakpoint",
                "input",
            )
        ),
        *(
            f"os:{name}"
            for name in (
                "system",
                "popen",
                "execl",
                "execle",
                "execlp",
                "execlpe",
                "execv",
                "execve",
                "execvp",
                "execvpe",
                "spawnl",
                "spawnle",
                "spawnlp",
                "spawnlpe",
                "spawnv",
                "spawnve",
                "spawnvp",
                "spawnvpe",
                "posix_spawn",
                "posix_spawnp",
                "fork",
                "forkpty",
                "kill",
                "killpg",
                "remove",
                "unlink",
                "rmdir",
                "removedirs",
                "rename",
                "renames",
                "replace",
                "chmod",
                "chown",
                "putenv",
                "unsetenv",
                "truncate",
            )
        ),
        "asyncio:create_subprocess_exec",
        "asyncio:create_subprocess_shell",
        "io:open",
        "pathlib:Path.unlink",
        "pathlib:Path.rmdir",
        "pathlib:Path.write_text",
        "pathlib:Path.write_bytes",
        "sys:exit",
    }
)


@dataclass(frozen=True)
class Verdict:
    """Whether the policy allows a Python reference, and why not."""

    allowed: bool
    reason: str = ""
    hint: str | None = None


def _within(module: str, allowed_module: str) -> bool:
    return module == allowed_module or module.startswith(allowed_module + ".")


def denied(module: str, attribute: str) -> bool:
    top = module.split(".")[0]
    if top in DENIED_MODULES:
        return True
    # posixpath/ntpath are what os.path is; os.system is also posix.system.
    aliases = {"posix": "os", "nt": "os", "__builtin__": "builtins"}
    name = f"{aliases.get(module, module)}:{attribute}"
    return name in DENIED_CALLABLES


def judge(import_path: str, found: Module | None, allow: Iterable[str]) -> Verdict:
    """May the spec reference `import_path` (module:attribute)?"""
    module, _, attribute = import_path.partition(":")
    allow = tuple(allow)
    if import_path in allow:
        return Verdict(True)  # named exactly: a deliberate choice, even of a denied callable
    if found is not None and found.in_spec_tree:
        return Verdict(True)
    widening = (
        f"add python_allow: ['{import_path}'] to the spec or pass --allow-python {import_path}"
    )
    if denied(module, attribute):
        return Verdict(
            False,
            f"'{import_path}' can run commands, code or delete files; "
            "specs may not reference it by default",
            "write a narrow function in a module next to the spec, or " + widening,
        )
    if any(_within(module, entry) for entry in allow if ":" not in entry):
        return Verdict(True)
    if stdlib_module(module):
        return Verdict(
            False,
            f"'{import_path}' is in Python's standard library, which specs may not "
            "reference by default",
            f"wrap it in a module next to the spec, or add python_allow: [{module}] "
            f"(or pass --allow-python {module})",
        )
    return Verdict(True)
