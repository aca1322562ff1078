"""The pure balance rules (the ledger's own rules are tested on the database: tests/models/test_ledger_rules.py)."""

import pytest

from reseller_app.billing.ledger import (
    ACTIVE,
    HARD,
    SOFT,
    SUSPENDED,
    WAIT,
    fill_template,
    low_balance_crossing,
    status_after,
    validate_threshold,
)

from .factories import D


def test_soft_never_suspends():
    assert status_after(D("-100"), SOFT, ACTIVE) == ACTIVE


def test_hard_suspends_at_zero_and_a_payment_restores():
    assert status_after(D("0.0001"), HARD, ACTIVE) == ACTIVE
    assert status_after(D("0"), HARD, ACTIVE) == SUSPENDED
    assert status_after(D("-3.50"), HARD, ACTIVE) == SUSPENDED
    # A payment of 5.00 on -3.50 brings it to 1.50 > 0: restored.
    assert status_after(D("-3.50") + D("5.00"), HARD, SUSPENDED) == ACTIVE
    assert status_after(D("0"), HARD, SUSPENDED) == SUSPENDED  # 0 is not above 0
    assert status_after(D("10"), HARD, SUSPENDED, manual_hold=True) == SUSPENDED
    assert status_after(D("-1"), HARD, WAIT) == WAIT
    with pytest.raises(ValueError):
        status_after(D("1"), "MEDIUM", ACTIVE)


def test_low_balance_email_once_per_crossing_and_rearmed():
    threshold = D("10")
    send, armed = low_balance_crossing(D("15"), D("9.99"), threshold, True)
    assert (send, armed) == (True, False)
    assert low_balance_crossing(D("9.99"), D("5"), threshold, armed) == (False, False)  # still below: no repeat
    send, armed = low_balance_crossing(D("5"), D("10"), threshold, armed)  # back at the threshold: re-armed
    assert (send, armed) == (False, True)
    assert low_balance_crossing(D("10"), D("9"), threshold, armed) == (True, False)
    assert low_balance_crossing(D("12"), D("8"), threshold) == (True, False)  # armed derived from prev
    assert low_balance_crossing(D("9"), D("8"), threshold) == (False, False)


@pytest.mark.parametrize("value", ["10", "500", "250.50", D("10")])
def test_threshold_in_range(value):
    assert validate_threshold(value) == D(value)


@pytest.mark.parametrize("value", ["9.99", "500.01", "0", "abc"])
def test_threshold_out_of_range(value):
    with pytest.raises(ValueError, match="threshold"):
        validate_threshold(value)


def test_fill_template():
    text = "Hi [firstname] [LastName], your balance is [balance] (threshold [threshold]). [unknown]"
    out = fill_template(text, firstname="Ana", lastname="Roy", balance=D("9.5"), threshold=D("10"))
    assert out == "Hi Ana Roy, your balance is 9.50 (threshold 10.00). [unknown]"
    # One pass: a value that looks like a placeholder is not expanded again.
    assert fill_template("[firstname]", firstname="[balance]", balance=D("1")) == "[balance]"
