"""The shipped rate deck is well-formed and shaped like a wholesale deck."""

from __future__ import annotations

import csv
from decimal import Decimal

import pytest

from reseller_app.carrier import CarrierError
from reseller_app.carrier.sandbox import DECK_COLUMNS, DECK_PATH, SandboxCarrier, load_deck

CANADIAN = (
    "1204 1226 1236 1249 1250 1289 1306 1343 1365 1403 1416 1418 1431 1437 1438 1450 1506 1514 1519 1548 1579 "
    "1581 1587 1604 1613 1639 1647 1705 1709 1778 1780 1782 1807 1819 1825 1867 1873 1902 1905"
).split()


@pytest.fixture(scope="module")
def deck() -> dict[str, dict[str, object]]:
    carrier = SandboxCarrier()
    return {route: {r.prefix: r for r in carrier.termination_rates(route)} for route in ("value", "premium")}


def test_file_is_small_with_exact_columns():
    assert DECK_PATH.stat().st_size < 300_000
    with DECK_PATH.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        assert next(reader) == DECK_COLUMNS
        rows = list(reader)
    assert len(rows) > 2000
    assert all(len(r) == 5 for r in rows)


def test_every_row_parses(deck):
    for route, rows in deck.items():
        assert len(rows) > 1000
        for prefix, row in rows.items():
            assert prefix.isdigit() and row.route == route and row.destination
            assert isinstance(row.rate, Decimal) and Decimal(0) < row.rate < Decimal(2)
            assert row.rate == row.rate.quantize(Decimal("0.000001"))
            assert row.increment in (1, 6, 30, 60)


def test_prefixes_unique_per_route():
    with DECK_PATH.open(newline="", encoding="utf-8") as fh:
        keys = [(r["route"], r["prefix"]) for r in csv.DictReader(fh)]
    assert len(keys) == len(set(keys))


def test_canadian_area_codes_on_both_routes(deck):
    for prefix in CANADIAN:
        for route in ("value", "premium"):
            assert deck[route][prefix].destination.startswith("Canada"), (route, prefix)
            assert Decimal("0.003") <= deck[route][prefix].rate <= Decimal("0.013")


def test_us_is_prefix_1_on_premium_only(deck):
    assert deck["premium"]["1"].destination == "United States"
    assert Decimal("0.004") <= deck["premium"]["1"].rate <= Decimal("0.012")
    assert "1" not in deck["value"]


def test_caribbean_and_international_destinations(deck):
    for prefix, name in [("1876", "Jamaica"), ("1242", "Bahamas"), ("1809", "Dominican Republic")]:
        assert deck["value"][prefix].destination == name
        assert deck["premium"][prefix].destination == name
    expected = {
        "44": "United Kingdom",
        "447": "United Kingdom - Mobile",
        "33": "France",
        "49": "Germany",
        "52": "Mexico",
        "91": "India",
        "86": "China",
    }
    for prefix, name in expected.items():
        for route in ("value", "premium"):
            assert deck[route][prefix].destination == name


def test_mobiles_dearer_than_landlines_in_western_europe(deck):
    premium = deck["premium"]
    assert Decimal("0.01") <= premium["44"].rate <= Decimal("0.03")
    assert premium["447"].rate > premium["44"].rate
    assert premium["336"].rate > premium["33"].rate


def test_premium_never_cheaper_than_value(deck):
    shared = deck["value"].keys() & deck["premium"].keys()
    assert len(shared) == len(deck["value"])  # every value prefix is also on premium
    for prefix in shared:
        assert deck["premium"][prefix].rate >= deck["value"][prefix].rate, prefix


def test_unknown_route_refused():
    with pytest.raises(CarrierError) as err:
        SandboxCarrier().termination_rates("gold")
    assert err.value.code == "invalid_route"


def test_deck_path_and_cache():
    carrier = SandboxCarrier()
    assert carrier.deck_csv_path() == DECK_PATH
    carrier.termination_rates("value")
    assert load_deck.cache_info().currsize >= 1
    rows = carrier.termination_rates("value")
    rows.clear()  # callers get a copy, never the cache itself
    assert carrier.termination_rates("value")


def test_missing_or_malformed_deck(tmp_path):
    assert SandboxCarrier(deck_path=tmp_path / "none.csv").deck_csv_path() is None
    bad = tmp_path / "bad.csv"
    bad.write_text("prefix,destination,route,rate,increment\n44,UK,value,0.01x,6\n")
    with pytest.raises(CarrierError) as err:
        SandboxCarrier(deck_path=bad).termination_rates("value")
    assert err.value.code == "invalid_deck"
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("prefix,rate\n44,0.01\n")
    with pytest.raises(CarrierError):
        SandboxCarrier(deck_path=wrong).termination_rates("value")
