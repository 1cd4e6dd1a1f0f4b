"""`python -m agno_dsl` runs the CLI."""

from .cli import main

main()
