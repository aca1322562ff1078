"""The CDR CSV format and its one set of rules, for the rating command and for uploaded files.

Columns (any order, extra columns ignored): `call_id,start,direction,account,caller,destination,duration,
disposition,onnet`. A row is refused unless `call_id` and `account` are non-empty, `direction` is out|in,
`destination` is ASCII digits, `duration` whole seconds, `onnet` 0|1, the disposition one of
`enums.Disposition` and `start` an ISO 8601 time (no offset means UTC). A repeated `call_id` is refused.
Blank lines are skipped. `cli` applies the same rules in its inlined fast path and calls `check_fields`
for any spelling it has not seen yet.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from .deck import LineError
from .enums import Disposition
from .rating import Call

CDR_COLUMNS = ("call_id", "start", "direction", "account", "caller", "destination", "duration", "disposition", "onnet")


class CdrFileError(ValueError):
    """The rows of a CDR file that break the rules (the first `max_problems` of them), each a LineError."""

    def __init__(self, problems: list[LineError]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def parse_header(header: list[str] | None, source: str) -> list[str]:
    """The header's column names (trimmed, lower case); LineError when a CDR column is missing."""
    if header is None:
        raise LineError(source, 1, "empty file; expected header " + ",".join(CDR_COLUMNS))
    cols = [h.strip().lower() for h in header]
    missing = [c for c in CDR_COLUMNS if c not in cols]
    if missing:
        raise LineError(source, 1, f"header lacks column(s) {', '.join(missing)}")
    return cols


def is_blank(row: list[str]) -> bool:
    """A blank line (skipped)."""
    return not row or row == [""]


def check_fields(row: list[str], source: str, line: int) -> tuple[str, bool, str, int]:
    """(direction, onnet, disposition, duration) of a row in CDR_COLUMNS order; LineError saying what is wrong."""
    cid, _start, direction_s, account, _caller, dest, dur, disposition, onnet_s = row
    if not cid:
        raise LineError(source, line, "call_id: empty")
    direction = direction_s.strip().lower()
    if direction not in ("out", "in"):
        raise LineError(source, line, f"direction: {direction_s!r} is not 'out' or 'in'")
    if not account.strip():
        raise LineError(source, line, "account: empty")
    if not dest.isascii() or not dest.isdigit():
        raise LineError(source, line, f"destination: {dest!r} is not digits in international form (no +)")
    if not dur.isascii() or not dur.strip().isdigit():
        raise LineError(source, line, f"duration: {dur!r} is not a whole number of seconds")
    onnet = onnet_s.strip()
    if onnet not in ("0", "1"):
        raise LineError(source, line, f"onnet: {onnet_s!r} is not 0 or 1")
    try:
        parsed = Disposition.parse(disposition)
    except ValueError as e:
        raise LineError(source, line, str(e)) from None
    return direction, onnet == "1", parsed.value, int(dur)


def parse_start(text: str, source: str, line: int) -> datetime:
    """The call's start as an aware UTC time (a time without an offset is UTC)."""
    try:
        start = datetime.fromisoformat(text)
    except ValueError:
        raise LineError(source, line, f"start: {text!r} is not an ISO 8601 time") from None
    return start.replace(tzinfo=UTC) if start.tzinfo is None else start.astimezone(UTC)


def to_call(row: list[str], source: str, line: int) -> Call:
    """One row in CDR_COLUMNS order as a Call to rate."""
    direction, onnet, disposition, duration = check_fields(row, source, line)
    cid, start_s, _direction, account, caller, dest, _dur, _disposition, _onnet = row
    return Call(
        call_id=cid,
        start=parse_start(start_s, source, line),
        direction=direction,
        account=account,
        caller=caller,
        destination=dest,
        duration=duration,
        disposition=disposition,
        onnet=onnet,
    )


def read_calls(text: str, source: str = "cdrs.csv", max_problems: int = 20) -> list[Call]:
    """Every call of a CDR CSV held in memory; CdrFileError with the first `max_problems` bad rows."""
    reader = csv.reader(io.StringIO(text))
    try:
        cols = parse_header(next(reader, None), source)
    except LineError as e:
        raise CdrFileError([e]) from None
    pick = [cols.index(c) for c in CDR_COLUMNS]
    calls: list[Call] = []
    problems: list[LineError] = []
    first_line: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        if is_blank(row):
            continue
        try:
            if len(row) != len(cols):
                raise LineError(source, line, f"expected {len(cols)} fields, got {len(row)}")
            call = to_call([row[i] for i in pick], source, line)
            seen = first_line.setdefault(call.call_id, line)
            if seen != line:
                raise LineError(source, line, f"call_id: {call.call_id!r} already on line {seen}")
            calls.append(call)
        except LineError as e:
            problems.append(e)
            if len(problems) >= max_problems:
                break
    if problems:
        raise CdrFileError(problems)
    return calls
