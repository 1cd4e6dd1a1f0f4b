"""W0 for agno: one agent run with a fake model, as a whole process."""

import asyncio
import os
import sys

os.environ.setdefault("AGNO_TELEMETRY", "false")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from agno.agent import Agent  # noqa: E402
from agno_models import FakeModel  # noqa: E402

print(asyncio.run(Agent(model=FakeModel(), instructions="Be brief.").arun("hi")).content)
