"""The agent loop: one agent run (model <-> tools), teams of agents, hooks and guardrails."""
