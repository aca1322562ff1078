"""The MESSAGES.csv format: text messages to re-price, for the rating command and the profit simulator's upload.

Columns (any order, extra columns ignored): `message_id,kind,direction` and at least one of `parts` and `text`.

- `message_id`: non-empty and not repeated; `kind`: sms or mms; `direction`: out or in (case-insensitive).
- `parts`: a whole number from 1 to 10, the parts of an SMS. Left empty (or absent), the parts are counted from
  `text` as live billing counts them (`messages.billed_parts`: GSM-7 / UCS-2 segments, at least 1, at most 10).
  An MMS is one message: its `parts` must be empty or 1.

Each message is priced with `messages.price_message`, the function live billing posts with (rounded once: rate
6 places, amount `round4(rate × units)`). Blank lines are skipped; the first bad row is a LineError naming its line
(`read_messages` collects up to `max_problems` of them in a MessageFileError).

The rated output, one line per message in input order: `message_id,kind,direction,parts,units,cost_rate,cost,
sell_rate,price,profit,rule` (rule: `package` for the package's own rate, `markup` for the cost with the markup).
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from .deck import LineError
from .messages import MAX_PARTS, MessageKind, MessageRates, PricedMessage, billed_parts, price_for_package
from .money import ZERO, fmt_money, fmt_rate
from .package import PackageRules

MESSAGE_COLUMNS = ("message_id", "kind", "direction")
PARTS_COLUMNS = ("parts", "text")  # at least one of them
RATED_MESSAGE_COLUMNS = (
    "message_id",
    "kind",
    "direction",
    "parts",
    "units",
    "cost_rate",
    "cost",
    "sell_rate",
    "price",
    "profit",
    "rule",
)


class MessageFileError(ValueError):
    """The rows of a MESSAGES.csv that break the rules (the first `max_problems` of them), each a LineError."""

    def __init__(self, problems: list[LineError]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class MessageRow:
    """One message to price: its id, kind, direction and the parts it is priced with."""

    message_id: str
    kind: MessageKind
    direction: str
    parts: int


@dataclass(frozen=True, slots=True)
class MessageTotals:
    """Counts and sums of priced messages (exact: each amount is already rounded once)."""

    messages: int = 0
    parts: int = 0
    cost: Decimal = ZERO
    price: Decimal = ZERO

    @property
    def profit(self) -> Decimal:
        """Price − cost."""
        return self.price - self.cost

    def plus(self, priced: PricedMessage, parts: int, count: int = 1) -> MessageTotals:
        """These totals with `count` messages of one price added."""
        return MessageTotals(
            self.messages + count,
            self.parts + parts * count,
            self.cost + priced.cost * count,
            self.price + priced.price * count,
        )


def _header(header: list[str] | None, source: str) -> list[str]:
    if header is None:
        raise LineError(source, 1, "empty file; expected header " + ",".join((*MESSAGE_COLUMNS, "parts|text")))
    cols = [h.strip().lower() for h in header]
    missing = [c for c in MESSAGE_COLUMNS if c not in cols]
    if not any(c in cols for c in PARTS_COLUMNS):
        missing.append("parts or text")
    if missing:
        raise LineError(source, 1, f"header lacks column(s) {', '.join(missing)}")
    return cols


def _row(cells: dict[str, str], source: str, line: int) -> MessageRow:
    mid = cells["message_id"]
    if not mid.strip():
        raise LineError(source, line, "message_id: empty")
    kind_s, direction_s = cells["kind"], cells["direction"]
    kind = kind_s.strip().lower()
    if kind not in ("sms", "mms"):
        raise LineError(source, line, f"kind: {kind_s!r} is not 'sms' or 'mms'")
    direction = direction_s.strip().lower()
    if direction not in ("out", "in"):
        raise LineError(source, line, f"direction: {direction_s!r} is not 'out' or 'in'")
    raw = cells.get("parts", "").strip()
    if raw:
        if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_PARTS:
            raise LineError(source, line, f"parts: {raw!r} is not a whole number from 1 to {MAX_PARTS}")
        if kind == "mms" and int(raw) != 1:
            raise LineError(source, line, "parts: an MMS is one message (leave parts empty or 1)")
        parts = int(raw)
    else:
        parts = billed_parts(MessageKind(kind), cells.get("text", ""))
    return MessageRow(mid, MessageKind(kind), direction, parts)


def iter_messages(rows: Iterable[list[str]], source: str) -> Iterable[tuple[int, MessageRow | LineError]]:
    """(line, message or what is wrong with it) for each non-blank row of a csv reader's rows; header first.

    A LineError about the header is raised, not yielded.
    """
    reader = iter(rows)
    cols = _header(next(reader, None), source)
    first_line: dict[str, int] = {}
    line = 1
    for row in reader:
        line = getattr(rows, "line_num", line + 1)
        if not row or row == [""]:
            continue
        try:
            if len(row) != len(cols):
                raise LineError(source, line, f"expected {len(cols)} fields, got {len(row)}")
            msg = _row(dict(zip(cols, row, strict=True)), source, line)
            seen = first_line.setdefault(msg.message_id, line)
            if seen != line:
                raise LineError(source, line, f"message_id: {msg.message_id!r} already on line {seen}")
            yield line, msg
        except LineError as e:
            yield line, e


def read_messages(text: str, source: str = "messages.csv", max_problems: int = 20) -> list[MessageRow]:
    """Every message of a MESSAGES.csv held in memory; MessageFileError with the first `max_problems` bad rows."""
    problems: list[LineError] = []
    out: list[MessageRow] = []
    try:
        for _line, item in iter_messages(csv.reader(io.StringIO(text)), source):
            if isinstance(item, LineError):
                problems.append(item)
                if len(problems) >= max_problems:
                    break
            else:
                out.append(item)
    except LineError as e:
        raise MessageFileError([e]) from None
    except csv.Error as e:
        problems.append(LineError(source, 1, f"bad CSV: {e}"))
    if problems:
        raise MessageFileError(problems)
    return out


def price_messages(
    costs: MessageRates, package: PackageRules, messages_path: str | os.PathLike[str]
) -> tuple[str, MessageTotals]:
    """The RATED_MESSAGES.csv text of a MESSAGES.csv file and its totals; LineError on the first bad row."""
    source = str(messages_path)
    lines = [",".join(RATED_MESSAGE_COLUMNS) + "\n"]
    totals = MessageTotals()
    try:
        with open(messages_path, newline="", encoding="utf-8-sig") as f:
            reader = csv.reader(f)
            try:
                for _line, item in iter_messages(reader, source):
                    if isinstance(item, LineError):
                        raise item
                    priced = price_for_package(item.kind, item.direction, item.parts, costs=costs, package=package)
                    totals = totals.plus(priced, item.parts)
                    lines.append(_rated_line(item, priced))
            except csv.Error as e:
                raise LineError(source, reader.line_num, f"bad CSV: {e}") from None
    except UnicodeDecodeError:
        raise LineError(source, 1, "not valid UTF-8 text") from None
    return "".join(lines), totals


def price_file(
    costs: MessageRates, package: PackageRules, messages_path: str | os.PathLike[str], out_path: str | os.PathLike[str]
) -> MessageTotals:
    """Price MESSAGES.csv into RATED_MESSAGES.csv atomically; raise LineError on the first bad row."""
    text, totals = price_messages(costs, package, messages_path)
    write_atomically(out_path, text)
    return totals


def _rated_line(msg: MessageRow, p: PricedMessage) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(
        [
            msg.message_id,
            msg.kind.value,
            msg.direction,
            msg.parts,
            p.units,
            fmt_rate(p.cost_rate),
            fmt_money(p.cost),
            fmt_rate(p.sell_rate),
            fmt_money(p.price),
            fmt_money(p.profit),
            p.rule,
        ]
    )
    return buf.getvalue()


def write_atomically(out_path: str | os.PathLike[str], text: str) -> None:
    """Write `text` to a temporary file beside `out_path` and rename it into place (nothing left on failure)."""
    out_path = Path(out_path)
    fd, tmp_name = tempfile.mkstemp(dir=out_path.parent, prefix=f".{out_path.name}.", suffix=".tmp")
    try:
        with open(fd, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp_name, 0o666 & ~umask)
        os.replace(tmp_name, out_path)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass
        raise
