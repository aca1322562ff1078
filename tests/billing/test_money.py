from decimal import Decimal as D

import pytest

from reseller_app.billing.money import (
    fmt_display,
    fmt_money,
    fmt_rate,
    from_micro,
    parse_amount,
    round4,
    round6,
    to_micro,
)


def test_round4_is_half_up_not_bankers():
    assert round4(D("0.00005")) == D("0.0001")
    assert round4(D("0.00015")) == D("0.0002")
    assert round4(D("0.000049")) == D("0.0000")
    assert round4(D("-0.00005")) == D("-0.0001")  # half away from zero


def test_round6():
    assert round6(D("0.0138")) == D("0.013800")
    assert round6(D("0.0000005")) == D("0.000001")


def test_micro_units_round_trip_exactly():
    assert to_micro(D("0.013800")) == 13800
    assert to_micro(D("12.34")) == 12_340_000
    assert to_micro(D("-0.000001")) == -1
    assert from_micro(13800) == D("0.013800")
    assert str(from_micro(12_340_000)) == "12.340000"
    with pytest.raises(ValueError, match="more than 6 decimal places"):
        to_micro(D("0.0000001"))
    with pytest.raises(TypeError):
        to_micro(0.1)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "value"), [("0.0138", D("0.0138")), (" 5 ", D("5")), ("+1.5", D("1.5")), (".5", D("0.5")), ("-0", D("0"))]
)
def test_parse_amount_accepts_plain_decimals(text, value):
    assert parse_amount(text) == value


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("abc", "not a plain decimal"),
        ("1e3", "not a plain decimal"),
        ("NaN", "not a plain decimal"),
        ("1.2.3", "not a plain decimal"),
        ("0.1234567", "more than 6 decimal places"),
        ("-1", "must not be negative"),
        ("١٢", "not a plain decimal"),  # non-ASCII digits
    ],
)
def test_parse_amount_rejects_with_a_clear_message(text, message):
    with pytest.raises(ValueError, match=message):
        parse_amount(text, what="rate")


def test_parse_amount_names_the_field_and_honours_places():
    with pytest.raises(ValueError, match=r"^fee: '1.23456' has more than 4"):
        parse_amount("1.23456", places=4, what="fee")
    assert parse_amount("-2.5", allow_negative=True) == D("-2.5")


def test_formatting():
    assert fmt_money(D("12.34")) == "12.3400"
    assert fmt_money(D("-0.00001")) == "0.0000"  # never "-0.0000"
    assert fmt_rate(D("0.0138")) == "0.013800"
    assert fmt_display(D("12.345")) == "12.35"
    assert fmt_display(D("-5")) == "-5.00"
