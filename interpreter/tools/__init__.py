"""Tools a model may call: the common plan and call, Python functions, HTTP endpoints."""
