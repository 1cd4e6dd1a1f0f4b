"""`agno-dsl batch`: one recorded run per row of a dataset, resumable, with progress.

inputs (reading JSONL, CSV, Parquet rows) → driver (rows to runs, in order,
resume, failure budget) → an executor (local: one event loop; ray: async
actors on a cluster) → results (in input order) and progress (a live bar).
"""
