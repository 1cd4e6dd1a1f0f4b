"""tasks mode: agno's shared task list and the leader tools that work it.

The list lives in session_state under `_team_tasks` (agno's key and shape),
so a session carries it from run to run. Tasks have agno's statuses
(pending, in_progress, completed, failed, blocked); a task whose
dependencies (`depends_on`) are not all completed is blocked, and one whose
dependency failed fails too. Tool results, events (TeamTaskCreated,
TeamTaskUpdated) and the summary the leader reads between rounds are agno's,
word for word (agno/team/task.py, _task_tools.py).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

TASK_LIST_KEY = "_team_tasks"
STATUSES = ("pending", "in_progress", "completed", "failed", "blocked")
TERMINAL = ("completed", "failed")

# Finds a member by id (None: no such member); runs it on a task's text, giving back
# ("completed" | "failed" | "error", its content or the error, the text it streamed:
# agno's streaming path puts that before the tool's own result)
FindMember = Callable[[str], Any]
RunMember = Callable[..., Awaitable[tuple[str, Any, str]]]  # (member, text, quiet=False)


@dataclass
class Task:
    """One task of a tasks-mode team (agno's Task): what, for whom, its state."""

    title: str
    description: str = ""
    assignee: str | None = None
    dependencies: list[str] = field(default_factory=list)
    id: str = ""
    status: str = "pending"
    parent_id: str | None = None
    result: str | None = None
    notes: list[str] = field(default_factory=list)
    created_at: float = field(default_factory=time.time)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "status": self.status,
            "assignee": self.assignee,
            "parent_id": self.parent_id,
            "dependencies": self.dependencies,
            "result": self.result,
            "notes": self.notes,
            "created_at": self.created_at,
        }


@dataclass
class TaskList:
    """The tasks of a tasks-mode team, kept in session state as agno keeps them."""

    tasks: list[Task] = field(default_factory=list)
    goal_complete: bool = False
    completion_summary: str | None = None

    @classmethod
    def load(cls, state: dict[str, Any]) -> TaskList:
        data = state.get(TASK_LIST_KEY) or {}
        tasks = [Task(**item) for item in data.get("tasks", [])]
        board = cls(tasks, data.get("goal_complete", False), data.get("completion_summary"))
        board.update_blocked()
        return board

    def save(self, state: dict[str, Any]) -> None:
        state[TASK_LIST_KEY] = {
            "tasks": [task.to_dict() for task in self.tasks],
            "goal_complete": self.goal_complete,
            "completion_summary": self.completion_summary,
        }

    def get(self, task_id: str) -> Task | None:
        return next((task for task in self.tasks if task.id == task_id), None)

    def all_terminal(self) -> bool:
        return bool(self.tasks) and all(task.status in TERMINAL for task in self.tasks)

    def _blocked(self, task: Task) -> bool:
        for dep_id in task.dependencies:
            dep = self.get(dep_id)
            if dep is None or dep.status != "completed":
                return True  # an unknown dependency blocks (agno: fail-closed)
        return False

    def update_blocked(self) -> None:
        for task in self.tasks:
            if task.status == "blocked":
                failed = any(
                    (dep := self.get(d)) is not None and dep.status == "failed"
                    for d in task.dependencies
                )
                if failed:
                    task.status, task.result = (
                        "failed",
                        "Automatically failed: a dependency failed.",
                    )
                elif not self._blocked(task):
                    task.status = "pending"
            elif task.status == "pending" and self._blocked(task):
                task.status = "blocked"

    def summary(self) -> str:
        """agno's TaskList.get_summary_string."""
        if not self.tasks:
            return "No tasks created yet."
        counts: dict[str, int] = {}
        for task in self.tasks:
            counts[task.status] = counts.get(task.status, 0) + 1
        parts = ", ".join(f"{count} {status}" for status, count in counts.items())
        lines = [f"Tasks ({len(self.tasks)} total: {parts}):"]
        for task in self.tasks:
            assignee = f" (assigned: {task.assignee})" if task.assignee else " (unassigned)"
            lines.append(f"  [{task.id}] {task.title} - {task.status.upper()}{assignee}")
            if task.dependencies:
                lines.append(f"      Depends on: {task.dependencies}")
            if task.result:
                preview = task.result[:200] + "..." if len(task.result) > 200 else task.result
                lines.append(f"      Result: {preview}")
            lines.extend(f"      Note: {note}" for note in task.notes[-3:])
        if self.goal_complete and self.completion_summary:
            lines.append(f"\nGoal marked complete: {self.completion_summary}")
        return "\n".join(lines)

    def data(self) -> list[dict[str, Any]]:
        """The tasks as agno's TaskData (TeamTaskStateUpdated)."""
        shown = ("id", "title", "description", "status", "assignee", "dependencies", "result")
        return [{key: task.to_dict()[key] for key in shown} for task in self.tasks]


def state_message(board: TaskList) -> str:
    """What the leader reads at the start of every round after the first (agno)."""
    return (
        f"<current_task_state>\n{board.summary()}\n</current_task_state>\n\n"
        "Continue working on the tasks. Create, execute, or update tasks as needed. "
        "When the goal is met, write your answer and call `mark_all_complete`."
    )


class TaskTools:
    """The leader's task tools over the session's task list."""

    def __init__(
        self,
        state: dict[str, Any],
        emit: Callable[..., None],
        find_member: FindMember,
        run_member: RunMember,
        members: str,
    ) -> None:
        self.state = state
        self.emit = emit
        self.find_member = find_member
        self.run_member = run_member
        self.members = members  # the roster, for a wrong member id
        # agno's tools share one list loaded at the start of the run; blocked statuses are
        # recomputed when a task is created or its status set, and on every load
        self.board = TaskList.load(state)

    def _updated(self, task: Task, previous: str, result: str | None = None) -> None:
        self.emit(
            "TeamTaskUpdated",
            task_id=task.id,
            title=task.title,
            status=task.status,
            previous_status=previous,
            result=result,
            assignee=task.assignee,
        )

    async def create_task(self, arguments: dict[str, Any]) -> str:
        board = self.board
        title = str(arguments.get("title", ""))
        for existing in board.tasks:
            if existing.title.lower().strip() == title.lower().strip():
                return (
                    f"Task already exists: [{existing.id}] {existing.title} (status: "
                    f"{existing.status}). Use this task instead of creating a duplicate."
                )
        task = Task(
            # agno's ids are uuid4()[:8]; ours count in the same shape (00000001, ...), so a
            # scripted leader, a cookbook run and a snapshot can name them
            id=f"{len(board.tasks) + 1:08x}",
            title=title,
            description=str(arguments.get("description", "")),
            assignee=arguments.get("assignee", ""),
            dependencies=list(arguments.get("depends_on") or []),
        )
        board.tasks.append(task)
        board.update_blocked()
        board.save(self.state)
        self.emit(
            "TeamTaskCreated",
            task_id=task.id,
            title=task.title,
            description=task.description,
            assignee=task.assignee,
            status=task.status,
            dependencies=task.dependencies,
        )
        return f"Task created: [{task.id}] {task.title} (status: {task.status})"

    async def update_task_status(self, arguments: dict[str, Any]) -> str:
        status = str(arguments.get("status"))
        task_id = str(arguments.get("task_id"))
        if status not in STATUSES:
            return (
                f"Invalid status '{status}'. Must be one of: pending, in_progress, "
                "completed, failed."
            )
        if status == "blocked":
            return (
                "Cannot manually set status to 'blocked'. Blocked status is managed "
                "automatically based on task dependencies."
            )
        board = self.board
        task = board.get(task_id)
        if task is None:
            return f"Task with ID '{task_id}' not found."
        previous = task.status
        task.status = status
        if arguments.get("result") is not None:
            task.result = str(arguments["result"])
        board.update_blocked()
        board.save(self.state)
        self._updated(task, previous, task.result if status in TERMINAL else None)
        return f"Task [{task.id}] '{task.title}' updated to {task.status}."

    async def list_tasks(self, arguments: dict[str, Any]) -> str:
        return self.board.summary()

    async def add_task_note(self, arguments: dict[str, Any]) -> str:
        board = self.board
        task = board.get(str(arguments.get("task_id")))
        if task is None:
            return f"Task with ID '{arguments.get('task_id')}' not found."
        task.notes.append(str(arguments.get("note", "")))
        board.save(self.state)
        return f"Note added to task [{task.id}]."

    async def mark_all_complete(self, arguments: dict[str, Any]) -> str:
        board = self.board
        summary = str(arguments.get("summary", ""))
        board.goal_complete, board.completion_summary = True, summary
        board.save(self.state)
        return f"Goal marked as complete. Summary: {summary}"

    async def execute_task(self, arguments: dict[str, Any]) -> str:
        task_id, member = str(arguments.get("task_id")), str(arguments.get("member_id"))
        board = self.board
        task = board.get(task_id)
        if task is None:
            return f"Task with ID '{task_id}' not found."
        if task.status not in ("pending", "in_progress"):
            return f"Task [{task_id}] is {task.status} and cannot be executed."
        runner = self.find_member(member)
        if runner is None:
            return f"Member with ID {member} not found. Available members:\n{self.members}"
        previous = task.status
        task.status, task.assignee = "in_progress", member
        board.save(self.state)
        self._updated(task, previous)
        outcome = await self.run_member(runner, task.description or task.title)
        return self._finish(board, task, outcome)

    def _finish(self, board: TaskList, task: Task, outcome: tuple[str, Any, str]) -> str:
        status, content, streamed = outcome
        return streamed + self._record(board, task, status, content)

    def _record(self, board: TaskList, task: Task, status: str, content: Any) -> str:
        if status == "error":
            task.status, task.result = "failed", f"Member execution error: {content}"
            board.save(self.state)
            return f"Task [{task.id}] failed due to member execution error: {content}"
        if status == "failed":
            task.status, task.result = "failed", str(content) if content else "Task failed"
            text = f"Task [{task.id}] failed: {task.result}"
        elif content:
            task.status, task.result = "completed", str(content)
            text = f"Task [{task.id}] completed. Result: {task.result}"
        else:
            task.status, task.result = "completed", "No content returned"
            text = f"Task [{task.id}] completed with no content."
        board.save(self.state)
        self._updated(task, "in_progress", task.result)
        return text

    async def execute_tasks_parallel(self, arguments: dict[str, Any]) -> str:
        board = self.board
        chosen: list[Task] = []
        for task_id in [str(t) for t in arguments.get("task_ids") or []]:
            task = board.get(task_id)
            if task is None:
                return f"Task '{task_id}' not found."
            if task.status not in ("pending", "in_progress"):
                return f"Task [{task_id}] is {task.status}, cannot execute."
            if not task.assignee:
                return f"Task [{task_id}] has no assignee. Assign a member_id first."
            chosen.append(task)
        if not chosen:
            return "No valid tasks to execute."
        runners = []
        for task in chosen:
            runner = self.find_member(str(task.assignee))
            if runner is None:
                return f"Member '{task.assignee}' not found for task [{task.id}]."
            runners.append(runner)
        for task in chosen:
            previous, task.status = task.status, "in_progress"
            self._updated(task, previous)
        board.save(self.state)
        outcomes = await asyncio.gather(
            *(
                self.run_member(runner, task.description or task.title, True)
                for runner, task in zip(runners, chosen, strict=True)
            )
        )
        lines = []
        for task, (status, content, _) in zip(chosen, outcomes, strict=True):
            # agno runs a batch's members without streaming: only the results are read
            lines.append(self._record(board, task, status, content))
        return "\n".join(lines)
