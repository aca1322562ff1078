"""Column-wise rating of a whole CDR file with Polars: the rating command's fast path.

`rate_columns` reads a plain CDR file (no quotes, no blank lines, one record a line) into
columns and applies exactly the rules of `cli._Chunk.rate` (which follow `RatingEngine.rate_parts`)
to all rows at once: integer amounts (rates in 1e-6, money in 1e-4), the same half-up rounding,
free minutes drawn per (account, cycle) in (start, call_id) order. Field spellings are checked
once per distinct value with the same rules as `cdrs.check_fields`; destinations, call ids and
start times are checked column-wise against a canonical subset of what the row path accepts.

It returns None, having written nothing, whenever the file is anything but plainly valid: any
row outside that subset, a repeated call id, a ragged line, bad UTF-8, a start time with an unusual
offset. The row-by-row path then rates it, or reports the exact line that is wrong. Tests check
that both paths write the same bytes.
"""

from __future__ import annotations

import mmap
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import polars as pl

from .cdrs import CDR_COLUMNS
from .enums import Disposition
from .fees import cycle_start
from .rating import RatingEngine

if TYPE_CHECKING:
    import io

# What the column-wise path takes without asking the row path: ISO 8601 to the second in the years
# 1900-2999, UTC ("Z"), an explicit offset, or no offset (UTC). Anything else (fractions, "+0100", a
# space for the T) goes row by row.
_START = (
    r"^(?:19|2[0-9])[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-5][0-9]:[0-5][0-9]"
    r"(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])?$"
)
_DIGITS = r"^[0-9]+$"
_MAX_DURATION = 10**9  # seconds; with rates below 1e9 micro-units every product fits in 64 bits
_MAX_RATE = 10**9


@dataclass
class ColumnResult:
    """What a column-wise run did (cli.Summary's counts)."""

    rows: int
    unrated: int
    free_minutes_calls: int


def rate_columns(
    engine: RatingEngine,
    mm: mmap.mmap,
    cols: list[str],
    out: io.BufferedWriter,
    header: bytes,
    step: Callable[[int], None] | None = None,
) -> ColumnResult | None:
    """Rate the plain CDR file mapped as `mm` (header columns `cols`) and write `header` and the rated rows
    to `out`; None, with nothing written, when the file needs the row-by-row path."""
    width = len(cols)
    data = mm[:]
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    rows = lines - 1  # the header is a line
    # A plain file is valid only if every line holds width - 1 commas; more fail the read below,
    # so an exact total also rules out short lines and blank ones.
    if rows < 1 or data.count(b",") != (width - 1) * lines:
        return None
    pick = [cols.index(c) for c in CDR_COLUMNS]
    try:
        df = pl.read_csv(
            data,
            has_header=False,
            skip_lines=1,
            columns=pick,
            schema={f"f{i}": pl.String for i in range(width)},
            empty_string_is_null=False,
            quote_char=None,
            encoding="utf8",
        )
    except pl.exceptions.PolarsError:
        return None  # bad UTF-8 or a line with too many fields: the row path says where
    if df.height != rows:
        return None
    df.columns = list(CDR_COLUMNS)
    if step:
        step(30)
    frame = _checked(df, engine)
    if frame is None:
        return None
    if step:
        step(50)
    try:
        rated, free_calls = _rate(frame, engine)
    except _TooBig:
        return None
    if step:
        step(80)
    out.write(header)
    rated.select(_line()).write_csv(out, include_header=False, quote_style="never")
    return ColumnResult(rows, int(rated["unrated"].sum()), free_calls)


def _spellings(column: pl.Series, meaning: Callable[[str], object], dtype: type[pl.DataType]) -> pl.Series | None:
    """Each value's meaning, worked out once per distinct spelling; None if any spelling is refused."""
    mapping: dict[str, object] = {}
    for text in column.unique().to_list():
        value = meaning(text)
        if value is None:
            return None
        mapping[text] = value
    return column.replace_strict(mapping, return_dtype=dtype)


def _direction(text: str) -> bool | None:
    d = text.strip().lower()
    return d == "in" if d in ("out", "in") else None


def _onnet(text: str) -> bool | None:
    o = text.strip()
    return o == "1" if o in ("0", "1") else None


def _answered(text: str) -> bool | None:
    try:
        return Disposition.parse(text) == Disposition.ANSWERED
    except ValueError:
        return None


def _duration(text: str) -> int | None:
    if not text.isascii() or not text.strip().isdigit():
        return None
    seconds = int(text)
    return seconds if seconds < _MAX_DURATION else None


def _account(text: str) -> str | None:
    return text if text.strip() else None


def _checked(df: pl.DataFrame, engine: RatingEngine) -> pl.DataFrame | None:
    """The rows with their fields' meanings, or None if any row is not plainly valid."""
    inbound = _spellings(df["direction"], _direction, pl.Boolean)
    onnet = _spellings(df["onnet"], _onnet, pl.Boolean)
    answered = _spellings(df["disposition"], _answered, pl.Boolean)
    duration = _spellings(df["duration"], _duration, pl.Int64)
    account = _spellings(df["account"], _account, pl.String)
    if inbound is None or onnet is None or answered is None or duration is None or account is None:
        return None
    cid, start, dest = df["call_id"], df["start"], df["destination"]
    if (
        not dest.str.contains(_DIGITS).all()
        or not start.str.contains(_START).all()
        or not cid.str.len_bytes().gt(0).all()
        or cid.n_unique() != df.height
    ):
        return None
    numbers = list(engine.onnet_numbers)
    other_party = pl.when(pl.col("inbound")).then(pl.col("caller")).otherwise(pl.col("destination"))
    text = pl.col("start")
    offset = text.str.slice(19)
    sign = pl.when(offset.str.starts_with("-")).then(-1).otherwise(1)
    minutes = (
        pl.when(offset.str.len_bytes() == 6)
        .then((offset.str.slice(1, 2).cast(pl.Int64) * 60 + offset.str.slice(4, 2).cast(pl.Int64)) * sign)
        .otherwise(0)
    )
    local = text.str.slice(0, 19).str.strptime(pl.Datetime("us"), "%Y-%m-%dT%H:%M:%S", strict=False)
    frame = df.with_columns(
        inbound=inbound, onnet=onnet, answered=answered, duration=duration, account=account
    ).with_columns(
        onnet=pl.col("onnet") | other_party.is_in(numbers) if numbers else pl.col("onnet"),
        instant=local - pl.duration(minutes=minutes),
    )
    if frame["instant"].null_count():
        return None  # no such day or hour (2024-02-30, 24:00): the row path names the line
    return frame.select("call_id", "account", "destination", "inbound", "onnet", "answered", "duration", "instant")


def _resolutions(dest: pl.Series, inbound: pl.Series, engine: RatingEngine) -> pl.DataFrame:
    """Per outbound row, the carrier cost rate, increment, sell rate and free-zone flag of its destination, and
    both rates as text ("%d.%06d"); inbound rows get those of the empty prefix, which they do not use.

    A destination rates like its longest prefix among the engine's memo keys, probed longest first
    exactly as RatingEngine.resolve does; each key used is resolved once, through the engine's memo.
    """
    memo = engine.memo
    assert memo is not None  # the command's engine memoizes
    keys = list(memo)
    table = pl.DataFrame({"key": keys, "id": pl.Series(range(len(keys)), dtype=pl.UInt32)})
    rows = pl.DataFrame({"row": pl.Series(range(len(dest)), dtype=pl.UInt32), "d": dest, "inbound": inbound})
    found = [rows.filter(pl.col("inbound")).select("row", id=pl.lit(keys.index(""), dtype=pl.UInt32))]
    left = rows.filter(~pl.col("inbound")).select("row", "d")
    for size in engine.memo_lengths:
        if not left.height:
            break
        probe = left.with_columns(key=pl.col("d").str.slice(0, size)).join(table, on="key", how="left")
        found.append(probe.filter(pl.col("id").is_not_null()).select("row", "id"))
        left = probe.filter(pl.col("id").is_null()).select("row", "d")
    ids = pl.concat(found).sort("row")["id"]
    cost: list[int | None] = [None] * len(keys)
    increment: list[int] = [1] * len(keys)
    sell: list[int | None] = [None] * len(keys)
    free_zone: list[bool] = [False] * len(keys)
    cost_text: list[str] = [""] * len(keys)
    sell_text: list[str] = [""] * len(keys)
    for i in ids.unique().to_list():
        key = keys[i]
        res = memo[key]
        if res is None:
            res = memo[key] = engine.resolve_uncached(key)
        if res.cost_micro is None:
            continue  # unrated: no rates, as initialised
        if res.cost_micro >= _MAX_RATE or (res.sell_micro or 0) >= _MAX_RATE:
            raise _TooBig
        cost[i], increment[i], sell[i] = res.cost_micro, res.increment, res.sell_micro
        free_zone[i] = res.rule == "free_zone"
        cost_text[i], sell_text[i] = _rate_text(res.cost_micro), _rate_text(res.sell_micro or 0)
    return pl.DataFrame(
        {
            "cost_rate": pl.Series(cost, dtype=pl.Int64).gather(ids),
            "increment": pl.Series(increment, dtype=pl.Int64).gather(ids),
            "sell": pl.Series(sell, dtype=pl.Int64).gather(ids),
            "free_zone": pl.Series(free_zone, dtype=pl.Boolean).gather(ids),
            "cost_rate_text": pl.Series(cost_text, dtype=pl.String).gather(ids),
            "sell_text": pl.Series(sell_text, dtype=pl.String).gather(ids),
        }
    )


def _rate_text(micro: int) -> str:
    """A rate of micro-units as text, six decimals (cli._Fmt(6))."""
    whole, part = divmod(micro, 10**6)
    return f"{whole}.{part:06d}"


class _TooBig(Exception):
    """A rate too large for 64-bit column arithmetic (the row path has unbounded integers)."""


def _up(seconds: pl.Expr, step: int | pl.Expr) -> pl.Expr:
    """seconds rounded up to a whole number of steps (seconds >= 0)."""
    return (seconds + step - 1) // step * step


def _amount(rate: pl.Expr, seconds: pl.Expr) -> pl.Expr:
    """round4(rate * seconds / 60) in 1e-4 units, half-up (rating._amount4)."""
    return (rate * seconds * 2 + 6000) // 12000


def _rate(frame: pl.DataFrame, engine: RatingEngine) -> tuple[pl.DataFrame, int]:
    """Every row's billable seconds, rates, amounts and reason (cli._Chunk.rate and finish, column-wise)."""
    package = engine.package
    pulse, did = package.pulse, engine.did_micro
    if did >= _MAX_RATE:
        raise _TooBig
    frame = pl.concat([frame, _resolutions(frame["destination"], frame["inbound"], engine)], how="horizontal")
    inbound, answered, duration = pl.col("inbound"), pl.col("answered"), pl.col("duration")
    unanswered = ~answered | (duration == 0)
    onnet = pl.col("onnet") if package.onnet_free else pl.lit(False)
    cost_rate, sell = pl.col("cost_rate"), pl.col("sell")
    billable = _up(duration, pulse)
    cost = _amount(cost_rate, _up(duration, pl.col("increment")))
    zero, none = pl.lit(0, dtype=pl.Int64), pl.lit(None, dtype=pl.Int64)

    def case(*branches: tuple[pl.Expr, pl.Expr], otherwise: pl.Expr) -> pl.Expr:
        expr: Any = pl
        for cond, value in branches:
            expr = expr.when(cond).then(value)
        return expr.otherwise(otherwise)  # type: ignore[no-any-return]

    # The branches of _Chunk.rate, in its order, each excluding those before it.
    outbound = ~inbound
    in_unanswered = inbound & unanswered
    in_onnet = inbound & ~unanswered & onnet
    out_unanswered = outbound & unanswered
    out_onnet = outbound & ~unanswered & onnet
    unrated = outbound & ~unanswered & ~onnet & cost_rate.is_null()
    free_sell = outbound & ~unanswered & ~onnet & cost_rate.is_not_null() & (sell == 0)
    branches = (in_unanswered, in_onnet, out_unanswered, out_onnet, unrated, free_sell)
    rated = frame.select(
        "call_id",
        "account",
        "instant",
        "duration",
        billable=case((unanswered, zero), otherwise=billable),
        cost_rate=case((inbound | out_onnet, zero), otherwise=cost_rate),
        cost=case((inbound | out_unanswered | out_onnet, zero), otherwise=cost),
        sell=case((in_onnet | out_onnet, zero), (inbound, pl.lit(did, dtype=pl.Int64)), otherwise=sell),
        cost_rate_text=case((inbound | out_onnet, pl.lit(_rate_text(0))), otherwise=pl.col("cost_rate_text")),
        sell_text=case(
            (in_onnet | out_onnet, pl.lit(_rate_text(0))),
            (inbound, pl.lit(_rate_text(did))),
            otherwise=pl.col("sell_text"),
        ),
        reason=case(
            (unanswered, pl.lit("not_answered")),
            (onnet, pl.lit("onnet")),
            (unrated, pl.lit("unrated")),
            (free_sell & pl.col("free_zone"), pl.lit("free_zone")),
            otherwise=pl.lit(""),
        ),
        priced=~pl.any_horizontal(*branches),  # the last branch: a price, maybe free minutes to draw
    )
    free_calls = 0
    if package.free_minutes and package.billing_anchor is not None:
        rated, free_calls = _draw_free_minutes(rated, package.free_minutes, package.billing_anchor, pulse)
    billable, sell, cost = pl.col("billable"), pl.col("sell"), pl.col("cost")
    price = case(
        (pl.col("priced"), _amount(sell, billable)),
        (pl.col("reason") == "unrated", none),
        otherwise=zero,
    )
    rated = rated.with_columns(price=price).with_columns(profit=pl.col("price") - cost)
    return rated.with_columns(unrated=pl.col("reason") == "unrated"), free_calls


def _draw_free_minutes(rated: pl.DataFrame, free_minutes: int, anchor: date, pulse: int) -> tuple[pl.DataFrame, int]:
    """Draw each (account, cycle) pool in (start, call_id) order, whole minutes a call, until it is empty."""
    rated = rated.with_row_index("row")
    calls = rated.filter(pl.col("priced") & (pl.col("sell") > 0)).select(
        "row", "account", "instant", "call_id", "duration"
    )
    if not calls.height:
        return rated.drop("row"), 0
    days = calls["instant"].dt.date()
    cycles = {day: cycle_start(anchor, day) for day in days.unique().to_list()}
    need = (pl.col("duration") + 59) // 60
    calls = (
        calls.with_columns(cycle=days.replace_strict(cycles, return_dtype=pl.Date), need=need)
        .sort("account", "cycle", "instant", "call_id")
        .with_columns(before=pl.col("need").cum_sum().over("account", "cycle") - pl.col("need"))
        .with_columns(drawn=pl.min_horizontal(pl.col("need"), pl.max_horizontal(free_minutes - pl.col("before"), 0)))
        .filter(pl.col("drawn") > 0)
        .select("row", "drawn")
    )
    rated = rated.join(calls, on="row", how="left", maintain_order="left")
    drawn = pl.col("drawn")
    rest = pl.col("duration") - drawn * 60
    whole = drawn.is_not_null() & (rest <= 0)
    rated = rated.with_columns(
        billable=pl.when(drawn.is_null()).then(pl.col("billable")).when(whole).then(0).otherwise(_up(rest, pulse)),
        reason=pl.when(whole).then(pl.lit("free_minutes")).otherwise(pl.col("reason")),
    )
    return rated.drop("row", "drawn"), int(rated["reason"].eq("free_minutes").sum())


def _fixed(value: pl.Expr, places: int, signed: bool = False) -> pl.Expr:
    """An integer of 10**-places units as "%d.%0{places}d" ("-" first when negative), "" when unknown."""
    unit = 10**places
    size = value.abs() if signed else value
    parts = [(size // unit).cast(pl.String), pl.lit("."), (size % unit + unit).cast(pl.String).str.slice(1)]
    if signed:
        parts.insert(0, pl.when(value < 0).then(pl.lit("-")).otherwise(pl.lit("")))
    return pl.concat_str(*parts).fill_null("")


def _line() -> pl.Expr:
    """The rated CSV line of a row (RATED_COLUMNS; no field needs quoting in a plain file)."""
    return pl.concat_str(
        pl.col("call_id"),
        pl.col("billable").cast(pl.String),
        pl.col("cost_rate_text"),
        _fixed(pl.col("cost"), 4),
        pl.col("sell_text"),
        _fixed(pl.col("price"), 4),
        _fixed(pl.col("profit"), 4, signed=True),
        pl.col("reason"),
        separator=",",
    )
