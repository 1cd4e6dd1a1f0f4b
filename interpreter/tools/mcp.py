"""MCP servers as tools, through the official `mcp` SDK (agno's MCPTools, one session per run).

A spec's `mcp:` tool compiles to an `McpServerPlan`. At run time the run's
`McpServers` opens a server the first time an agent or team that uses it
starts (agno connects its MCPTools when a run begins), keeps that one session
for every later user in the run, and closes every session when the run ends,
however it ends (success, failure, pause, cancel, Ctrl-C). The SDK's stdio
transport stops the server's whole process group on close.

Failures follow agno: a server that cannot be reached leaves the agent without
its tools, and a call that fails comes back to the model as text
(`mcp_results.py`). The user gets one warning line naming the server and its
spec location (logger `agno_dsl.mcp`); the server's stderr is logged at DEBUG.
Header values never appear in those lines.

The SDK is imported only here and only when a server is opened (`agno-dsl[mcp]`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any

from .base import ToolPlan, scrub, without_secrets
from .mcp_results import mcp_error_text, other_error_text, result_text

DEFAULT_TIMEOUT = 10.0  # seconds per request: agno's MCPTools timeout_seconds
HTTP_TIMEOUT = 30.0  # connect/write of a remote server (agno's StreamableHTTPClientParams)
STREAM_READ_TIMEOUT = 300.0  # an open SSE stream (agno's sse_read_timeout)
INSTALL_HINT = "MCP tools need the mcp extra: pip install 'agno-dsl[mcp]'"

log = logging.getLogger("agno_dsl.mcp")


class McpServerError(Exception):
    """A server that could not be opened; the message is one line for the user."""


@dataclass(frozen=True, slots=True, kw_only=True)
class McpServerPlan:
    """One MCP server of a spec and which of its tools to offer."""

    name: str  # the spec's tool name
    where: str  # file:line:col of the tool, for messages
    command: tuple[str, ...] = ()  # argv of a stdio server
    env: Mapping[str, str] | None = None
    cwd: str | None = None
    url: str | None = None
    transport: str = "stdio"  # stdio | streamable-http | sse
    headers: Mapping[str, str] | None = None
    include_tools: tuple[str, ...] | None = None
    exclude_tools: tuple[str, ...] = ()
    tool_name_prefix: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    cache: bool = False
    requires_confirmation: bool = False
    stop_after_tool_call: bool = False

    @property
    def target(self) -> str:
        """The command, or the URL without user info and query: safe to print."""
        return " ".join(self.command) if self.url is None else without_secrets(self.url)

    def describe(self, problem: str) -> str:
        """One line for the user: where the server is declared, which one, what happened."""
        return f"{self.where}: MCP server '{self.name}' ({self.target}): {self.scrub(problem)}"

    def scrub(self, text: str) -> str:
        return scrub(text, self.url or "", self.headers or {})


class McpConnection:
    """One open session with one server, held by a task of its own.

    The SDK's transports are anyio task groups, which must be left by the task
    that entered them; a dedicated task enters, waits for `aclose`, and leaves,
    so any task of the run may call tools and any task may close.
    """

    def __init__(self, plan: McpServerPlan) -> None:
        self.plan = plan
        self.session: Any = None
        self.tools: list[Any] = []  # as the server listed them (mcp Tool objects)
        self._closing = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stderr: Any = None

    async def open(self) -> list[Any]:
        """Start or reach the server, handshake, and list its tools; McpServerError if not."""
        ready: asyncio.Future[list[Any]] = asyncio.get_running_loop().create_future()
        self._task = asyncio.create_task(self._hold(ready), name=f"mcp:{self.plan.name}")
        self.tools = await ready
        return self.tools

    async def _hold(self, ready: asyncio.Future[list[Any]]) -> None:
        try:
            async with AsyncExitStack() as stack:
                self.session = await self._connect(stack)
                tools = await _list_tools(self.session)
                if not ready.done():
                    ready.set_result(tools)
                await self._closing.wait()
        except BaseException as exc:  # noqa: BLE001 - reported to the opener, or at close
            if not ready.done():
                ready.set_exception(self._failure(exc))
            elif not self._closing.is_set():
                log.debug("MCP server '%s' ended: %s", self.plan.name, self.plan.scrub(repr(exc)))
        finally:
            self._log_stderr()
            if self._stderr is not None:
                self._stderr.close()

    async def _connect(self, stack: AsyncExitStack) -> Any:
        try:
            from mcp import ClientSession  # lazy: the optional mcp extra
        except ModuleNotFoundError:
            raise McpServerError(INSTALL_HINT) from None
        plan = self.plan
        if plan.transport == "stdio":
            import tempfile  # lazy: ~2 ms of every start, for stdio servers only

            from mcp import StdioServerParameters
            from mcp.client.stdio import stdio_client

            # A real file: the server writes its stderr straight into it; _hold logs it
            # for --debug and closes it once the server has stopped.
            self._stderr = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115
            params = StdioServerParameters(
                command=plan.command[0],
                args=list(plan.command[1:]),
                env=dict(plan.env) if plan.env else None,
                cwd=plan.cwd,
            )
            streams = await stack.enter_async_context(stdio_client(params, errlog=self._stderr))
        elif plan.transport == "sse":
            from mcp.client.sse import sse_client

            assert plan.url is not None
            streams = await stack.enter_async_context(
                sse_client(
                    plan.url,
                    headers=dict(plan.headers or {}),
                    timeout=HTTP_TIMEOUT,
                    sse_read_timeout=STREAM_READ_TIMEOUT,
                )
            )
        else:
            import httpx2
            from mcp.client.streamable_http import streamable_http_client
            from mcp.shared._httpx_utils import create_mcp_http_client

            assert plan.url is not None
            http = await stack.enter_async_context(
                create_mcp_http_client(
                    headers=dict(plan.headers or {}),
                    timeout=httpx2.Timeout(HTTP_TIMEOUT, read=STREAM_READ_TIMEOUT),
                )
            )
            streams = await stack.enter_async_context(
                streamable_http_client(plan.url, http_client=http)
            )
        read, write = streams
        session = await stack.enter_async_context(
            # The handshake gets agno's 10 s even when calls are given less: starting is slower.
            ClientSession(read, write, read_timeout_seconds=max(plan.timeout, DEFAULT_TIMEOUT))
        )
        await session.initialize()
        return session

    def _failure(self, exc: BaseException) -> McpServerError:
        """The reason a server could not be opened, in one line without secrets."""
        if isinstance(exc, McpServerError):
            return exc
        cause = _innermost(exc)
        if isinstance(cause, asyncio.CancelledError):
            return McpServerError("the run ended before the server answered")
        if isinstance(cause, FileNotFoundError):
            return McpServerError(f"command '{self.plan.command[0]}' not found")
        text = str(cause) or type(cause).__name__
        if text == "Connection closed" and self.plan.transport == "stdio":
            text = "the server exited before it answered (run with --debug to see its stderr)"
        elif "timed out" in text:
            text = f"no answer within {max(self.plan.timeout, DEFAULT_TIMEOUT):g}s"
        return McpServerError(f"cannot start: {text}")

    async def call(self, tool_name: str, arguments: dict[str, Any]) -> str:
        """Call one tool; what the model reads, failures included (agno's texts)."""
        from mcp import MCPError  # lazy: the optional mcp extra

        try:
            result = await self.session.call_tool(
                tool_name, arguments, read_timeout_seconds=self.plan.timeout
            )
        except asyncio.CancelledError:
            raise
        except MCPError as exc:
            self._warn(f"{tool_name} failed: {exc}")
            return mcp_error_text(tool_name, exc)
        except Exception as exc:  # a malformed answer, a broken transport: the model is told
            first_line = (str(_innermost(exc)) or type(exc).__name__).splitlines()[0]
            self._warn(f"{tool_name} failed: {first_line}")
            return other_error_text(exc)
        return result_text(tool_name, result)

    def _warn(self, problem: str) -> None:
        log.warning(self.plan.describe(problem))

    def _log_stderr(self) -> None:
        if self._stderr is None or not log.isEnabledFor(logging.DEBUG):
            return
        try:
            self._stderr.seek(0)
            text = self._stderr.read().rstrip()
        except (OSError, ValueError):
            return
        if text:
            log.debug("MCP server '%s' stderr:\n%s", self.plan.name, text)

    async def aclose(self) -> None:
        """Leave the session; a stdio server is stopped (stdin closed, then its group killed)."""
        self._closing.set()
        task = self._task
        if task is None or task.done():
            return
        if self.session is None:
            task.cancel()  # still connecting: stop where it is
        try:
            await task
        except BaseException as exc:  # noqa: BLE001 - closing never fails the run
            log.debug("closing MCP server '%s': %s", self.plan.name, self.plan.scrub(repr(exc)))


class McpServers:
    """The MCP sessions of one run: opened on first use, shared by every user, closed together."""

    def __init__(self) -> None:
        self._opening: dict[str, asyncio.Task[tuple[ToolPlan, ...]]] = {}
        self._connections: list[McpConnection] = []

    async def tools(self, plan: McpServerPlan) -> tuple[ToolPlan, ...]:
        """The server's tools as the model sees them; none if it cannot be reached (agno)."""
        task = self._opening.get(plan.name)
        if task is None:
            task = asyncio.ensure_future(self._open(plan))
            self._opening[plan.name] = task
        # Shielded: one agent being cancelled must not cancel the opening others wait for.
        return await asyncio.shield(task)

    async def _open(self, plan: McpServerPlan) -> tuple[ToolPlan, ...]:
        connection = McpConnection(plan)
        self._connections.append(connection)
        try:
            listed = await connection.open()
            return select_tools(plan, listed, connection)
        except McpServerError as exc:
            log.warning(plan.describe(f"{exc}; the agent runs without its tools"))
            return ()

    async def aclose(self) -> None:
        """Close every session of the run (also when the run was cancelled)."""
        for task in self._opening.values():
            if not task.done():
                task.cancel()
        connections, self._connections = self._connections, []
        self._opening.clear()
        await asyncio.gather(*(c.aclose() for c in connections))


def select_tools(
    plan: McpServerPlan, listed: list[Any], connection: McpConnection | None
) -> tuple[ToolPlan, ...]:
    """agno's filtering and naming: include/exclude by the server's names, then the prefix.

    Raises McpServerError when include/exclude name a tool the server lacks (agno
    refuses the whole server then)."""
    names = [tool.name for tool in listed]
    unknown = unknown_tool_names(plan, names)
    if unknown:
        raise McpServerError(unknown[0][2])
    prefix = f"{plan.tool_name_prefix}_" if plan.tool_name_prefix is not None else ""
    return tuple(
        _tool_plan(plan, tool, prefix, connection)
        for tool in listed
        if tool.name not in plan.exclude_tools
        and (plan.include_tools is None or tool.name in plan.include_tools)
    )


def unknown_tool_names(plan: McpServerPlan, names: list[str]) -> list[tuple[str, int, str]]:
    """(option, index, message) of each include_tools/exclude_tools entry the server does
    not list."""
    from ...schemas.base import suggest

    listed = ", ".join(names) or "nothing"
    problems = []
    for option, wanted in (
        ("include_tools", plan.include_tools),
        ("exclude_tools", plan.exclude_tools),
    ):
        for index, name in enumerate(wanted or ()):
            if name not in names:
                guess = suggest(name, names)
                message = f"{option} names '{name}', which the server does not list; " + (
                    f"did you mean '{guess}'?" if guess else f"it lists: {listed}"
                )
                problems.append((option, index, message))
    return problems


def _tool_plan(
    plan: McpServerPlan, tool: Any, prefix: str, connection: McpConnection | None
) -> ToolPlan:
    async def call(**arguments: Any) -> str:
        assert connection is not None, "a listed-only tool is never called"
        return await connection.call(tool.name, arguments)

    return ToolPlan(
        name=prefix + tool.name,
        description=tool.description,  # None stays None, as agno passes it on
        parameters=tool.input_schema,  # exactly as listed; the server checks the arguments
        function=call,
        validate=dict,
        is_async=True,
        wants_session_state=False,
        timeout=None,  # the SDK applies plan.timeout to the request itself
        cache=plan.cache,
        requires_confirmation=plan.requires_confirmation,
        stop_after_tool_call=plan.stop_after_tool_call,
    )


async def _list_tools(session: Any) -> list[Any]:
    """Every page of tools/list (agno reads them all before filtering)."""
    from mcp.types import PaginatedRequestParams

    listed = await session.list_tools()
    tools = list(listed.tools)
    while listed.next_cursor is not None:
        listed = await session.list_tools(params=PaginatedRequestParams(cursor=listed.next_cursor))
        tools.extend(listed.tools)
    return tools


def _innermost(exc: BaseException) -> BaseException:
    """The first real error inside anyio's exception groups."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    return exc
