"""Pydantic data contracts of agno-dsl: the language (Spec) and run results."""

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
