"""W0 for LangGraph: a one-node graph answering at once, as a whole process."""

import asyncio
from typing import TypedDict

from langgraph.graph import END, START, StateGraph


class State(TypedDict):
    answer: str


async def agent(state: State) -> dict:
    return {"answer": "ok"}


graph = StateGraph(State)
graph.add_node("agent", agent)
graph.add_edge(START, "agent")
graph.add_edge("agent", END)
print(asyncio.run(graph.compile().ainvoke({"answer": ""}))["answer"])
