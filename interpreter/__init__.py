"""The agno-dsl runtime: runs compiled plans concurrently and reports events."""
