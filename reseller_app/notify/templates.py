"""Fill `[placeholder]` fields in the reseller's plain-text message templates."""

from __future__ import annotations

import re

_PLACEHOLDER = re.compile(r"\[([A-Za-z_][A-Za-z0-9_]*)\]")


def render(text: str, **values: object) -> str:
    """Replace each `[name]` given in `values` with str(value); unknown placeholders are left untouched."""

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        return str(values[name]) if name in values else match.group(0)

    # One pass, so a value that itself contains "[x]" is never expanded again.
    return _PLACEHOLDER.sub(fill, text)
