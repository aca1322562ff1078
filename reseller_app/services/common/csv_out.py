"""The one CSV writer of every export: a cell a spreadsheet would run as a formula is neutralised.

Spreadsheet programs treat a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return as a formula
(CSV injection: `=HYPERLINK(...)` in a signup name reaching a reseller's export). Every text cell that starts with
one of them gets a leading apostrophe, which spreadsheets show as text. A plain number (`-12.5`, `+15145550100`)
is not a formula and is left as it is, so amounts stay numbers.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from decimal import Decimal

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def safe_cell(value: object) -> object:
    """The value as it may go into a CSV cell: text that would start a formula gets a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float | Decimal):
        return value
    text = str(value)
    if text.startswith(FORMULA_START) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def csv_line(values: Iterable[object], *, lineterminator: str = "\r\n") -> str:
    """One CSV line of neutralised cells."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator=lineterminator).writerow([safe_cell(v) for v in values])
    return buf.getvalue()


def csv_text(rows: Iterable[Iterable[object]], *, lineterminator: str = "\r\n") -> str:
    """A whole (small) CSV document of neutralised cells."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator=lineterminator)
    for row in rows:
        w.writerow([safe_cell(v) for v in row])
    return buf.getvalue()


def csv_chunks(rows: Iterable[Iterable[object]], *, every: int = 500) -> Iterator[str]:
    """Stream CSV text of neutralised cells, `every` rows at a time (flat memory for a million rows)."""
    buf = io.StringIO()
    w = csv.writer(buf)
    n = 0
    for row in rows:
        w.writerow([safe_cell(v) for v in row])
        n += 1
        if n % every == 0:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    rest = buf.getvalue()
    if rest:
        yield rest
