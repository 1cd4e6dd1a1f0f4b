"""What the Redactor masks, and which env variables count as secrets."""

from __future__ import annotations

import pytest
from agno_dsl.interpreter.sinks.redaction import Redactor, secret_values


@pytest.mark.parametrize(
    ("text", "kept", "gone"),
    [
        ("postgresql://app:hunter2@db/prod", "postgresql://app:***@db/prod", "hunter2"),
        ("redis://:s3cretpw@cache:6379/0", "redis://:***@cache", "s3cretpw"),
        ("Authorization: Bearer abc.def-123456", "Authorization: ***", "abc.def-123456"),
        ('{"x-api-key": "k-9988776655"}', '"x-api-key": "***"', "k-9988776655"),
        ("sent bearer tok_1234567890abc", "bearer ***", "tok_1234567890abc"),
        ("key sk-proj-ABCDEFGHIJKLMNOP1234 used", "key *** used", "sk-proj-ABCDEFGHIJKLMNOP"),
        ("anthropic sk-ant-api03-AAAAAAAAAAAAAAAA", "anthropic ***", "sk-ant-api03"),
        ("aws AKIAABCDEFGHIJKLMNOP", "aws ***", "AKIAABCDEFGHIJKLMNOP"),
    ],
)
def test_credentials_are_masked_wherever_they_appear(text: str, kept: str, gone: str) -> None:
    masked = Redactor().text(text)
    assert kept in masked
    assert gone not in masked


def test_declared_secrets_are_masked_whole_and_short_values_are_not() -> None:
    redactor = Redactor(["supersecretvalue", "secret", "1"])
    assert redactor.text("a supersecretvalue b") == "a *** b"
    assert redactor.text("step 1 of 10") == "step 1 of 10"  # "1" would mask everything


def test_pii_is_masked_only_in_content_and_only_when_asked() -> None:
    text = "write to jane.doe@example.com or call +1 415 555 0100, card 4111 1111 1111 1111"
    assert Redactor().content(text) == text
    masked = Redactor(mask_pii=True).content(text)
    assert "jane.doe@example.com" not in masked and "[EMAIL]" in masked
    assert "4111" not in masked and "555 0100" not in masked
    assert Redactor(mask_pii=True).text(text) == text  # names and errors are not content


def test_secret_values_come_from_secret_names_and_secret_places() -> None:
    environ = {
        "OPENAI_API_KEY": "sk-value-1",
        "MODEL": "gpt-4.1-mini",
        "HOOK": "https://hooks.example/xyz",
        "PLAIN": "not-a-secret-place",
        "EXTRA": "listed-by-name",
    }
    references = [
        ("OPENAI_API_KEY", ("models", "fast", "id")),
        ("MODEL", ("models", "fast", "id")),
        ("HOOK", ("tools", "notify", "http", "headers", "X-Target")),
        ("PLAIN", ("models", "fast", "api_key")),
    ]
    found = secret_values(references, environ, ["EXTRA", "UNSET"])
    assert found == {
        "sk-value-1",
        "https://hooks.example/xyz",
        "not-a-secret-place",
        "listed-by-name",
    }
