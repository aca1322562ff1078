"""billing/invoice.py: the taxes' bases, compound stacking, rounding, which postings an invoice bills, validation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reseller_app.billing.invoice import (
    Line,
    Tax,
    TaxDraft,
    applies_to_client,
    billed_on,
    compute,
    fee_line_kind,
    invoice_number,
    parse_rate,
    prefix_error,
    round2,
    validate_taxes,
)

GST = Tax("GST", D("5"))
QST = Tax("QST", D("9.975"))
QST_C = Tax("QST", D("9.975"), compound=True)


def test_round2_is_half_up():
    assert round2(D("1.835")) == D("1.84") and round2(D("-2.09475")) == D("-2.09") and round2(D("0.125")) == D("0.13")


def test_gst_and_qst_side_by_side_and_compound():
    lines = [Line("package_fee", "recurring", "Pkg", D("100.00"))]
    flat = compute(lines, [GST, QST])
    assert [(t.base, t.amount) for t in flat.taxes] == [(D("100.00"), D("5.00")), (D("100.00"), D("9.98"))]
    stacked = compute(lines, [QST_C, GST])  # compound ones go after the others whatever the order given
    assert [(t.name, t.base, t.amount) for t in stacked.taxes] == [
        ("GST", D("100.00"), D("5.00")),
        ("QST", D("105.00"), D("10.47")),  # 10.47375
    ]
    assert stacked.total == D("115.47")


def test_each_tax_takes_only_its_categories():
    usage_only = Tax("Telecom", D("7"), applies_to=frozenset({"usage"}))
    lines = [
        Line("usage_out", "usage", "Calls", D("10.0000")),
        Line("setup_fee", "setup", "Setup", D("50.0000")),
    ]
    out = compute(lines, [GST, usage_only])
    assert [(t.name, t.base, t.amount) for t in out.taxes] == [
        ("GST", D("60.0000"), D("3.00")),
        ("Telecom", D("10.0000"), D("0.70")),
    ]
    assert [names for _, names in out.lines] == [["GST", "Telecom"], ["GST"]]
    # A tax with no line in its categories is not on the invoice.
    assert [t.name for t in compute(lines[1:], [GST, usage_only]).taxes] == ["GST"]


def test_country_region_and_exemption():
    qc = Tax("QST", D("9.975"), country="CA", region="QC")
    assert applies_to_client(qc, "ca", {"QC", "Quebec"}, exempt=False)
    assert not applies_to_client(qc, "CA", {"Ontario"}, exempt=False)
    assert not applies_to_client(qc, "US", {"QC"}, exempt=False)
    assert not applies_to_client(GST, "CA", set(), exempt=True)
    assert applies_to_client(GST, "", set(), exempt=False)


def test_which_postings_an_invoice_bills():
    d = date(2026, 3, 1)
    assert fee_line_kind("pkg:4:2026-03-01") == ("package_fee", "recurring")
    assert fee_line_kind("did:9:2026-03-01") == ("did_fee", "recurring")
    assert fee_line_kind("setup:pkg:4:abc") == ("setup_fee", "setup")
    assert billed_on("pkg:4:2026-03-01", date(2026, 4, 2), d)  # a fee posted late counts for its period
    assert not billed_on("pkg:4:2026-04-01", date(2026, 3, 1), d)
    assert billed_on("cdr:1:x", date(2026, 3, 1), d) and not billed_on("cdr:1:x", date(2026, 3, 2), d)


def test_rate_and_prefix_validation():
    assert parse_rate("9.975") == D("9.975") and parse_rate("13 %") == D("13") and parse_rate("0") == D(0)
    for bad in ("", "abc", "-1", "100.01", "1.23456", "1e2", "NaN"):
        with pytest.raises(ValueError):
            parse_rate(bad)
    assert prefix_error("INV-") == "" and prefix_error("") == "" and prefix_error("A/B") and prefix_error(".x")
    assert invoice_number("INV-", 42) == "INV-000042"
    taxes, errors = validate_taxes(
        [TaxDraft("GST", "5", "CA"), TaxDraft("gst", "5"), TaxDraft("X", "5", "", "QC", applies_to=[])], {"CA"}
    )
    assert set(errors) == {"tax_1_name", "tax_2_region", "tax_2_applies_to"}
    assert taxes[0] == Tax("GST", D("5"), country="CA")


amounts = st.decimals(min_value=D("-1000"), max_value=D("1000"), places=4, allow_nan=False, allow_infinity=False)
rates = st.decimals(min_value=D("0"), max_value=D("100"), places=4, allow_nan=False, allow_infinity=False)


@given(st.lists(amounts, min_size=1, max_size=8), rates, rates)
def test_totals_are_exact_and_taxes_rounded_once(values, r1, r2):
    lines = [Line("charge", "manual", "x", v) for v in values]
    out = compute(lines, [Tax("A", r1), Tax("B", r2, compound=True)])
    base = sum(values, D(0))
    a = round2(base * r1 / 100)
    assert out.subtotal == base
    assert [t.amount for t in out.taxes] == [a, round2((base + a) * r2 / 100)]
    assert out.total == base + sum((t.amount for t in out.taxes), D(0))
