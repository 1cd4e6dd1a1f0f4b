"""What telemetry may not carry out of the process, and the masks put in its place.

Every string that goes into a span, a span event, a metric attribute or a
stored span passes through `Redactor.text`: known secret values (API keys,
header values, env variables the spec marks as secret) become `***`, a
password in a URL becomes `***`, credential headers and bearer tokens keep
their name and lose their value, and provider key shapes (`sk-…`) are masked
even when nobody declared them. PII masking is for captured content only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..errors import without_url_passwords

MASK = "***"
# Shorter values would mask ordinary words ("1", "yes") all over a trace.
_MIN_SECRET_LENGTH = 6

# Names (of env variables, or of the spec keys they fill) that say "secret".
SECRET_NAME = re.compile(
    r"key|token|secret|passw|pwd|auth|credential|private|cookie|session_?id", re.IGNORECASE
)
_CREDENTIAL_HEADER = re.compile(
    r"(?P<head>\b(?:authorization|proxy-authorization|x-api-key|api-key|apikey|x-auth-token"
    r"|cookie|set-cookie)\b[\"']?\s*[:=]\s*[\"']?)(?:(?:bearer|basic|token)\s+)?[^\s\"',;}]+",
    re.IGNORECASE,
)
_BEARER = re.compile(r"(?P<head>\b(?:bearer|basic)\s+)[A-Za-z0-9._~+/=-]{8,}", re.IGNORECASE)
# Key shapes of the providers we talk to (OpenAI, Anthropic, GitHub, AWS, Slack, Google).
_KEY_SHAPES = re.compile(
    r"\b(?:sk-(?:ant-|proj-)?[A-Za-z0-9_-]{12,}|gh[pousr]_[A-Za-z0-9]{20,}"
    r"|AKIA[0-9A-Z]{16}|xox[abpr]-[A-Za-z0-9-]{10,}|AIza[0-9A-Za-z_-]{30,})"
)
_PII = (
    (re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b"), "[EMAIL]"),
    (re.compile(r"\b(?:\d[ -]?){13,19}\b"), "[CARD]"),
    (
        re.compile(r"(?<![\w+])\+?\d{1,3}?[ .-]?\(?\d{2,4}\)?[ .-]?\d{3,4}[ .-]?\d{3,4}\b"),
        "[PHONE]",
    ),
    (re.compile(r"\b\d{3}-\d{2}-\d{4}\b"), "[SSN]"),
)


class Redactor:
    """Masks secrets in any text; PII too when asked."""

    def __init__(self, secrets: Iterable[str] = (), *, mask_pii: bool = False) -> None:
        # Longest first, so a secret that contains another is masked whole.
        self.secrets = sorted(
            {s for s in secrets if s and len(s) >= _MIN_SECRET_LENGTH}, key=len, reverse=True
        )
        self.mask_pii = mask_pii

    def text(self, value: str) -> str:
        """`value` with every secret masked."""
        for secret in self.secrets:
            if secret in value:
                value = value.replace(secret, MASK)
        if "://" in value:
            value = without_url_passwords(value)
        value = _CREDENTIAL_HEADER.sub(rf"\g<head>{MASK}", value)
        value = _BEARER.sub(rf"\g<head>{MASK}", value)
        return _KEY_SHAPES.sub(MASK, value)

    def content(self, value: str) -> str:
        """Captured content (inputs, outputs, tool arguments): secrets, then PII."""
        value = self.text(value)
        if self.mask_pii:
            for pattern, mask in _PII:
                value = pattern.sub(mask, value)
        return value


def secret_values(
    references: Iterable[tuple[str, tuple[str | int, ...]]],
    environ: dict[str, str],
    extra_names: Iterable[str] = (),
) -> set[str]:
    """Values of the env variables a spec uses as secrets.

    A reference is a secret when its variable's name says so (`OPENAI_API_KEY`)
    or the spec key it fills does (`api_key:`, a header named `Authorization`,
    `headers:` of a telemetry section); `telemetry.redact` names more.
    """
    values = set()
    for name, path in references:
        keys = [str(part) for part in path]
        secret = SECRET_NAME.search(name) or any(
            SECRET_NAME.search(k) or k == "headers" for k in keys
        )
        if secret and environ.get(name):
            values.add(environ[name])
    for name in extra_names:
        if environ.get(name):
            values.add(environ[name])
    return values
