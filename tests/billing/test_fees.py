from datetime import date

import pytest

from reseller_app.billing.fees import (
    CUSTOM_HOSTNAME_FEE,
    Recurring,
    add_months,
    custom_hostname_fee,
    cycle_start,
    did_fee_key,
    did_setup_fee,
    due_periods,
    e911_fee_key,
    e911_setup_fee,
    monthly_fees,
    next_billing_date,
    package_fee_key,
    package_setup_fee,
)

from .factories import D


def test_add_months_clamps_but_keeps_the_anchor_day():
    jan31 = date(2024, 1, 31)
    assert [add_months(jan31, n) for n in range(4)] == [jan31, date(2024, 2, 29), date(2024, 3, 31), date(2024, 4, 30)]
    assert add_months(date(2023, 1, 31), 1) == date(2023, 2, 28)
    assert add_months(date(2024, 12, 15), 1) == date(2025, 1, 15)
    assert add_months(date(2024, 3, 31), -1) == date(2024, 2, 29)


def test_next_billing_date_keeps_the_anchor_day():
    assert next_billing_date(date(2023, 1, 31)) == date(2023, 2, 28)
    assert next_billing_date(date(2023, 2, 28), anchor_day=31) == date(2023, 3, 31)  # Jan 31 -> Feb 28 -> Mar 31
    assert next_billing_date(date(2023, 12, 31)) == date(2024, 1, 31)
    with pytest.raises(ValueError):
        next_billing_date(date(2023, 1, 1), anchor_day=32)


def test_cycle_start():
    anchor = date(2024, 1, 31)
    assert cycle_start(anchor, date(2024, 3, 5)) == date(2024, 2, 29)
    assert cycle_start(anchor, date(2024, 2, 29)) == date(2024, 2, 29)
    assert cycle_start(anchor, date(2024, 3, 31)) == date(2024, 3, 31)
    assert cycle_start(anchor, date(2024, 1, 1)) == date(2023, 12, 31)  # before the anchor


def test_due_periods_catch_up_missed_months():
    periods = due_periods(date(2023, 1, 31), date(2023, 4, 2), anchor_day=31)
    assert periods == [
        (date(2023, 1, 31), date(2023, 2, 28)),
        (date(2023, 2, 28), date(2023, 3, 31)),
        (date(2023, 3, 31), date(2023, 4, 30)),
    ]
    assert due_periods(date(2023, 5, 1), date(2023, 4, 30)) == []


def _recurring():
    return [
        Recurring("pkg", "sa1", D("20.00"), "Package Gold on sa1"),
        Recurring("pkg", "sa2", D("20.00"), "Package Gold on sa2"),  # once per connected sub-account
        Recurring("did", "15145550001", D("1.50"), "DID 15145550001"),
        Recurring("e911", "r7", D("1.00"), "e911 record r7"),
    ]


def test_monthly_fees_on_the_billing_date():
    run = monthly_fees(_recurring(), date(2024, 1, 31), date(2024, 1, 31))
    assert [i.reference for i in run.items] == [
        "pkg:sa1:2024-01-31",
        "pkg:sa2:2024-01-31",
        "did:15145550001:2024-01-31",
        "e911:r7:2024-01-31",
    ]
    assert sum(i.amount for i in run.items) == D("42.50")
    assert run.next_billing == date(2024, 2, 29)
    assert run.items[0].period_end == date(2024, 2, 29)
    assert package_fee_key("sa1", date(2024, 1, 31)) == "pkg:sa1:2024-01-31"
    assert did_fee_key("15145550001", date(2024, 1, 31)) == run.items[2].reference
    assert e911_fee_key("r7", date(2024, 1, 31)) == run.items[3].reference


def test_billing_run_is_idempotent():
    first = monthly_fees(_recurring(), date(2024, 1, 31), date(2024, 2, 10))
    posted = {i.reference for i in first.items}
    # Same run again (e.g. the next date was not saved): every fee is already posted.
    again = monthly_fees(_recurring(), date(2024, 1, 31), date(2024, 2, 10), already_posted=posted)
    assert again.items == []
    # A run after the date moved on charges nothing until the next billing date.
    assert monthly_fees(_recurring(), first.next_billing, date(2024, 2, 28)).items == []


def test_billing_run_after_missed_months_charges_each_period_once():
    run = monthly_fees(_recurring()[:1], date(2024, 1, 31), date(2024, 4, 15), anchor_day=31)
    assert [i.reference for i in run.items] == ["pkg:sa1:2024-01-31", "pkg:sa1:2024-02-29", "pkg:sa1:2024-03-31"]
    assert run.next_billing == date(2024, 4, 30)


def test_items_connected_or_removed_mid_way():
    rec = [
        Recurring("did", "new", D("2"), "DID new", active_from=date(2024, 2, 10)),
        Recurring("did", "gone", D("2"), "DID gone", active_until=date(2024, 2, 10)),
    ]
    run = monthly_fees(rec, date(2024, 1, 31), date(2024, 3, 31), anchor_day=31)
    assert [i.reference for i in run.items] == ["did:gone:2024-01-31", "did:new:2024-02-29", "did:new:2024-03-31"]


def test_setup_fees():
    assert package_setup_fee(D("25"), charge_setup_fee=True) == D("25.0000")
    assert package_setup_fee(D("25"), charge_setup_fee=False) == D("0")
    assert did_setup_fee(D("1.25"), 3) == D("3.7500")  # times the DIDs connected at once
    assert e911_setup_fee(D("1.5")) == D("1.5000")
    assert custom_hostname_fee() == CUSTOM_HOSTNAME_FEE == D("10.00")
    with pytest.raises(ValueError):
        did_setup_fee(D("1"), -1)
