# ruff: noqa: E501  (agno's descriptions, kept whole)
"""The leader tools agno offers a team's model: agno 3.1.10's exact names, descriptions and
JSON schemas (from its Function.from_callable of agno/team/_default_tools.py and
_task_tools.py), so a real model calls them as it would call agno's. tests/parity checks
them against agno's own."""

from __future__ import annotations

from typing import Any

LEADER_TOOLS: dict[str, dict[str, Any]] = {
    "delegate_task_to_member": {
        "description": "Use this function to delegate a task to the selected team member.",
        "parameters": {
            "type": "object",
            "properties": {
                "member_id": {
                    "type": "string",
                    "description": "(str) The ID of the member to delegate the task to, exactly as it appears in <team_members>.",
                },
                "task": {
                    "type": "string",
                    "description": "(str) A clear and concise description of the task the member should achieve, including what a good result looks like.",
                },
            },
            "required": ["member_id", "task"],
            "additionalProperties": False,
        },
    },
    "delegate_task_to_members": {
        "description": "Use this function to send one task to every member agent and return their responses.\nOne call reaches all members; do not call it once per member.",
        "parameters": {
            "type": "object",
            "properties": {
                "task": {
                    "type": "string",
                    "description": "(str) A clear and concise description of the task to send to member agents, including what a good result looks like.",
                }
            },
            "required": ["task"],
            "additionalProperties": False,
        },
    },
    "add_task_note": {
        "description": "Add a note to a task for tracking progress or communicating context.",
        "parameters": {
            "type": "object",
            "properties": {
                "task_id": {"type": "string", "description": "(str) The ID of the task."},
                "note": {"type": "string", "description": "(str) The note to add."},
            },
            "required": ["task_id", "note"],
            "additionalProperties": False,
        },
    },
    "create_task": {
        "description": "Create a new task for the team to work on.",
        "parameters": {
            "type": "object",
            "properties": {
                "title": {
                    "type": "string",
                    "description": "(str) A short, actionable title for the task.",
                },
                "description": {
                    "type": "string",
                    "description": "(str) Detailed description of what needs to be done.",
                },
                "assignee": {
                    "type": "string",
                    "description": "(str) The member_id to assign this task to. Must be a valid member_id.",
                },
                "depends_on": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": "(list) List of task IDs that must complete before this task can start.",
                },
            },
            "required": ["title"],
            "additionalProperties": False,
        },
    },
    "execute_task": {
        "description": "Execute a task by delegating it to a team member. The member will receive the task\ndescription and return a result.",
        "parameters": {
            "type": "object",
            "properties": {
                "task_id": {
                    "type": "string",
                    "description": "(str) The ID of the task to execute.",
                },
                "member_id": {
                    "type": "string",
                    "description": "(str) The ID of the member to execute the task.",
                },
            },
            "required": ["task_id", "member_id"],
            "additionalProperties": False,
        },
    },
    "execute_tasks_parallel": {
        "description": "Execute multiple independent tasks in parallel by delegating each to its assigned member.\nAll tasks must be pending with no unresolved dependencies.",
        "parameters": {
            "type": "object",
            "properties": {
                "task_ids": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": "(list) List of task IDs to execute concurrently.",
                }
            },
            "required": ["task_ids"],
            "additionalProperties": False,
        },
    },
    "list_tasks": {
        "description": "List all tasks with their current status, assignees, and dependencies.",
        "parameters": {"type": "object", "properties": {}, "required": []},
    },
    "mark_all_complete": {
        "description": "Signal that the overall goal has been achieved. Call this when all tasks are done.",
        "parameters": {
            "type": "object",
            "properties": {
                "summary": {
                    "type": "string",
                    "description": "(str) A summary of the work done and the final outcome.",
                }
            },
            "required": ["summary"],
            "additionalProperties": False,
        },
    },
    "update_task_status": {
        "description": "Update the status of a task. Use this to mark tasks you handle yourself as completed.",
        "parameters": {
            "type": "object",
            "properties": {
                "task_id": {"type": "string", "description": "(str) The ID of the task to update."},
                "status": {
                    "type": "string",
                    "description": "(str) New status. One of: pending, in_progress, completed, failed.",
                },
                "result": {
                    "type": "string",
                    "description": "(str) The result or outcome of the task (when completing).",
                },
            },
            "required": ["task_id", "status"],
            "additionalProperties": False,
        },
    },
}

# tasks mode: agno's order
TASK_TOOLS = (
    "create_task",
    "update_task_status",
    "list_tasks",
    "add_task_note",
    "mark_all_complete",
    "execute_task",
    "execute_tasks_parallel",
)
