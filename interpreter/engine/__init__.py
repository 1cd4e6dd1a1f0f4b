"""The workflow engine: the scheduler, what each kind of step does, blocks, whole workflow runs."""
