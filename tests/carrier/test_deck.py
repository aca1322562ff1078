"""The shipped rate deck is well-formed, loads with the rating engine's reader, and is shaped like a wholesale deck."""

from __future__ import annotations

import csv
from decimal import Decimal
from types import SimpleNamespace

import pytest

from reseller_app.billing.deck import RateDeck
from reseller_app.billing.enums import ROUTES
from reseller_app.carrier.sandbox import DECK_PATH, SandboxCarrier
from reseller_app.services.telephony.calls import deck_for

DECK_COLUMNS = ["prefix", "destination", "route", "rate", "increment"]

CANADIAN = (
    "1204 1226 1236 1249 1250 1289 1306 1343 1365 1403 1416 1418 1431 1437 1438 1450 1506 1514 1519 1548 1579 "
    "1581 1587 1604 1613 1639 1647 1705 1709 1778 1780 1782 1807 1819 1825 1867 1873 1902 1905"
).split()


@pytest.fixture(scope="module")
def deck() -> dict[str, dict[str, SimpleNamespace]]:
    """The shipped file's rows per route and prefix, as written."""
    rows: dict[str, dict[str, SimpleNamespace]] = {route: {} for route in ROUTES}
    with DECK_PATH.open(newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            rows[r["route"]][r["prefix"]] = SimpleNamespace(
                route=r["route"], destination=r["destination"], rate=Decimal(r["rate"]), increment=int(r["increment"])
            )
    return rows


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


def test_the_rating_engine_reads_every_row_as_written(deck):
    loaded = RateDeck.load_csv(DECK_PATH)
    assert len(loaded) == sum(len(rows) for rows in deck.values())
    for route, rows in deck.items():
        for prefix, row in rows.items():
            entry = loaded.lookup(route, prefix)
            assert entry is not None and entry.prefix == prefix, (route, prefix)
            assert (entry.rate, entry.increment, entry.destination) == (row.rate, row.increment, row.destination)


def test_the_portal_rates_with_the_carriers_deck_file():
    carrier = SandboxCarrier()
    assert carrier.deck_csv_path() == DECK_PATH
    reseller = SimpleNamespace(carrier_kind="sandbox")
    assert deck_for(reseller).lookup("premium", "12125550100").destination == "United States"


def test_a_missing_deck_file_is_no_deck(tmp_path):
    assert SandboxCarrier(deck_path=tmp_path / "none.csv").deck_csv_path() is None
