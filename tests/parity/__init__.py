"""The parity suite: agno 3.1.10 itself beside agno-dsl, pair by pair (see README.md)."""
