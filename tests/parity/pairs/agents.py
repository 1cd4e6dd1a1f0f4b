"""Single-agent pairs: answers, prompt layout, tools, schemas, history, state, hooks, guardrails."""

from __future__ import annotations

from agno.agent import Agent

from ..harness import Models, pair


@pair("What is the capital of France?")
def agent_plain(models: Models) -> Agent:
    return Agent(name="geo", model=models["fake"], instructions="Answer in one sentence.")


@pair("What is the capital of France?")
def agent_streamed(models: Models) -> Agent:
    return Agent(name="geo", model=models["fake"])


@pair("What is 2 + 3?")
def agent_one_tool(models: Models) -> Agent:
    return Agent(name="calc", model=models["fake"], tools=[models.function("parity_tools:add")])
