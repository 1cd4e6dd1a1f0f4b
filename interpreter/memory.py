"""User memories as agno's MemoryManager keeps them: extraction, the agentic tool, the context.

Three agent options, with agno's defaults (all off; `add_memories_to_context`
follows the other two when not set):
- `update_memory_on_run`: after the run a memory model reads the user's
  message and adds, updates or deletes memories with agno's tools
  (`add_memory`, `update_memory`, `delete_memory`) under agno's system prompt.
- `enable_agentic_memory`: the agent gets agno's `update_user_memory(task)`
  tool, which hands the task to the memory model (add and update only, as
  the MemoryManager an agno Agent makes for itself).
- `add_memories_to_context`: the user's memories go into the system message
  in agno's words.

The memory model's turns are not events of the run (agno's are not either);
its tokens count towards the run's as agno's background memory task does:
the last request of its tool loop (agno's `response_usage` keeps the last).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from ..schemas.outputs import Message
from .providers import Model
from .storage.memories import MemoryStore, now_epoch_s

DEFAULT_USER = "default"  # agno's user when a run names none

_CAPTURE = """\
Memories should capture personal information about the user that is relevant to the current conversation, such as:
- Personal facts: name, age, occupation, location, interests, and preferences
- Opinions and preferences: what the user likes, dislikes, enjoys, or finds frustrating
- Significant life events or experiences shared by the user
- Important context about the user's current situation, challenges, or goals
- Any other details that offer meaningful insight into the user's personality, perspective, or needs
"""  # noqa: E501

_MANAGER_PROMPT = [
    "You are a Memory Manager that is responsible for managing information and preferences about the user. "  # noqa: E501
    "You will be provided with a criteria for memories to capture in the <memories_to_capture> section and a list of existing memories in the <existing_memories> section.",  # noqa: E501
    "",
    "## When to add or update memories",
    "- Your first task is to decide if a memory needs to be added, updated, or deleted based on the user's message OR if no changes are needed.",  # noqa: E501
    "- If the user's message meets the criteria in the <memories_to_capture> section and that information is not already captured in the <existing_memories> section, you should capture it as a memory.",  # noqa: E501
    "- If the users messages does not meet the criteria in the <memories_to_capture> section, no memory updates are needed.",  # noqa: E501
    "- If the existing memories in the <existing_memories> section capture all relevant information, no memory updates are needed.",  # noqa: E501
    "",
    "## How to add or update memories",
    "- If you decide to add a new memory, create memories that captures key information, as if you were storing it for future reference.",  # noqa: E501
    "- Memories should be a brief, third-person statements that encapsulate the most important aspect of the user's input, without adding any extraneous information.",  # noqa: E501
    "  - Example: If the user's message is 'I'm going to the gym', a memory could be `John Doe goes to the gym regularly`.",  # noqa: E501
    "  - Example: If the user's message is 'My name is John Doe', a memory could be `User's name is John Doe`.",  # noqa: E501
    "- Don't make a single memory too long or complex, create multiple memories if needed to capture all the information.",  # noqa: E501
    "- Don't repeat the same information in multiple memories. Rather update existing memories if needed.",  # noqa: E501
    "- If a user asks for a memory to be updated or forgotten, remove all reference to the information that should be forgotten. Don't say 'The user used to like ...`",  # noqa: E501
    "- When updating a memory, append the existing memory with new information rather than completely overwriting it.",  # noqa: E501
    "- When a user's preferences change, update the relevant memories to reflect the new preferences but also capture what the user's preferences used to be and what has changed.",  # noqa: E501
    "",
    "## Criteria for creating memories",
    "Use the following criteria to determine if a user's message should be captured as a memory.",
    "",
    "<memories_to_capture>",
    _CAPTURE,
    "</memories_to_capture>",
    "",
    "## Updating memories",
    "You will also be provided with a list of existing memories in the <existing_memories> section. You can:",  # noqa: E501
    "  - Decide to make no changes.",
]

_TOOL_LINES = {
    "add_memory": "  - Decide to add a new memory, using the `add_memory` tool.",
    "update_memory": "  - Decide to update an existing memory, using the `update_memory` tool.",
    "delete_memory": "  - Decide to delete an existing memory, using the `delete_memory` tool.",
    "clear_memory": "  - Decide to clear all memories, using the `clear_memory` tool.",
}

_TOPICS = {
    "type": "array",
    "items": {"type": "string"},
    "description": '(Optional[List[str]]) The topics of the memory (e.g. ["name", "hobbies", "location"]).',  # noqa: E501
}


def _text(description: str) -> dict[str, str]:
    return {"type": "string", "description": description}


def _strict(description: str, properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "description": description,
        "parameters": {
            "type": "object",
            "properties": properties,
            "additionalProperties": False,
            "required": list(properties),
        },
        "strict": True,
    }


# The memory model's tools, as agno's MemoryManager declares them (strict functions).
MANAGER_TOOLS: dict[str, dict[str, Any]] = {
    "add_memory": _strict(
        "Use this function to add a memory to the database.",
        {
            "memory": {"type": "string", "description": "(str) The memory to be added."},
            "topics": _TOPICS,
        },
    ),
    "update_memory": _strict(
        "Use this function to update an existing memory in the database.",
        {
            "memory_id": {
                "type": "string",
                "description": "(str) The id of the memory to be updated.",
            },
            "memory": {"type": "string", "description": "(str) The updated memory."},
            "topics": _TOPICS,
        },
    ),
    "delete_memory": _strict(
        "Use this function to delete a single memory from the database.",
        {
            "memory_id": {
                "type": "string",
                "description": "(str) The id of the memory to be deleted.",
            }
        },
    ),
    "clear_memory": _strict(
        "Use this function to remove all (or clear all) memories from the database.", {}
    ),
}

# The agent's tool with agentic memory (agno's async variant: agno-dsl runs are async).
AGENTIC_TOOL_NAME = "update_user_memory"
AGENTIC_TOOL_DESCRIPTION = (
    "Use this function to update the Agent's memory of a user.\n"
    "Describe the task in detail and be specific.\n"
    "The task can include adding a memory, updating a memory, deleting a memory, "
    "or clearing all memories."
)
AGENTIC_TOOL_PARAMETERS: dict[str, Any] = {
    "type": "object",
    "properties": {
        "task": {
            "type": "string",
            "description": "The task to update the memory. Be specific and describe the task in detail.",  # noqa: E501
        }
    },
    "required": ["task"],
    "additionalProperties": False,
}

_AGENTIC_CONTEXT = (
    "\n<updating_user_memories>\n"
    "- You have access to the `update_user_memory` tool that you can use to add new memories, update existing memories, delete memories, or clear all memories.\n"  # noqa: E501
    "- If the user's message includes information that should be captured as a memory, use the `update_user_memory` tool to update your memory database.\n"  # noqa: E501
    "- Memories should include details that could personalize ongoing interactions with the user.\n"  # noqa: E501
    "- Use this tool to add new memories or update existing memories that you identify in the conversation.\n"  # noqa: E501
    "- Use this tool if the user asks to update their memory, delete a memory, or clear all memories.\n"  # noqa: E501
    "- If you use the `update_user_memory` tool, remember to pass on the response to the user.\n"
    "</updating_user_memories>\n\n"
)


def memories_context(memories: list[dict[str, Any]], agentic: bool) -> str:
    """What agno adds to the system message about the user's memories."""
    if memories:
        text = (
            "You have access to user info and preferences from previous interactions that you can use to personalize your response:\n\n"  # noqa: E501
            "<memories_from_previous_interactions>"
        )
        text += "".join(f"\n- {m['memory']}" for m in memories)
        text += "\n</memories_from_previous_interactions>\n\n"
        text += (
            "Note: this information is from previous interactions and may be updated in this conversation. "  # noqa: E501
            "You should always prefer information from this conversation over the past memories.\n"
        )
    else:
        text = (
            "You have the capability to retain memories from previous interactions with the user, "
            "but have not had any interactions with the user yet.\n"
        )
    return text + (_AGENTIC_CONTEXT if agentic else "")


def manager_prompt(existing: list[dict[str, Any]], tools: list[str]) -> str:
    """agno's MemoryManager system message for these tools and existing memories."""
    lines = [*_MANAGER_PROMPT, *(_TOOL_LINES[t] for t in tools)]
    lines += [
        "You can call multiple tools in a single response if needed. ",
        "Only add or update memories if it is necessary to capture key information provided by the user.",  # noqa: E501
    ]
    if existing:
        lines.append("\n<existing_memories>")
        for memory in existing:
            lines += [f"ID: {memory['memory_id']}", f"Memory: {memory['memory']}", ""]
        lines.append("</existing_memories>")
    return "\n".join(lines)


@dataclass
class MemoryOutcome:
    """What a memory model's work left: its answer, whether it changed memories, tokens."""

    content: str
    updated: bool
    input_tokens: int = 0
    output_tokens: int = 0


@dataclass
class MemoryManager:
    """agno's MemoryManager for one user of one agent, on a store."""

    model: Model
    store: MemoryStore
    user_id: str
    agent_id: str | None = None

    async def create_user_memories(self, message: str) -> MemoryOutcome:
        """After a run (update_memory_on_run): add, update or delete from the user's message."""
        return await self._work(
            message,
            Message(role="user", content=message),
            ["add_memory", "update_memory", "delete_memory"],
        )

    async def update_memory_task(self, task: str) -> MemoryOutcome:
        """The agentic tool's task: add or update (agno's Agent turns delete and clear off)."""
        return await self._work(
            task, Message(role="user", content=task), ["add_memory", "update_memory"]
        )

    async def _work(self, source: str, user: Message, tools: list[str]) -> MemoryOutcome:
        existing = await self.store.get_user_memories(self.user_id)
        messages = [
            Message(role="system", content=manager_prompt(existing, tools)),
            user,
        ]
        schemas = [{"type": "function", "function": {"name": t, **MANAGER_TOOLS[t]}} for t in tools]
        updated = False
        while True:
            # agno's MemoryManager asks with no run: as no agent (the scripted cursor "")
            response = await self.model.respond(messages, agent="", tools=schemas)
            if not response.tool_calls:
                return MemoryOutcome(
                    response.content or "No response from model",
                    updated,
                    response.input_tokens,
                    response.output_tokens,
                )
            updated = True
            messages.append(response.assistant_message())
            for call in response.tool_calls:
                result = await self._tool(call.name, call.arguments, source)
                messages.append(
                    Message(role="tool", content=result, tool_call_id=call.id, name=call.name)
                )

    async def _tool(self, name: str, arguments: dict[str, Any], source: str) -> str:
        """One of agno's memory tools, with agno's answers."""
        try:
            if name == "add_memory":
                await self._save(str(uuid.uuid4()), arguments, source)
                return "Memory added successfully"
            if name == "update_memory":
                if arguments.get("memory") == "":
                    return "Can't update memory with empty string. Use the delete memory function if available."  # noqa: E501
                await self._save(str(arguments["memory_id"]), arguments, source)
                return "Memory updated successfully"
            if name == "delete_memory":
                await self.store.delete_user_memory(str(arguments["memory_id"]), self.user_id)
                return "Memory deleted successfully"
        except (KeyError, TypeError):
            return f"Error running {name}: {json.dumps(arguments)}"
        return f"Function {name} not found"

    async def _save(self, memory_id: str, arguments: dict[str, Any], source: str) -> None:
        now = now_epoch_s()
        await self.store.upsert_user_memory(
            {
                "memory_id": memory_id,
                "memory": str(arguments["memory"]),
                "topics": arguments.get("topics"),
                "user_id": self.user_id,
                "input": source,
                "agent_id": self.agent_id,
                "created_at": now,
                "updated_at": now,
            }
        )
