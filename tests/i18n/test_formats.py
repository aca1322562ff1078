"""Amounts, dates and numbers in the client's locale; amounts typed the client's way."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from reseller_app.i18n import use_language
from reseller_app.services.common import fields
from reseller_app.services.common import format as fmt
from reseller_app.services.common.errors import ValidationFailed

NBSP = "\u00a0"


def test_money_in_the_reseller_currency_and_the_clients_locale():
    with fmt.use_currency("CAD"):
        assert fmt.money(Decimal("1234.5"), locale="en_CA") == "$1,234.50"
        with use_language("fr_CA"):
            assert fmt.money(Decimal("1234.5")) == f"1{NBSP}234,50{NBSP}$"
            assert fmt.money(Decimal("-0.0138"), 4) == f"-0,0138{NBSP}$"
    with fmt.use_currency("USD"):
        assert fmt.money(Decimal("1234.5")) == "$1,234.50"  # English: PORTAL_LOCALE (en_US)
        with use_language("es_MX"):
            assert fmt.money(Decimal("1234.5")) == "USD1,234.50"  # Mexico writes a foreign currency by its code


def test_dates_in_the_clients_zone_and_locale():
    at = datetime(2026, 12, 1, 23, 5, tzinfo=UTC)
    assert fmt.when(at, "America/Toronto") == "2026-12-01 18:05"
    with use_language("fr_CA"):
        assert fmt.when(at, "America/Toronto") == "2026-12-01 18 h 05"
    with use_language("es_MX"):
        assert fmt.when(at, "America/Mexico_City").replace("\u202f", " ") == "01/12/26 5:05 p.m."


def test_rates_numbers_and_words_follow_the_language():
    assert fmt.rate(Decimal("0.0138")) == "0.0138"
    assert fmt.number(1234) == "1,234"
    assert fmt.ledger_kind("payment") == "Payment"
    with use_language("fr_CA"):
        assert fmt.rate(Decimal("0.0138")) == "0,0138"
        assert fmt.rate(Decimal("0.012345")) == "0,012345"
        assert fmt.number(1234) == f"1{NBSP}234"
        assert fmt.ledger_kind("payment") == "Paiement"
        assert fmt.caller("") == "Inconnu"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("12,50", "12.50"), ("1 234,50", "1234.50"), (f"1{NBSP}234,50 $", "1234.50"), ("12.50", "12.50"), ("7", "7")],
)
def test_a_french_client_types_amounts_with_a_decimal_comma(typed, expected):
    with use_language("fr_CA"):
        assert fields.amount(typed) == Decimal(expected)


def test_amount_errors_speak_the_clients_language_with_its_examples():
    with use_language("fr_CA"), pytest.raises(ValidationFailed) as e:
        fields.amount("douze")
    assert e.value.errors == {"amount": "Entrez un nombre comme 25,00."}
    with use_language("fr_CA"), pytest.raises(ValidationFailed) as e:
        fields.amount("12,505")
    assert e.value.errors == {"amount": "Utilisez au plus 2 décimales."}
    with pytest.raises(ValidationFailed) as e:
        fields.amount("twelve")
    assert e.value.errors == {"amount": "Enter a number such as 25.00."}
