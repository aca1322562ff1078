"""`python -m reseller_app.billing rate`: rate a CDR file against a rate deck and a package, and re-price text
messages (MESSAGES.csv, see billing/message_file.py) with the package's per-message rates and the deck's sms section.

The output is written to a temporary file beside --out and renamed into place only when
every row rated; on any error nothing is left behind and the exit status is 1.

Large files without quoted fields are split at line boundaries and rated by two forked
processes; free minutes are then settled in the parent across both halves, so the
result is byte-for-byte the one a single process gives (tests check this).
"""

from __future__ import annotations

import argparse
import csv
import gc
import io
import json
import mmap
import multiprocessing
import os
import re
import signal
import sys
import tempfile
import time
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from itertools import repeat
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .cdrs import CDR_COLUMNS, check_fields, is_blank, parse_header
from .deck import LineError, RateDeck
from .fees import add_months, cycle_start
from .message_file import MESSAGE_COLUMNS, RATED_MESSAGE_COLUMNS, MessageTotals, price_messages, write_atomically
from .messages import load_costs_csv
from .money import fmt_money
from .package import PackageRules
from .rating import _ABSENT, ANSWERED, RatingEngine

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

RATED_COLUMNS = ("call_id", "billable_seconds", "cost_rate", "cost", "sell_rate", "price", "profit", "reason")
PARALLEL_MIN_BYTES = 8 << 20  # below this, forking costs more than it saves
_PROGRESS_EVERY = 1 << 15
_LONE_CR = re.compile(rb"\r(?!\n)")
# The deck's sms section shipped with the sandbox carrier (kind,direction,cost), the default of --sms-deck.
SHIPPED_SMS_DECK = Path(__file__).resolve().parent.parent / "carrier" / "deck_sms.csv"

PoolKey = tuple[str, date]
# A call waiting for free minutes: (start, call_id, chunk, index in chunk, minutes it needs).
Claim = tuple[datetime, str, int, int, int]
# A call that may draw free minutes: (start, call_id, line index, out_id, duration, cost rate, cost, sell rate).
_Pending = tuple[datetime, str, int, str, int, int, int, int]


class _Fmt(dict[int | None, str]):
    """int -> fixed-point string cache ("%d.%0Nd"); amounts repeat a lot in CDR files."""

    def __init__(self, places: int) -> None:
        super().__init__()
        self.unit = 10**places
        self.pattern = f"%d.%0{places}d"
        self[None] = ""  # unknown amount (unrated call)

    def __missing__(self, value: int) -> str:
        text = self.pattern % divmod(value, self.unit) if value >= 0 else "-" + self[-value]
        if len(self) < 1 << 20:
            self[value] = text
        return text


@dataclass
class Summary:
    """What a rating run did."""

    rows: int = 0
    unrated: int = 0
    free_minutes_calls: int = 0
    jobs: int = 1
    engine: str = "rows"  # or "columns": the whole file at once (billing/columnar.py)
    elapsed_ms: int = 0  # wall time of rate_file


class _Progress:
    """A cheap one-line progress bar on stderr, driven by a byte position or a row count."""

    def __init__(self, total: int, position: Callable[[], int] | None = None, scale: int = 1) -> None:
        self.position, self.total, self.scale, self.last = position, max(total, 1), scale, -1

    def percent(self, pct: int) -> None:
        """Show a stage of a run that counts no rows (the columns engine)."""
        self.last = pct
        sys.stderr.write(f"\rrating [{'#' * (pct // 4):<25}] {pct:3d}%")
        sys.stderr.flush()

    def update(self, rows: int, done: bool = False) -> None:
        if done:
            pct = 100
        else:
            part = self.position() if self.position is not None else rows
            pct = min(99, part * 100 // self.total)
        if pct != self.last or done:
            self.last = pct
            bar = "#" * (pct // 4)
            count = rows * self.scale
            sys.stderr.write(f"\rrating [{bar:<25}] {pct:3d}% ~{count:,} rows" + ("\n" if done else ""))
            sys.stderr.flush()


def load_package(path: str | os.PathLike[str]) -> PackageRules:
    """Read PACKAGE.json; raise LineError naming the file (and line for JSON syntax errors)."""
    source = str(path)
    try:
        with open(path, encoding="utf-8-sig") as f:
            data = json.load(f, parse_float=Decimal)
    except json.JSONDecodeError as e:
        raise LineError(source, e.lineno, f"invalid JSON: {e.msg}") from None
    except UnicodeDecodeError:
        raise LineError(source, 1, "not valid UTF-8 text") from None
    try:
        return PackageRules.from_json(data)
    except ValueError as e:
        raise LineError(source, 1, str(e)) from None


def rate_file(
    deck: RateDeck,
    package: PackageRules,
    cdrs_path: str | os.PathLike[str],
    out_path: str | os.PathLike[str],
    *,
    progress: bool = False,
    jobs: int = 1,
    keep_alive: list[object] | None = None,
    engine: str = "columns",
) -> Summary:
    """Rate CDRS.csv into RATED.csv atomically; raise LineError on the first bad row.

    `engine` "columns" rates a plain file (no quoted fields) all at once with Polars
    (billing/columnar.py); a file it does not take, and every file with "rows", is rated
    row by row, which also names the line of a bad row. Both write the same bytes.
    With "rows" (or a file the columns engine declines), `jobs` > 1 forks that many processes
    when the file allows it (no quoted fields); only do that from a single-threaded program
    such as the command line. A process about to exit may pass `keep_alive` to receive the
    big intermediate objects instead of spending time freeing them.
    """
    t0 = time.perf_counter_ns()
    source = str(cdrs_path)
    if engine not in ("columns", "rows"):
        raise ValueError(f"engine: 'columns' or 'rows', got {engine!r}")
    if package.free_minutes > 0 and package.billing_anchor is None:
        raise LineError(source, 1, "the package has free_minutes but no billing_anchor to start cycles from")
    out_path = Path(out_path)
    fd, tmp_name = tempfile.mkstemp(dir=out_path.parent, prefix=f".{out_path.name}.", suffix=".tmp")
    collecting = gc.isenabled()
    gc.disable()  # millions of short-lived rows and no cycles: the collector would only slow us down
    try:
        with open(fd, "wb") as out:
            summary = _rate(RatingEngine(package, deck), source, out, progress, jobs, keep_alive, engine == "columns")
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
    finally:
        if collecting:
            gc.enable()
    summary.elapsed_ms = (time.perf_counter_ns() - t0) // 1_000_000
    return summary


def _rate(
    engine: RatingEngine,
    source: str,
    out: io.BufferedWriter,
    progress: bool,
    jobs: int,
    keep_alive: list[object] | None,
    columns: bool,
) -> Summary:
    with open(source, "rb") as raw:
        size = os.fstat(raw.fileno()).st_size
        if size:
            with mmap.mmap(raw.fileno(), 0, access=mmap.ACCESS_READ) as mm:
                # Plain lines (no quotes, no lone CR) can be split fast and cut into parts.
                quoted = mm.find(b'"') != -1
                plain = not quoted and (mm.find(b"\r") == -1 or _LONE_CR.search(mm) is None)
                header_end = mm.find(b"\n") + 1
                if (columns or jobs > 1) and plain and 0 < header_end < size:
                    try:
                        header_text = mm[:header_end].decode("utf-8-sig")
                    except UnicodeDecodeError:
                        raise LineError(source, 1, "not valid UTF-8 text") from None
                    cols = parse_header(next(csv.reader([header_text]), None), source)
                    if columns:
                        summary = _rate_columns(engine, mm, cols, out, progress)
                        if summary is not None:
                            return summary
                    if jobs > 1:
                        return _rate_parallel(engine, source, mm, header_end, cols, out, progress, jobs)
        else:
            quoted, plain = False, True
        bar = _Progress(size, raw.tell) if progress else None
        chunk = _Chunk(engine, source, 0, quoted)
        try:
            if not plain:  # the csv module copes with quoted commas, line breaks and any line ending
                reader = csv.reader(io.TextIOWrapper(raw, encoding="utf-8-sig", newline=""))
                line_of = lambda _n: reader.line_num  # noqa: E731
                try:
                    cols = parse_header(next(reader, None), source)
                    chunk.rate(_in_order(reader, cols, line_of, source), line_of, bar)
                except csv.Error as e:
                    raise LineError(source, reader.line_num, f"bad CSV: {e}") from None
            else:  # every line is a record and str.split is twice as fast as csv
                lines = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="\n")
                header = next(lines, None)
                cols = parse_header(None if header is None else next(csv.reader([header])), source)
                line_of = lambda n: n + 1  # noqa: E731
                chunk.rate(_in_order(_split(lines), cols, line_of, source), line_of, bar)
        except UnicodeDecodeError:
            raise LineError(source, _utf8_error_line(source), "not valid UTF-8 text") from None
    if len(chunk.seen) != chunk.rows:
        _report_duplicate(source)
    took = _settle([chunk.claims()], engine.package.free_minutes)
    out.write(_header_bytes())
    body = chunk.finish(took.get(0, {})).encode()
    out.write(body)
    if keep_alive is not None:
        keep_alive += [chunk, body]
    if bar:
        bar.update(chunk.rows, done=True)
    return Summary(chunk.rows, chunk.unrated, chunk.free_minutes_calls, 1)


def _rate_columns(
    engine: RatingEngine, mm: mmap.mmap, cols: list[str], out: io.BufferedWriter, progress: bool
) -> Summary | None:
    """The columns engine, or None when the file must go row by row (nothing written then)."""
    from .columnar import rate_columns  # Polars loads only for this engine

    bar = _Progress(100) if progress else None
    result = rate_columns(engine, mm, cols, out, _header_bytes(), bar.percent if bar else None)
    if result is None:
        return None
    if bar:
        bar.update(result.rows, done=True)
    return Summary(result.rows, result.unrated, result.free_minutes_calls, 1, "columns")


class _Chunk:
    """Rates the rows of one part of the file; free-minute calls wait for `finish`."""

    def __init__(self, engine: RatingEngine, source: str, number: int, quoted: bool) -> None:
        self.engine = engine
        self.source = source
        self.number = number
        self.quoted = quoted
        self.lines: list[str] = []
        self.groups: dict[str, list[_Pending]] = {}  # calls that may draw free minutes, per account
        self.claimed: dict[int, _Pending] = {}  # line index -> call, for those that may get some
        self.seen: set[str] = set()
        self.rows = 0
        self.unrated = 0
        self.free_minutes_calls = 0

    def rate(self, rows: Iterable[list[str]], line_of: Callable[[int], int], bar: _Progress | None) -> None:
        """Rate every row; the same rules as RatingEngine.rate_parts, inlined for speed.

        Amounts are integers: rates in 1e-6, money in 1e-4, and
        round4(rate * seconds / 60) == (2 * rate * seconds + 6000) // 12000, exactly.
        """
        engine = self.engine
        package = engine.package
        free_minutes = package.free_minutes
        pulse = package.pulse
        onnet_free = package.onnet_free
        onnet_numbers = engine.onnet_numbers
        did = engine.did_micro
        memo, lengths = engine.memo, engine.memo_lengths
        memo_get = memo.get  # type: ignore[union-attr]
        resolve = engine.resolve_uncached
        absent: Any = _ABSENT  # typed Any so a memo hit reads as a Resolution
        f4, f6 = _Fmt(4), _Fmt(6)
        parse_start = datetime.fromisoformat
        # Raw field value -> meaning; _check_row validates and adds every new spelling.
        cache = _RowCache()
        directions, onnets, answered_of, durations = cache.directions, cache.onnets, cache.answered, cache.durations
        groups = self.groups
        seen_add = self.seen.add
        lines = self.lines
        append = lines.append
        quote = self.quoted
        source = self.source
        unrated = 0
        tick = _PROGRESS_EVERY if bar else -1
        n = 0
        blanks = 0
        for n, row in enumerate(rows, 1):  # n counts the rows afterwards
            if len(row) != 9:
                if is_blank(row):
                    blanks += 1
                    continue
                raise LineError(source, line_of(n), f"expected 9 fields, got {len(row)}")
            cid, start_s, dir_s, acc, caller, dest, dur_s, disp_s, onnet_s = row
            inbound = directions.get(dir_s)
            onnet = onnets.get(onnet_s)
            answered = answered_of.get(disp_s)
            duration = durations.get(dur_s)
            if (
                inbound is None
                or onnet is None
                or answered is None
                or duration is None
                or not cid
                or not acc
                or acc.isspace()
                or not dest.isdigit()
                or not dest.isascii()
            ):
                inbound, onnet, answered, duration = _check_row(row, cache, source, line_of(n))
            seen_add(cid)
            try:
                start = parse_start(start_s)
            except ValueError:
                raise LineError(source, line_of(n), f"start: {start_s!r} is not an ISO 8601 time") from None
            out_id = _csv_field(cid) if quote else cid
            if n == tick:
                bar.update(n)  # type: ignore[union-attr]
                tick += _PROGRESS_EVERY

            if inbound:
                if not answered or not duration:
                    append(f"{out_id},0,0.000000,0.0000,{f6[did]},0.0000,0.0000,not_answered\n")
                    continue
                billable = -(-duration // pulse) * pulse
                if onnet_free and (onnet or caller in onnet_numbers):
                    append(f"{out_id},{billable},0.000000,0.0000,0.000000,0.0000,0.0000,onnet\n")
                    continue
                cost_rate = cost = 0
                sell = did
            else:
                for size in lengths:
                    key = dest[:size]
                    res = memo_get(key, absent)
                    if res is not absent:
                        break
                if res is None:
                    res = memo[key] = resolve(key)  # type: ignore[index]
                cost_rate = res.cost_micro
                sell = res.sell_micro
                if not answered or not duration:
                    append(f"{out_id},0,{f6[cost_rate]},0.0000,{f6[sell]},0.0000,0.0000,not_answered\n")
                    continue
                billable = -(-duration // pulse) * pulse
                if onnet_free and (onnet or dest in onnet_numbers):
                    append(f"{out_id},{billable},0.000000,0.0000,0.000000,0.0000,0.0000,onnet\n")
                    continue
                if cost_rate is None:
                    unrated += 1
                    append(f"{out_id},{billable},,,,,,unrated\n")
                    continue
                incr = res.increment
                cost = (cost_rate * (-(-duration // incr) * incr) * 2 + 6000) // 12000
                if not sell:
                    reason = "free_zone" if res.rule == "free_zone" else ""
                    append(f"{out_id},{billable},{f6[cost_rate]},{f4[cost]},0.000000,0.0000,{f4[-cost]},{reason}\n")
                    continue
            if free_minutes and sell:
                tz = start.tzinfo
                if tz is None:
                    start = start.replace(tzinfo=UTC)  # a time without offset is taken as UTC
                elif tz is not UTC:
                    start = start.astimezone(UTC)
                calls = groups.get(acc)  # split into cycles by `claims`
                if calls is None:
                    calls = groups[acc] = []
                # Billed in full for now; `finish` rewrites the lines of calls that draw minutes.
                calls.append((start, cid, len(lines), out_id, duration, cost_rate, cost, sell))
            price = (sell * billable * 2 + 6000) // 12000
            append(f"{out_id},{billable},{f6[cost_rate]},{f4[cost]},{f6[sell]},{f4[price]},{f4[price - cost]},\n")
        self.rows = n - blanks
        self.unrated = unrated
        self._f4, self._f6 = f4, f6

    def claims(self) -> dict[PoolKey, list[Claim]]:
        """Per pool, this chunk's calls in start order, up to the one that empties the pool."""
        package = self.engine.package
        free_minutes, anchor = package.free_minutes, package.billing_anchor
        out: dict[PoolKey, list[Claim]] = {}
        claimed = self.claimed
        number = self.number
        for account, calls in self.groups.items():
            calls.sort()  # start time, then call id
            i, end = 0, len(calls)
            while i < end:
                cycle = cycle_start(anchor, calls[i][0].date())  # type: ignore[arg-type]
                nxt = add_months(anchor, _months_after(anchor, cycle) + 1)  # type: ignore[arg-type]
                j = bisect_left(calls, (datetime(nxt.year, nxt.month, nxt.day, tzinfo=UTC),), i)
                claims = out[(account, cycle)] = []
                total = 0
                for k in range(i, j):  # this cycle's calls
                    entry = calls[k]
                    idx = entry[2]
                    need = -(-entry[4] // 60)  # whole minutes: 3 min 11 s needs 4
                    claims.append((entry[0], entry[1], number, idx, need))
                    claimed[idx] = entry
                    total += need
                    if total >= free_minutes:
                        break  # this chunk's later calls find the pool empty whatever other chunks hold
                i = j
        self.groups = {}
        return out

    def finish(self, took: dict[int, int]) -> str:
        """The chunk's output text, given the minutes each claiming call drew."""
        pulse = self.engine.package.pulse
        f4, f6 = self._f4, self._f6
        lines = self.lines
        claimed = self.claimed
        free = 0
        for idx, drawn in took.items():
            _start, _cid, _idx, out_id, duration, cost_rate, cost, sell = claimed[idx]
            reason = ""
            if drawn * 60 >= duration:
                billable = 0
                reason = "free_minutes"
                free += 1
            else:
                billable = -(-(duration - drawn * 60) // pulse) * pulse
            price = (sell * billable * 2 + 6000) // 12000
            lines[idx] = (
                f"{out_id},{billable},{f6[cost_rate]},{f4[cost]},{f6[sell]},{f4[price]},{f4[price - cost]},{reason}\n"
            )
        self.free_minutes_calls = free
        return "".join(lines)


def _months_after(anchor: date, cycle: date) -> int:
    """How many months after the anchor a cycle starts."""
    return (cycle.year - anchor.year) * 12 + cycle.month - anchor.month


def _settle(claims: list[dict[PoolKey, list[Claim]]], free_minutes: int) -> dict[int, dict[int, int]]:
    """Draw every pool in (start, call_id) order: chunk -> {index: minutes drawn}."""
    merged: dict[PoolKey, list[Claim]] = {}
    for part in claims:
        for key, items in part.items():
            merged.setdefault(key, []).extend(items)
    took: dict[int, dict[int, int]] = {}
    for items in merged.values():
        items.sort()  # a no-op for a single part, whose claims are in order already
        left = free_minutes
        for _start, _cid, chunk, idx, need in items:
            if not left:
                break
            drawn = need if need < left else left
            left -= drawn
            took.setdefault(chunk, {})[idx] = drawn
    return took


def _split(lines: Iterable[str]) -> Iterator[list[str]]:
    """Quote-free CSV lines split at commas, all in C (no Python call per line)."""
    return map(str.split, map(str.rstrip, lines, repeat("\r\n")), repeat(","))


def _in_order(
    rows: Iterator[list[str]], cols: list[str], line_of: Callable[[int], int], source: str
) -> Iterator[list[str]]:
    """The rows with their fields in CDR_COLUMNS order (the rows themselves when already so)."""
    if cols == list(CDR_COLUMNS):
        return rows
    return _reordered(rows, cols, line_of, source)


def _reordered(
    rows: Iterator[list[str]], cols: list[str], line_of: Callable[[int], int], source: str
) -> Iterator[list[str]]:
    """Yield each row's fields in CDR_COLUMNS order (extra columns dropped, blank rows kept)."""
    pick = itemgetter(*(cols.index(c) for c in CDR_COLUMNS))
    width = len(cols)
    for n, row in enumerate(rows, 1):
        if len(row) == width:
            yield list(pick(row))
        elif is_blank(row):
            yield row
        else:
            raise LineError(source, line_of(n), f"expected {width} fields, got {len(row)}")


def _utf8_error_line(path: str) -> int:
    """The line holding the first byte that is not UTF-8 (for the error message)."""
    with open(path, "rb") as f:
        data = f.read()
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        return data.count(b"\n", 0, e.start) + 1
    return 1


def _header_bytes() -> bytes:
    return (",".join(RATED_COLUMNS) + "\n").encode()


def _csv_field(text: str) -> str:
    # Our own fields are digits and words; only a call id may need CSV quoting.
    if '"' in text or "," in text or "\n" in text or "\r" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def _report_duplicate(source: str) -> None:
    """Find the first repeated call_id and raise for it (no-op if there is none)."""
    first: dict[str, int] = {}
    with open(source, newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        cols = [h.strip().lower() for h in next(reader)]
        i = cols.index("call_id")
        for row in reader:
            if not row:
                continue
            line = first.setdefault(row[i], reader.line_num)
            if line != reader.line_num:
                raise LineError(source, reader.line_num, f"call_id: {row[i]!r} already on line {line}")


class _RowCache:
    """Field spellings already validated, mapped to their meaning."""

    def __init__(self) -> None:
        self.directions = {"out": False, "in": True}
        self.onnets = {"0": False, "1": True}
        self.answered: dict[str, bool] = {}
        self.durations: dict[str, int] = {}


def _check_row(row: list[str], cache: _RowCache, source: str, line: int) -> tuple[bool, bool, bool, int]:
    """The slow path: say exactly what is wrong with a row (cdrs.check_fields), or learn a new spelling of a field."""
    direction, onnet, disposition, duration = check_fields(row, source, line)
    inbound, answered = direction == "in", disposition == ANSWERED
    _cid, _start, direction_s, _account, _caller, _dest, dur, disposition_s, onnet_s = row
    cache.answered[disposition_s] = answered
    cache.directions[direction_s] = inbound
    cache.onnets[onnet_s] = onnet
    if len(cache.durations) < 100_000:
        cache.durations[dur] = duration
    return inbound, onnet, answered, duration


# --- two processes -------------------------------------------------------------------


@dataclass
class _Part:
    """One worker's share of the file: bytes [begin, end)."""

    number: int
    begin: int
    end: int
    conn: Any = None
    proc: Any = None
    rows: int = 0
    unrated: int = 0


def _rate_parallel(
    engine: RatingEngine,
    source: str,
    mm: mmap.mmap,
    header_end: int,
    cols: list[str],
    out: io.BufferedWriter,
    progress: bool,
    jobs: int,
) -> Summary:
    size = len(mm)
    cuts = [header_end]
    for k in range(1, jobs):
        nl = mm.find(b"\n", max(header_end + (size - header_end) * k // jobs, cuts[-1]))
        cuts.append(size if nl == -1 else nl + 1)
    cuts.append(size)
    parts = [_Part(k, cuts[k], cuts[k + 1]) for k in range(jobs) if cuts[k] < cuts[k + 1]]
    ctx = multiprocessing.get_context("fork")  # children share the engine and its memo

    def receive(part: _Part, expected: str) -> tuple[Any, ...]:
        """The part's next message; a worker's error becomes a LineError at the right line."""
        try:
            msg: tuple[Any, ...] = part.conn.recv()
        except EOFError:
            msg = ("error", 1, f"the rating process for the part starting here died (exit {part.proc.exitcode})")
        if msg[0] == "error":
            raise LineError(source, 1 + mm[header_end : part.begin].count(b"\n") + msg[1], msg[2])
        if msg[0] != expected:  # pragma: no cover - a protocol slip
            raise LineError(source, 1, f"rating process {part.number} answered {msg[0]!r}, not {expected!r}")
        return msg

    try:
        for part in parts:
            parent, child = ctx.Pipe()
            part.conn = parent
            show = progress and part.number == 0
            part.proc = ctx.Process(target=_worker, args=(engine, source, cols, part, child, show, len(parts)))
            part.proc.start()
            child.close()
        hashes = []
        pools: dict[PoolKey, int] = {}  # how many parts hold calls of each free-minute pool
        for part in parts:  # in file order, so the first error raised is the first in the file
            _, keys, part_hashes, part.rows, part.unrated, own_dups = receive(part, "rated")
            for key in keys:
                pools[key] = pools.get(key, 0) + 1
            hashes.append(part_hashes)
            if own_dups:
                hashes.append(part_hashes)  # forces the exact check below
        if not _disjoint(hashes):
            _report_duplicate(source)  # exact; a mere hash collision raises nothing
        # Pools within one part are settled there; the parent settles those that span parts.
        shared = {key for key, count in pools.items() if count > 1}
        for part in parts:
            part.conn.send(shared)
        took = _settle([receive(part, "claims")[1] for part in parts], engine.package.free_minutes)
        for part in parts:
            part.conn.send(took.get(part.number, {}))
        out.write(_header_bytes())
        free_calls = 0
        for part in parts:
            _, body, free = receive(part, "done")
            out.write(body)
            free_calls += free
        for part in parts:
            part.proc.join()
    finally:
        for part in parts:
            if part.proc is not None and part.proc.is_alive():
                part.proc.kill()
                part.proc.join()
    rows = sum(p.rows for p in parts)
    if progress:
        sys.stderr.write(f"\rrating [{'#' * 25}] 100% {rows:,} rows\n")
    return Summary(rows, sum(p.unrated for p in parts), free_calls, len(parts))


def _disjoint(hashes: list[Any]) -> bool:
    """Whether no call id hash appears in two parts (hashes agree: the workers are forked)."""
    seen: set[int] = set()
    for h in hashes:
        if not seen.isdisjoint(h):
            return False
        seen.update(h)
    return True


def _worker(
    engine: RatingEngine,
    source: str,
    cols: list[str],
    part: _Part,
    conn: Connection[Any, Any],
    progress: bool,
    nparts: int,
) -> None:
    """Rate bytes [part.begin, part.end) of the file, then wait for free-minute draws.

    Errors go back as ("error", line within the part, message).
    """
    from array import array

    try:
        with open(source, "rb") as raw, mmap.mmap(raw.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            data = mm[part.begin : part.end]
        try:
            lines = data.decode("utf-8").split("\n")
        except UnicodeDecodeError as e:
            raise LineError(source, data.count(b"\n", 0, e.start) + 1, "not valid UTF-8 text") from None
        del data
        chunk = _Chunk(engine, source, part.number, quoted=False)
        bar = _Progress(len(lines), scale=nparts) if progress else None
        line_of = lambda n: n  # noqa: E731 - the parent adds the lines before this part
        chunk.rate(_in_order(_split(lines), cols, line_of, source), line_of, bar)
        del lines
        hashes = array("q", map(hash, chunk.seen))
        own_dups = len(chunk.seen) != chunk.rows
        claims = chunk.claims()
        conn.send(("rated", list(claims), hashes, chunk.rows, chunk.unrated, own_dups))
        shared = conn.recv()
        conn.send(("claims", {k: v for k, v in claims.items() if k in shared}))
        local = {k: v for k, v in claims.items() if k not in shared}
        took = _settle([local], chunk.engine.package.free_minutes).get(part.number, {})
        took.update(conn.recv())
        conn.send(("done", chunk.finish(took).encode(), chunk.free_minutes_calls))
    except LineError as e:
        conn.send(("error", e.line, e.message))
    except Exception as e:  # noqa: BLE001 - any failure (e.g. out of memory) goes to the parent, which reports it
        conn.send(("error", 1, f"the rating process for the part starting here failed: {e!r}"))
    finally:
        conn.close()


def default_jobs(cdrs_path: str | os.PathLike[str]) -> int:
    """Two processes for files of PARALLEL_MIN_BYTES or more on a machine with two cores."""
    try:
        big = os.path.getsize(cdrs_path) >= PARALLEL_MIN_BYTES
    except OSError:
        return 1  # rate_file reports the missing file
    return 2 if big and (os.cpu_count() or 1) >= 2 else 1


def main(argv: list[str] | None = None, keep_alive: list[object] | None = None) -> int:
    """Entry point of `python -m reseller_app.billing` (see rate_file for `keep_alive`)."""
    parser = argparse.ArgumentParser(prog="python -m reseller_app.billing", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    rate = sub.add_parser("rate", help="rate a CDR file and/or re-price a messages file")
    rate.add_argument("--deck", help="carrier rate deck CSV: prefix,destination,route,rate,increment (with --cdrs)")
    rate.add_argument("--package", required=True, help="package rules JSON")
    rate.add_argument("--cdrs", help="CDR CSV: " + ",".join(CDR_COLUMNS))
    rate.add_argument("--out", help="rated CSV to write: " + ",".join(RATED_COLUMNS))
    rate.add_argument("--messages", help="messages CSV: " + ",".join(MESSAGE_COLUMNS) + ", and parts and/or text")
    rate.add_argument("--messages-out", help="re-priced messages CSV to write: " + ",".join(RATED_MESSAGE_COLUMNS))
    rate.add_argument("--sms-deck", help="the deck's sms section, kind,direction,cost (default: the shipped one)")
    rate.add_argument("--progress", action="store_true", help="show a progress bar even when stderr is not a TTY")
    rate.add_argument(
        "--engine",
        choices=("columns", "rows"),
        default="columns",
        help="columns: the whole file at once (default; a file with quoted fields, blank lines or a bad row goes"
        " row by row, which names the line); rows: always row by row",
    )
    rate.add_argument(
        "--jobs", type=int, choices=(1, 2), help="row-by-row processes (default: 2 for files of 8 MB or more)"
    )
    args = parser.parse_args(argv)
    if (args.cdrs is None) != (args.out is None):
        parser.error("--cdrs and --out go together")
    if (args.messages is None) != (args.messages_out is None):
        parser.error("--messages and --messages-out go together")
    if args.cdrs is None and args.messages is None:
        parser.error("give --cdrs and --out, or --messages and --messages-out, or both")
    if args.cdrs is not None and args.deck is None:
        parser.error("--cdrs needs --deck")
    # Turn a polite kill into SystemExit so the temporary output file is removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    try:
        package = load_package(args.package)
        priced: tuple[str, MessageTotals] | None = None
        if args.messages is not None:  # every message is checked before any output is written
            costs = load_costs_csv(args.sms_deck or SHIPPED_SMS_DECK)
            priced = price_messages(costs, package, args.messages)
        if args.cdrs is not None:
            deck = RateDeck.load_csv(args.deck)
            progress = args.progress or sys.stderr.isatty()
            jobs = args.jobs or default_jobs(args.cdrs)
            summary = rate_file(
                deck,
                package,
                args.cdrs,
                args.out,
                progress=progress,
                jobs=jobs,
                keep_alive=keep_alive,
                engine=args.engine,
            )
        if priced is not None:
            write_atomically(args.messages_out, priced[0])
    except LineError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except OSError as e:
        print(f"error: {e.filename or ''}: {e.strerror or e}", file=sys.stderr)
        return 1
    if args.cdrs is not None:
        note = f"; {summary.unrated:,} UNRATED (no carrier prefix: fix the deck and re-rate)" if summary.unrated else ""
        print(
            f"rated {summary.rows:,} calls in {summary.elapsed_ms / 1000:.2f}s with {summary.jobs} process(es)"
            f" {'column-wise' if summary.engine == 'columns' else 'row by row'}"
            f" ({summary.free_minutes_calls:,} free by free minutes){note}",
            file=sys.stderr,
        )
    if priced is not None:
        t = priced[1]
        print(
            f"re-priced {t.messages:,} messages ({t.parts:,} parts): cost {fmt_money(t.cost)},"
            f" price {fmt_money(t.price)}, profit {fmt_money(t.profit)}",
            file=sys.stderr,
        )
    return 0
