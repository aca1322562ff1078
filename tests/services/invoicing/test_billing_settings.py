"""The Billing tab: what is saved, and bad input refused beside its field with nothing saved."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlmodel import select

from reseller_app.db import session_scope
from reseller_app.models import BillingProfile, Invoice, Reseller, TaxRate
from reseller_app.services.common.errors import NotFound, ValidationFailed
from reseller_app.services.invoicing import profile

GOOD = {
    "currency": "CAD",
    "legal_name": "Maple Voice Inc.",
    "address": "100 King St W\nToronto",
    "tax_numbers": "GST 123456789 RT0001",
    "footer": "Thanks",
    "payment_terms_days": "15",
    "invoice_prefix": "MV-",
    "next_number": "1001",
    "email_subject": "Invoice [invoice_number]",
    "email_body": "Hi [firstname], [total] due [due_date].",
}
TAXES = [
    {"name": "GST", "rate": "5", "country": "CA", "region": "", "compound": "", "applies_to": "usage,recurring"},
    {"name": "QST", "rate": "9.975", "country": "ca", "region": "QC", "compound": "1", "applies_to": "usage"},
]


def test_saves_currency_details_taxes_and_numbering(world):
    data = profile.save(world["actor_a"], GOOD, TAXES)
    assert data["form"]["currency"] == "CAD" and data["form"]["next_number"] == "1001"
    assert data["taxes"][1] == {
        "name": "QST",
        "rate": "9.975",
        "country": "CA",
        "region": "QC",
        "compound": "1",
        "applies_to": "usage",
    }
    with session_scope() as s:
        assert s.get(Reseller, world["ra"]).currency == "CAD"
        rates = s.exec(select(TaxRate).order_by(TaxRate.position)).all()
        assert [(t.name, t.rate, t.compound, t.applies_to) for t in rates] == [
            ("GST", Decimal("5"), False, ["usage", "recurring"]),
            ("QST", Decimal("9.975"), True, ["usage"]),
        ]
        p = s.exec(select(BillingProfile).where(BillingProfile.reseller_id == world["ra"])).one()
        assert (p.invoice_prefix, p.next_number, p.payment_terms_days) == ("MV-", 1001, 15)
    # Another reseller sees its own (empty) settings.
    assert profile.load(world["actor_b"])["taxes"] == []


@pytest.mark.parametrize(
    ("field", "value", "key"),
    [
        ("rate", "100.5", "tax_0_rate"),
        ("rate", "-1", "tax_0_rate"),
        ("rate", "9.97501", "tax_0_rate"),
        ("rate", "abc", "tax_0_rate"),
        ("name", "  ", "tax_0_name"),
        ("country", "ZZ", "tax_0_country"),
        ("applies_to", "", "tax_0_applies_to"),
    ],
)
def test_bad_tax_is_refused_beside_its_field(world, field, value, key):
    profile.save(world["actor_a"], GOOD, TAXES)
    bad = [dict(TAXES[0], **{field: value}), TAXES[1]]
    with pytest.raises(ValidationFailed) as e:
        profile.save(world["actor_a"], dict(GOOD, currency="EUR"), bad)
    assert key in e.value.errors
    with session_scope() as s:  # nothing saved, not even the currency
        assert s.get(Reseller, world["ra"]).currency == "CAD"
        assert len(s.exec(select(TaxRate)).all()) == 2


def test_duplicate_names_unknown_currency_and_bad_prefix(world):
    dup = [TAXES[0], dict(TAXES[1], name="gst")]
    with pytest.raises(ValidationFailed) as e:
        profile.save(world["actor_a"], dict(GOOD, currency="ABC", invoice_prefix="INV/2026"), dup)
    assert {"tax_1_name", "currency", "invoice_prefix"} <= set(e.value.errors)
    for prefix in ("a b", "..", "x" * 21, 'in"v'):
        with pytest.raises(ValidationFailed) as e:
            profile.save(world["actor_a"], dict(GOOD, invoice_prefix=prefix), TAXES)
        assert "invoice_prefix" in e.value.errors
    with pytest.raises(ValidationFailed) as e:
        profile.save(world["actor_a"], dict(GOOD, email_body="[balance]"), TAXES)
    assert "email_body" in e.value.errors


def test_the_first_number_is_fixed_once_an_invoice_exists(world):
    profile.save(world["actor_a"], GOOD, [])
    with session_scope() as s:
        s.add(
            Invoice(
                reseller_id=world["ra"],
                client_id=world["c"],
                seq=1001,
                number="MV-001001",
                currency="CAD",
                period_start=__import__("datetime").date(2026, 1, 1),
                period_end=__import__("datetime").date(2026, 1, 31),
                issued_on=__import__("datetime").date(2026, 1, 31),
                due_on=__import__("datetime").date(2026, 2, 15),
                subtotal=Decimal(1),
                tax_total=Decimal(0),
                total=Decimal(1),
            )
        )
        s.get(BillingProfile, s.exec(select(BillingProfile.id)).first()).next_number = 1002
    data = profile.save(world["actor_a"], dict(GOOD, next_number="1"), [])
    assert data["numbering_locked"] and data["form"]["next_number"] == "1002"


def test_exemption_belongs_to_the_reseller(world):
    with pytest.raises(ValidationFailed):
        profile.set_exemption(world["actor_a"], world["c"], True, "")
    profile.set_exemption(world["actor_a"], world["c"], True, "QC-EX-9")
    assert profile.exemption(world["actor_a"], world["c"]) == (True, "QC-EX-9")
    with pytest.raises(NotFound):
        profile.set_exemption(world["actor_b"], world["c"], False, "")
    with pytest.raises(NotFound):
        profile.exemption(world["actor_b"], world["c"])
