"""interpreter/context.py: run ids."""

from __future__ import annotations

import uuid

from agno_dsl.interpreter.context import new_id


def test_ids_are_random_uuid4_text_like_str_uuid4() -> None:
    ids = [new_id() for _ in range(2000)]
    assert len(set(ids)) == len(ids)
    for value in ids:
        parsed = uuid.UUID(value)
        assert str(parsed) == value  # lowercase, hyphenated, as str(uuid.uuid4())
        assert parsed.version == 4
        assert parsed.variant == uuid.RFC_4122
    # Every bit outside the version and variant varies across ids.
    fixed = ~((0xF << 76) | (0x3 << 62)) & ((1 << 128) - 1)
    varying = 0
    for value in ids:
        varying |= uuid.UUID(value).int ^ uuid.UUID(ids[0]).int
    assert varying == fixed
