"""Pydantic data contracts of agno-dsl: the language (Spec) and run results.

Unlike the rest of the code, these modules do not use `from __future__ import
annotations`: pydantic would compile every string annotation at import
(~2 ms of each start); only forward references are quoted.
"""

from .agents import Agent, Team
from .base import Duration, Name, SpecModel, parse_duration
from .events import Event
from .models import ModelConfig, ScriptedModel, ScriptedResponse
from .outputs import Metrics, RunOutput, StepOutput, WorkflowRunOutput
from .spec import DEFAULT_STORAGE, Defaults, Spec
from .steps import Step, StepOptions
from .tools import ToolConfig
from .workflows import Workflow

__all__ = [
    "DEFAULT_STORAGE",
    "Agent",
    "Defaults",
    "Duration",
    "Event",
    "Metrics",
    "RunOutput",
    "StepOutput",
    "WorkflowRunOutput",
    "ModelConfig",
    "Name",
    "ScriptedModel",
    "ScriptedResponse",
    "Spec",
    "SpecModel",
    "Step",
    "StepOptions",
    "Team",
    "ToolConfig",
    "Workflow",
    "parse_duration",
]
