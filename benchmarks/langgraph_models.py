"""Fake LangChain chat models and the one-node agent graph LangGraph workloads share.

Async all the way (`_agenerate`, `_astream`): LangChain's defaults would run
the sync methods in a thread, which would measure the thread pool, not LangGraph.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langgraph.graph import END, START, MessagesState, StateGraph


class FakeChat(BaseChatModel):
    """Answers `content` at once; streamed word by word."""

    content: str = "ok"

    @property
    def _llm_type(self) -> str:
        return "fake"

    def _answer(self, messages: list[BaseMessage]) -> AIMessage:
        return AIMessage(content=self.content)

    def _generate(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=self._answer(messages))])

    async def _agenerate(
        self, messages: list[BaseMessage], *args: Any, **kwargs: Any
    ) -> ChatResult:
        return self._generate(messages)

    async def _astream(
        self, messages: list[BaseMessage], *args: Any, **kwargs: Any
    ) -> AsyncIterator[ChatGenerationChunk]:
        for word in re.findall(r"\s*\S+\s*", self.content):
            yield ChatGenerationChunk(message=AIMessageChunk(content=word))


class FakeLeader(FakeChat):
    """A supervisor: delegates to every member at once, then answers `done`."""

    members: list[str] = []

    def _answer(self, messages: list[BaseMessage]) -> AIMessage:
        if isinstance(messages[-1], ToolMessage):
            return AIMessage(content="done")
        calls = [
            {
                "id": f"call_{i}",
                "name": "delegate_task_to_member",
                "args": {"member_id": m, "task": f"t{i}"},
            }
            for i, m in enumerate(self.members)
        ]
        return AIMessage(content="", tool_calls=calls)


def agent_graph(model: BaseChatModel, instructions: str = "Be brief.") -> Any:
    """The smallest LangGraph agent: system + user message in, one model call."""

    async def agent(state: MessagesState) -> dict[str, Any]:
        reply = await model.ainvoke([("system", instructions), *state["messages"]])
        return {"messages": [reply]}

    graph = StateGraph(MessagesState)
    graph.add_node("agent", agent)
    graph.add_edge(START, "agent")
    graph.add_edge("agent", END)
    return graph.compile()
