"""W0 for LangGraph: a one-node agent graph with a fake chat model, as a whole process."""

import asyncio
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from langgraph_models import FakeChat, agent_graph  # noqa: E402

result = asyncio.run(agent_graph(FakeChat()).ainvoke({"messages": [("user", "hi")]}))
print(result["messages"][-1].content)
