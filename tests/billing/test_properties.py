"""Property tests: prices never negative, monotone in duration, deterministic; the fast command agrees with the
Rater API, column-wise and row by row in one process or two. (The ledger's property test runs on the database:
tests/services/accounting.)"""

import csv
import random
import tempfile
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reseller_app.billing.cli import rate_file
from reseller_app.billing.deck import RateDeck
from reseller_app.billing.fees import cycle_start
from reseller_app.billing.money import fmt_money, to_micro
from reseller_app.billing.package import AreaRate, FreeZone, PackageRules
from reseller_app.billing.rating import Call, RatingEngine, markup, rate_calls

PREFIXES = ["1", "1514", "1212", "1438", "44", "4420", "447", "49", "4930", "33", "34", "7", "77"]
DESTS = [
    "15145551234",
    "12125551234",
    "14385550000",
    "442071234567",
    "447911123456",
    "441611234567",
    "4930123456",
    "4940123456",
    "33123456789",
    "34123456789",
    "74951234567",
    "77012345678",
    "999123",
    "86",
]
DISPOSITIONS = ["ANSWERED", "ANSWERED", "ANSWERED", "NO ANSWER", "BUSY", "FAILED", "CONGESTION"]
T0 = datetime(2024, 1, 20, tzinfo=UTC)

# A loaded CI machine must not turn slow examples into failures.
RELAXED = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
micro = st.integers(0, 300_000).map(lambda n: D(n).scaleb(-6))


@st.composite
def decks(draw):
    deck = RateDeck()
    for route in ("value", "premium"):
        for prefix in draw(st.lists(st.sampled_from(PREFIXES), unique=True, min_size=1)):
            deck.add(route, prefix, draw(micro), draw(st.sampled_from([1, 6, 6, 30, 60])), prefix)
    return deck


@st.composite
def packages(draw):
    return PackageRules(
        name="P",
        markup_fixed=D(draw(st.integers(0, 5000))).scaleb(-6),
        markup_percent=D(draw(st.integers(0, 20000))).scaleb(-2),
        pulse=draw(st.one_of(st.sampled_from([1, 6, 30, 60]), st.integers(1, 3600))),
        canada_route=draw(st.sampled_from(["value", "premium"])),
        international_route=draw(st.sampled_from(["value", "premium"])),
        onnet_free=draw(st.booleans()),
        free_minutes=draw(st.sampled_from([0, 0, 1, 3, 10])),
        billing_anchor=draw(st.sampled_from([date(2024, 1, 31), date(2024, 1, 15), date(2023, 12, 1)])),
        did_rate=draw(micro),
        area_rates=tuple(
            draw(
                st.lists(
                    st.one_of(
                        st.builds(AreaRate, micro, prefix=st.sampled_from(PREFIXES)),
                        st.builds(AreaRate, micro, country=st.sampled_from(["GB", "DE", "CA", "US", "KZ"])),
                    ),
                    max_size=3,
                    unique_by=lambda a: (a.prefix, a.country),
                )
            )
        ),
        free_zones=tuple(
            draw(
                st.lists(
                    st.one_of(
                        st.builds(FreeZone, country=st.sampled_from(["DE", "FR", "CA"])),
                        st.builds(FreeZone, prefix=st.sampled_from(PREFIXES)),
                        st.builds(FreeZone, max_rate=micro),
                    ),
                    max_size=2,
                )
            )
        ),
    )


@st.composite
def call_lists(draw, max_size=25):
    n = draw(st.integers(0, max_size))
    calls = []
    for i in range(n):
        calls.append(
            Call(
                call_id=f"c{draw(st.integers(0, 50))}-{i}",
                start=T0 + timedelta(minutes=draw(st.integers(0, 60 * 24 * 70)) // 7),
                direction=draw(st.sampled_from(["out", "out", "in"])),
                account=draw(st.sampled_from(["sa1", "sa2"])),
                caller="15145550000",
                destination=draw(st.sampled_from(DESTS)),
                duration=draw(st.one_of(st.integers(0, 400), st.integers(0, 7200))),
                disposition=draw(st.sampled_from(DISPOSITIONS)),
                onnet=draw(st.booleans()),
            )
        )
    return calls


@settings(max_examples=200, **RELAXED)
@given(packages(), decks(), call_lists())
def test_prices_and_costs_are_never_negative(pkg, deck, calls):
    for r in rate_calls(calls, pkg, deck):
        assert r.price is None or r.price >= 0
        assert r.cost is None or r.cost >= 0
        assert r.billable_seconds >= 0
        assert r.price is not None or r.reason == "unrated"


@settings(max_examples=200, **RELAXED)
@given(packages(), decks(), call_lists(max_size=1).filter(bool), st.integers(1, 4000), st.integers(0, 12))
def test_a_longer_call_never_costs_less(pkg, deck, calls, extra, used):
    c = calls[0]
    longer = Call(**{**{f: getattr(c, f) for f in c.__slots__}, "duration": c.duration + extra})
    key = (c.account, cycle_start(pkg.billing_anchor, c.start.date()))  # the same pool, `used` minutes gone
    short = rate_calls([c], pkg, deck, pools={key: used})[0]
    long_ = rate_calls([longer], pkg, deck, pools={key: used})[0]
    if long_.price is None:  # no carrier prefix: unrated, never priced (a 0 s call is simply not billed)
        assert long_.reason == "unrated"
    elif short.price is not None:
        assert long_.price >= short.price
        assert long_.cost >= short.cost


@settings(max_examples=100, **RELAXED)
@given(packages(), decks(), call_lists(), st.randoms(use_true_random=False))
def test_rating_is_deterministic_whatever_the_input_order(pkg, deck, calls, rnd):
    calls = list({c.call_id: c for c in calls}.values())
    first = rate_calls(calls, pkg, deck)
    assert rate_calls(calls, pkg, deck) == first
    shuffled = calls[:]
    rnd.shuffle(shuffled)
    by_id = {r.call_id: r for r in rate_calls(shuffled, pkg, deck)}
    assert [by_id[c.call_id] for c in calls] == first


def _fmt(value, places):
    return "" if value is None else fmt_money(value, places)


def _write_cdrs(path: Path, calls):
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(
            ["call_id", "start", "direction", "account", "caller", "destination", "duration", "disposition", "onnet"]
        )
        for c in calls:
            w.writerow(
                [
                    c.call_id,
                    c.start.isoformat(),
                    c.direction,
                    c.account,
                    c.caller,
                    c.destination,
                    c.duration,
                    c.disposition,
                    int(c.onnet),
                ]
            )


@settings(max_examples=60, **RELAXED)
@given(packages(), decks(), call_lists(max_size=40))
def test_the_command_agrees_with_the_api_column_wise_and_row_by_row_in_one_or_two_processes(pkg, deck, calls):
    calls = list({c.call_id: c for c in calls}.values())
    expected = [
        [
            r.call_id,
            str(r.billable_seconds),
            _fmt(r.cost_rate, 6),
            _fmt(r.cost, 4),
            _fmt(r.sell_rate, 6),
            _fmt(r.price, 4),
            _fmt(r.profit, 4),
            r.reason,
        ]
        for r in rate_calls(calls, pkg, deck)
    ]
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        _write_cdrs(d / "cdrs.csv", calls)
        for engine, jobs in (("columns", 1), ("rows", 1), ("rows", 2)):
            summary = rate_file(deck, pkg, d / "cdrs.csv", d / "out.csv", jobs=jobs, engine=engine)
            with (d / "out.csv").open(newline="") as f:
                rows = list(csv.reader(f))[1:]
            assert rows == expected, (engine, jobs)
            assert summary.engine == (engine if calls else "rows")  # the columns engine took every plain file


def test_two_processes_and_the_columns_engine_match_one_on_a_bigger_random_file(tmp_path):
    rng = random.Random(7)
    deck = RateDeck()
    for p in PREFIXES:
        deck.add("premium", p, D(rng.randint(0, 90000)).scaleb(-6), rng.choice([1, 6, 60]))
        deck.add("value", p, D(rng.randint(0, 90000)).scaleb(-6), 6)
    pkg = PackageRules(
        markup_fixed=D("0.0025"),
        markup_percent=D("20"),
        pulse=6,
        free_minutes=30,
        billing_anchor=date(2024, 1, 31),
        did_rate=D("0.01"),
        onnet_free=True,
    )
    calls = [
        Call(
            f"c{i}",
            T0 + timedelta(seconds=rng.randint(0, 90 * 86400)),
            rng.choice(["out", "in"]),
            f"sa{rng.randint(1, 30)}",
            "1",
            rng.choice(DESTS),
            rng.randint(0, 900),
            rng.choice(DISPOSITIONS),
            rng.random() < 0.05,
        )
        for i in range(20_000)
    ]
    _write_cdrs(tmp_path / "cdrs.csv", calls)
    rate_file(deck, pkg, tmp_path / "cdrs.csv", tmp_path / "one.csv", jobs=1, engine="rows")
    rate_file(deck, pkg, tmp_path / "cdrs.csv", tmp_path / "two.csv", jobs=2, engine="rows")
    assert rate_file(deck, pkg, tmp_path / "cdrs.csv", tmp_path / "columns.csv").engine == "columns"
    assert (tmp_path / "one.csv").read_bytes() == (tmp_path / "two.csv").read_bytes()
    assert (tmp_path / "one.csv").read_bytes() == (tmp_path / "columns.csv").read_bytes()


@settings(max_examples=500, **RELAXED)
@given(
    micro, st.integers(0, 10**6).map(lambda n: D(n).scaleb(-6)), st.integers(0, 10**8).map(lambda n: D(n).scaleb(-4))
)
def test_integer_markup_equals_the_decimal_formula(cost, fixed, percent):
    pkg = PackageRules(markup_fixed=fixed, markup_percent=percent)
    deck = RateDeck()
    deck.add("premium", "44", cost)
    res = RatingEngine(pkg, deck, memoize=False).resolve("4412")
    assert res.markup_micro == to_micro(markup(cost, fixed, percent))
