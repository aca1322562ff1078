"""The rating command's columns engine (billing/columnar.py) against the row-by-row engine: the same bytes
for every file it takes, and every file it declines rated (or refused) row by row, exactly as before."""

import io
import json
import random
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest

from reseller_app.billing import cli
from reseller_app.billing.cli import rate_file
from reseller_app.billing.deck import LineError, RateDeck
from reseller_app.billing.package import AreaRate, FreeZone, PackageRules
from reseller_app.billing.rating import RatingEngine

HEADER = "call_id,start,direction,account,caller,destination,duration,disposition,onnet\n"
DEST_PREFIXES = ["1514", "1212", "1438", "1", "44", "4420", "447", "4930", "49", "33", "999", "7", "4"]


def _deck(rng: random.Random) -> RateDeck:
    deck = RateDeck()
    for route in ("value", "premium"):
        for prefix in ["1", "1514", "1212", "44", "4420", "447", "49", "4930", "33", "7"]:
            if rng.random() < 0.85:
                rate = D(rng.choice([0, 1, 500, 9000, 50000, 123456, 2_500_000])).scaleb(-6)
                deck.add(route, prefix, rate, rng.choice([1, 6, 30, 60]), prefix)
    return deck


PACKAGES = {
    "free-minutes": PackageRules(
        markup_fixed=D("0.0025"),
        markup_percent=D("20"),
        pulse=6,
        free_minutes=7,
        billing_anchor=date(2024, 1, 31),
        did_rate=D("0.01"),
        onnet_free=True,
        area_rates=(AreaRate(D("0.015"), prefix="4420"), AreaRate(D("0.02"), country="FR")),
        free_zones=(FreeZone(country="DE"), FreeZone(max_rate=D("0.0005"))),
    ),
    "plain": PackageRules(
        markup_fixed=D("0"),
        markup_percent=D("33.33"),
        pulse=60,
        canada_route="premium",
        international_route="value",
        onnet_free=False,
        did_rate=D("0"),
    ),
    "one-minute-pool": PackageRules(
        markup_fixed=D("0.000001"),
        markup_percent=D("0"),
        pulse=1,
        free_minutes=1,
        billing_anchor=date(2023, 12, 1),
        did_rate=D("0.004"),
        onnet_free=True,
        free_zones=(FreeZone(prefix="1212"),),
    ),
}

# Spellings the rules accept (cdrs.check_fields): the columns engine must read them alike.
DIRECTIONS = ["out", "out", "out", "in", "OUT", " In "]
DISPOSITIONS = ["ANSWERED"] * 6 + ["answered", "NO ANSWER", "no_answer", "NOANSWER", "BUSY", "FAILED", "CONGESTION"]
DURATIONS = ["0", "1", "5", "59", "60", "61", "119", "120", "300", "3601", "007", " 42", "86399"]
# Near the cycle boundaries of the anchors above (Jan 31, Dec 1) and midnight, with and without offsets.
STARTS = [
    "2024-02-29T23:59:59Z",
    "2024-03-01T00:00:00Z",
    "2024-02-29T20:00:00-05:00",
    "2024-03-01T01:00:00+02:00",
    "2024-02-29T23:30:00",
    "2024-03-31T00:00:00+00:00",
    "2024-03-30T23:59:59-00:00",
    "2024-04-30T22:00:00-03:30",
    "2024-03-15T12:00:00Z",
    "2024-03-15T12:00:00Z",
    "2024-03-15T13:00:00+01:00",
    "2023-12-01T00:00:00+14:00",
    "2024-01-31T00:00:00Z",
]


def _cdrs(rng: random.Random, n: int) -> str:
    rows = [HEADER]
    ids = rng.sample(range(10 * n), n)
    for i in range(n):
        prefix = rng.choice(DEST_PREFIXES)
        dest = prefix + "".join(rng.choice("0123456789") for _ in range(rng.randint(0, 9)))
        cid = rng.choice(["c", "C", "é", "z", "Ω"]) + str(ids[i])  # ties in start order fall to the call id
        account = rng.choice(["sa1", "sa2", "sa3", " sa1", "100001_x"])
        caller = rng.choice(["15145550000", "15145551234", "14385550000"])
        row = [cid, rng.choice(STARTS), rng.choice(DIRECTIONS), account, caller, dest]
        row += [rng.choice(DURATIONS), rng.choice(DISPOSITIONS), rng.choice(["0", "0", "0", "1", " 1"])]
        rows.append(",".join(row) + "\n")
    return "".join(rows)


def _both(tmp_path: Path, text: str, pkg: PackageRules, deck: RateDeck) -> tuple[bytes, cli.Summary]:
    """The columns engine's output and summary; asserts the row-by-row engine writes the same bytes."""
    (tmp_path / "cdrs.csv").write_text(text, encoding="utf-8")
    rows = rate_file(deck, pkg, tmp_path / "cdrs.csv", tmp_path / "rows.csv", engine="rows")
    columns = rate_file(deck, pkg, tmp_path / "cdrs.csv", tmp_path / "columns.csv")
    assert (tmp_path / "columns.csv").read_bytes() == (tmp_path / "rows.csv").read_bytes()
    assert (columns.rows, columns.unrated, columns.free_minutes_calls) == (
        rows.rows,
        rows.unrated,
        rows.free_minutes_calls,
    )
    return (tmp_path / "columns.csv").read_bytes(), columns


@pytest.mark.parametrize("package", sorted(PACKAGES))
@pytest.mark.parametrize("seed", range(4))
def test_the_columns_engine_writes_the_row_engines_bytes(tmp_path, package, seed):
    rng = random.Random(seed)
    out, summary = _both(tmp_path, _cdrs(rng, 3000), PACKAGES[package], _deck(rng))
    assert summary.engine == "columns"  # every spelling above is one it takes
    reasons = {line.rsplit(b",", 1)[1] for line in out.splitlines()[1:]}
    assert {b"", b"not_answered", b"unrated"} <= reasons
    if PACKAGES[package].free_minutes:
        assert b"free_minutes" in reasons and summary.free_minutes_calls > 0


@pytest.mark.parametrize(
    ("start", "why"),
    [
        ("2024-03-05T15:00:00.250Z", "fraction of a second"),
        ("2024-03-05 15:00:00", "space for T"),
        ("2024-03-05T15:00:00+0100", "offset without colon"),
        ("20240305T150000Z", "basic format"),
    ],
)
def test_starts_outside_the_canonical_forms_go_row_by_row(tmp_path, start, why):
    rows = HEADER + f"a1,{start},out,sa1,1,447911123456,125,ANSWERED,0\n"
    rows += "a2,2024-03-05T14:00:00Z,out,sa1,1,447911123456,65,ANSWERED,0\n"
    out, summary = _both(tmp_path, rows, PACKAGES["free-minutes"], _deck(random.Random(1)))
    assert summary.engine == "rows", why
    assert out.count(b"\n") == 3


def test_quoted_fields_and_blank_lines_go_row_by_row(tmp_path):
    deck, pkg = _deck(random.Random(2)), PACKAGES["free-minutes"]
    good = "b{},2024-03-05T14:00:00Z,out,sa1,1,447911123456,65,ANSWERED,0\n"
    for text in (
        HEADER + good.format(1) + '"b2",2024-03-05T14:00:00Z,out,sa1,1,447911123456,65,ANSWERED,0\n',
        HEADER + good.format(1) + "\n" + good.format(2),
    ):
        assert _both(tmp_path, text, pkg, deck)[1].engine == "rows"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("x,2024-02-30T10:00:00Z,out,sa1,1,44,5,ANSWERED,0\n", "start: '2024-02-30T10:00:00Z'"),
        ("x,2024-03-05T24:00:00Z,out,sa1,1,44,5,ANSWERED,0\n", "start: "),
        ("x,0000-03-05T10:00:00Z,out,sa1,1,44,5,ANSWERED,0\n", "start: "),
        ("x,2024-03-05T10:00:00Z,out,sa1,1,44,5000000000,ANSWERED,0\n", None),  # too long for 64-bit columns
        ("x,2024-03-05T10:00:00Z,out,sa1,1,4٤,5,ANSWERED,0\n", "destination: "),  # not an ASCII digit
        ("x,2024-03-05T10:00:00Z,out,\u2003,1,44,5,ANSWERED,0\n", "account: empty"),
        ("x,2024-03-05T10:00:00Z,out,sa1,1,44,5,ANSWERED,0,extra\n", "expected 9 fields, got 10"),
        ("x,2024-03-05T10:00:00Z,out,sa1,1,44,5,ANSWERED\n", "expected 9 fields, got 8"),
    ],
)
def test_rows_the_columns_engine_declines_are_rated_or_refused_as_row_by_row(tmp_path, row, message):
    deck, pkg = _deck(random.Random(3)), PACKAGES["free-minutes"]
    text = HEADER + "a,2024-03-05T14:00:00Z,out,sa1,1,447911123456,65,ANSWERED,0\n" + row
    (tmp_path / "cdrs.csv").write_text(text, encoding="utf-8")
    if message is None:
        assert _both(tmp_path, text, pkg, deck)[1].engine == "rows"
        return
    with pytest.raises(LineError) as err:
        rate_file(deck, pkg, tmp_path / "cdrs.csv", tmp_path / "out.csv")
    assert err.value.line == 3 and err.value.message.startswith(message), err.value
    assert not (tmp_path / "out.csv").exists()


def test_rates_beyond_64_bit_column_arithmetic_go_row_by_row(tmp_path):
    deck = RateDeck()
    deck.add("premium", "44", D("9999.999999"), 60, "UK")  # rates of 1e9 micro-units and more
    pkg = PACKAGES["free-minutes"]
    text = HEADER + "a,2024-03-05T14:00:00Z,out,sa1,1,447911123456,86399,ANSWERED,0\n"
    out, summary = _both(tmp_path, text, pkg, deck)
    assert summary.engine == "rows"
    # 1,440 minutes at 9999.999999 (60 s increments); 7 free minutes off the 6 s pulse billing
    assert out.splitlines()[1].startswith(b"a,85980,9999.999999,14399999.9986,")


@pytest.mark.parametrize("onnet_free", [True, False])
def test_platform_numbers_are_on_net_in_both_engines(tmp_path, onnet_free):
    """The engine's on-net numbers: the caller of an inbound call, the destination of an outbound one."""
    rows = HEADER
    rows += "o1,2024-03-05T14:00:00Z,out,sa1,15145550000,15145551234,65,ANSWERED,0\n"  # to a platform number
    rows += "o2,2024-03-05T14:00:00Z,out,sa1,15145551234,15145550000,65,ANSWERED,0\n"  # from one: billed
    rows += "i1,2024-03-05T14:00:00Z,in,sa1,15145551234,14385550000,65,ANSWERED,0\n"  # from one: on net
    rows += "i2,2024-03-05T14:00:00Z,in,sa1,15145550000,15145551234,65,ANSWERED,0\n"  # to one: billed
    (tmp_path / "cdrs.csv").write_text(rows)
    pkg = PackageRules(markup_fixed=D("0.001"), pulse=6, onnet_free=onnet_free, did_rate=D("0.01"))
    deck = _deck(random.Random(4))
    outputs = []
    for columns in (True, False):
        engine = RatingEngine(pkg, deck, ["15145551234"])
        buf = io.BytesIO()
        summary = cli._rate(engine, str(tmp_path / "cdrs.csv"), buf, False, 1, None, columns)
        assert summary.engine == ("columns" if columns else "rows")
        outputs.append(buf.getvalue())
    assert outputs[0] == outputs[1]
    reasons = [line.rsplit(b",", 1)[1] for line in outputs[0].splitlines()[1:]]
    assert reasons == ([b"onnet", b"", b"onnet", b""] if onnet_free else [b""] * 4)


def test_the_command_says_which_engine_rated(tmp_path, capsys):
    rng = random.Random(5)
    deck_csv = "prefix,destination,route,rate,increment\n44,UK,premium,0.010000,\n1,NANP,value,0.005000,\n"
    (tmp_path / "deck.csv").write_text(deck_csv)
    package = {"name": "P", "markup_fixed": "0", "markup_percent": "10", "pulse": 6}
    (tmp_path / "package.json").write_text(
        json.dumps({**package, "canada_route": "value", "international_route": "premium"})
    )
    (tmp_path / "cdrs.csv").write_text(_cdrs(rng, 50))
    args = ["rate", "--deck", str(tmp_path / "deck.csv"), "--package", str(tmp_path / "package.json")]
    args += ["--cdrs", str(tmp_path / "cdrs.csv"), "--out", str(tmp_path / "out.csv")]
    assert cli.main(args) == 0
    assert "rated 50 calls" in (err := capsys.readouterr().err) and "column-wise" in err
    first = (tmp_path / "out.csv").read_bytes()
    assert cli.main([*args, "--engine", "rows"]) == 0
    assert "row by row" in capsys.readouterr().err
    assert (tmp_path / "out.csv").read_bytes() == first
    with pytest.raises(ValueError, match="engine"):
        rate_file(RateDeck(), PackageRules(), tmp_path / "cdrs.csv", tmp_path / "x.csv", engine="fast")
