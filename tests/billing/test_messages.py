"""Segment counting (GSM-7 vs UCS-2, extension characters, part boundaries) and per-message pricing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from reseller_app.billing.deck import LineError
from reseller_app.billing.messages import (
    MAX_PARTS,
    Encoding,
    MessageKind,
    MessageRates,
    count_segments,
    is_gsm7,
    load_costs_csv,
    price_message,
)

D = Decimal


@pytest.mark.parametrize(
    ("text", "encoding", "units", "parts"),
    [
        ("", Encoding.GSM7, 0, 0),
        ("a", Encoding.GSM7, 1, 1),
        ("a" * 160, Encoding.GSM7, 160, 1),
        ("a" * 161, Encoding.GSM7, 161, 2),
        ("a" * 306, Encoding.GSM7, 306, 2),
        ("a" * 307, Encoding.GSM7, 307, 3),
        ("a" * 1530, Encoding.GSM7, 1530, 10),
        ("a" * 1531, Encoding.GSM7, 1531, 11),
        ("€" * 80, Encoding.GSM7, 160, 1),
        ("€" * 81, Encoding.GSM7, 162, 2),
        ("a" * 159 + "[", Encoding.GSM7, 161, 2),
        ("a" * 158 + "{", Encoding.GSM7, 160, 1),
        ("é" * 160, Encoding.GSM7, 160, 1),
        ("ç", Encoding.UCS2, 1, 1),
        ("ç" * 70, Encoding.UCS2, 70, 1),
        ("ç" * 71, Encoding.UCS2, 71, 2),
        ("ç" * 134, Encoding.UCS2, 134, 2),
        ("ç" * 135, Encoding.UCS2, 135, 3),
        ("ç" * 670, Encoding.UCS2, 670, 10),
        ("😀" * 35, Encoding.UCS2, 70, 1),
        ("😀" * 36, Encoding.UCS2, 72, 2),
        ("a" * 160 + "ç", Encoding.UCS2, 161, 3),
    ],
)
def test_segments_at_the_boundaries(text: str, encoding: Encoding, units: int, parts: int) -> None:
    seg = count_segments(text)
    assert (seg.encoding, seg.units, seg.parts) == (encoding, units, parts)
    assert seg.too_long is (parts > MAX_PARTS)


def test_an_escape_pair_is_never_split_between_parts() -> None:
    # 152 plain septets then '€' (2): the pair does not fit in part one's 153, so it starts part two.
    seg = count_segments("a" * 152 + "€" + "a" * 152)
    assert seg.units == 306
    assert seg.parts == 3  # 152 | 2 + 151 | 1
    assert count_segments("a" * 151 + "€" + "a" * 153).parts == 2  # 153 | 153


def test_a_surrogate_pair_is_never_split_between_parts() -> None:
    # 66 code units then an emoji (2 units): part one holds 66, the emoji opens part two.
    seg = count_segments("ç" * 66 + "😀" + "ç" * 66)
    assert (seg.units, seg.parts) == (134, 3)
    assert count_segments("ç" * 65 + "😀" + "ç" * 67).parts == 2


def test_left_counts_what_the_last_part_still_holds() -> None:
    assert count_segments("hello").left == 155
    assert count_segments("a" * 200).left == 153 * 2 - 200
    assert count_segments("ç" * 10).left == 60


def test_gsm7_tables() -> None:
    assert is_gsm7("Hello @ £5 {ok} ~ ^ | € \\ [x]\n")
    assert not is_gsm7("naïve")  # ï is not in the table
    assert not is_gsm7("\x1b")  # the escape itself is not a character
    assert not is_gsm7("`")


COSTS = MessageRates(sms_out=D("0.0075"), sms_in=D("0"), mms_out=D("0.02"), mms_in=D("0.01"))


def test_outbound_sms_priced_per_segment_with_the_package_rate() -> None:
    p = price_message(MessageKind.SMS, "out", 3, costs=COSTS, sell=MessageRates(sms_out=D("0.015")))
    assert (p.units, p.cost, p.price, p.profit, p.rule) == (3, D("0.0225"), D("0.0450"), D("0.0225"), "package")


def test_empty_rate_falls_back_to_the_markup_rounded_once() -> None:
    # (0.0075 + 0.001) * 1.333 = 0.0113305 -> rate 0.011331 (6 places, half-up); 7 parts -> 0.079317 -> 0.0793
    p = price_message(
        MessageKind.SMS, "out", 7, costs=COSTS, sell=MessageRates(), markup_fixed=D("0.001"), markup_percent=D("33.3")
    )
    assert p.sell_rate == D("0.011331")
    assert p.price == D("0.0793")
    assert p.cost == D("0.0525")
    assert p.rule == "markup"


def test_half_up_on_the_amount() -> None:
    p = price_message(MessageKind.SMS, "out", 1, costs=COSTS, sell=MessageRates(sms_out=D("0.00005")))
    assert p.price == D("0.0001")
    p = price_message(MessageKind.SMS, "out", 1, costs=COSTS, sell=MessageRates(sms_out=D("0.000049")))
    assert p.price == D("0.0000")


def test_inbound_and_mms_are_per_message() -> None:
    sell = MessageRates(sms_in=D("0.002"), mms_out=D("0.05"), mms_in=D("0.03"))
    assert price_message(MessageKind.SMS, "in", 4, costs=COSTS, sell=sell).price == D("0.0020")
    assert price_message(MessageKind.MMS, "out", 1, costs=COSTS, sell=sell).price == D("0.0500")
    mms_in = price_message(MessageKind.MMS, "in", 1, costs=COSTS, sell=sell)
    assert (mms_in.price, mms_in.cost, mms_in.profit) == (D("0.0300"), D("0.0100"), D("0.0200"))


def test_a_zero_package_rate_is_free_not_the_markup() -> None:
    p = price_message(MessageKind.SMS, "out", 2, costs=COSTS, sell=MessageRates(sms_out=D("0")), markup_percent=D("50"))
    assert (p.price, p.rule) == (D("0.0000"), "package")


@pytest.mark.parametrize("segments", [0, 11, True, -1])
def test_outbound_sms_needs_1_to_10_segments(segments: int) -> None:
    with pytest.raises(ValueError, match="segments"):
        price_message(MessageKind.SMS, "out", segments, costs=COSTS, sell=MessageRates())


def test_bad_rates_and_directions_refused() -> None:
    with pytest.raises(ValueError, match="sms_out"):
        MessageRates(sms_out=D("-1"))
    with pytest.raises(ValueError, match="direction"):
        COSTS.rate(MessageKind.SMS, "sideways")


def test_costs_csv(tmp_path) -> None:
    good = tmp_path / "sms.csv"
    good.write_text("kind,direction,cost\nsms,out,0.0075\nmms,in,0.01\n")
    rates = load_costs_csv(good)
    assert rates == MessageRates(sms_out=D("0.0075"), sms_in=D("0"), mms_out=D("0"), mms_in=D("0.01"))
    bad = tmp_path / "bad.csv"
    bad.write_text("kind,direction,cost\nsms,out,0.0075\nsms,out,0.1\n")
    with pytest.raises(LineError, match="bad.csv:3: duplicate sms/out"):
        load_costs_csv(bad)
    bad.write_text("kind,direction,cost\nfax,out,1\n")
    with pytest.raises(LineError, match=":2: unknown"):
        load_costs_csv(bad)


def test_shipped_sms_deck_loads() -> None:
    from reseller_app.carrier.sandbox import DECK_PATH

    rates = load_costs_csv(DECK_PATH.with_name("deck_sms.csv"))
    assert rates.sms_out == D("0.0075")
