from decimal import Decimal as D

import pytest

from reseller_app.billing.deck import LineError, RateDeck

from .factories import deck


def test_longest_prefix_wins_per_route():
    d = deck(("premium", "44", "0.01"), ("premium", "4420", "0.008"), ("value", "442071", "0.001"))
    assert d.lookup("premium", "442071234567").prefix == "4420"
    assert d.lookup("premium", "441611234567").prefix == "44"
    assert d.lookup("value", "442071234567").prefix == "442071"
    assert d.lookup("value", "441611234567") is None  # nothing on that route: unrated
    assert d.lookup("premium", "33123") is None


def test_load_csv(tmp_path):
    f = tmp_path / "deck.csv"
    f.write_text("prefix,destination,route,rate,increment\n44,UK,premium,0.010000,\n4420,London,premium,0.008,60\n")
    d = RateDeck.load_csv(f)
    e = d.lookup("premium", "442071234567")
    assert (e.prefix, e.destination, e.rate, e.increment) == ("4420", "London", D("0.008"), 60)
    assert d.lookup("premium", "441").increment == 6  # empty increment means 6 s
    assert len(d) == 2


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ("44,UK,premium,abc,\n", 2, "rate: 'abc' is not a plain decimal"),
        ("44,UK,premium,0.01,\n44,UK,gold,0.01,\n", 3, "route: must be 'value' or 'premium'"),
        ("44,UK,premium,0.01,\n44,UK,premium,0.02,\n", 3, "duplicate prefix 44 on route premium .first on line 2"),
        ("44,UK,premium,0.01,x\n", 2, "increment: 'x'"),
        ("44,UK,premium,0.01,0\n", 2, "increment: must be whole seconds"),
        ("+44,UK,premium,0.01,\n", 2, "prefix: must be digits"),
        ("44,UK,premium\n", 2, "expected 5 fields, got 3"),
        ("44,UK,premium,-0.01,\n", 2, "must not be negative"),
    ],
)
def test_load_csv_reports_the_line(tmp_path, body, line, message):
    f = tmp_path / "deck.csv"
    f.write_text("prefix,destination,route,rate,increment\n" + body)
    with pytest.raises(LineError, match=message) as err:
        RateDeck.load_csv(f)
    assert err.value.line == line
    assert str(err.value).startswith(f"{f}:{line}: ")


def test_unusual_but_valid_rows_take_the_slow_path(tmp_path):
    f = tmp_path / "deck.csv"
    f.write_text("prefix,route,rate\n44,Premium,.5\n49,premium,+0.25\n")  # no destination/increment columns
    d = RateDeck.load_csv(f)
    assert d.lookup("premium", "4412").rate == D("0.5")
    assert d.lookup("premium", "4912").rate_micro == 250_000
    assert d.lookup("premium", "4912").increment == 6


def test_load_csv_header_checked(tmp_path):
    f = tmp_path / "deck.csv"
    f.write_text("prefix,cost\n")
    with pytest.raises(LineError, match="header lacks column.s. route, rate"):
        RateDeck.load_csv(f)
