"""Event sinks: where the events of a run go besides the caller."""
