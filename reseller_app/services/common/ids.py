"""Ids from URLs, forms and events: a positive whole number that fits the database's id columns, or nothing.

A made-up id such as 99999999999999999999999 (or a huge negative) must be a polite "not found", never a 500: SQLite
cannot bind an integer past 64 bits and PostgreSQL's `integer` ids stop at 2**31 - 1.
"""

from __future__ import annotations

MAX_ID = 2**31 - 1


def to_id(raw: object) -> int | None:
    """The id as an int when `raw` is one (1 .. MAX_ID, ASCII digits or an int), else None."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        value = raw
    else:
        text = str(raw if raw is not None else "").strip()
        if not text or len(text) > 10 or not (text.isascii() and text.isdigit()):
            return None
        value = int(text)
    return value if 1 <= value <= MAX_ID else None
