"""The ledger's built-in descriptions read in French and Spanish; the reseller's own words untouched (issue 21)."""

from __future__ import annotations

import pytest

from reseller_app import i18n
from reseller_app.services.common import descriptions


@pytest.mark.parametrize(
    ("stored", "kind", "reference", "french"),
    [
        ("Call to 15145550000 (65s)", "call", "cdr:1:u", "Appel vers 15145550000 (65 s)"),
        ("Call from +15145550100 (5s)", "call", "cdr:1:v", "Appel de +15145550100 (5 s)"),
        ("SMS to +15145550000, 2 parts", "message", "msg:1:a", "SMS vers +15145550000, 2 parties"),
        ("Card deposit", "payment", "card:7", "Dépôt par carte"),
        ("Card refund (part of 12.50)", "charge", "refund:7", "Remboursement sur la carte (partie de 12.50)"),
        ("Basic monthly fee, 100001_a (2026-11-01 to 2026-12-01)", "fee", "pkg:3:2026-11-01",
         "Frais mensuels Basic, 100001_a (du 1 nov. 2026 au 1 déc. 2026)"),
        ("Reversal of: Card deposit", "reversal", "rev:card:7", "Annulation de : Dépôt par carte"),
        ("Reversal of: Installation visit", "reversal", "rev:charge:9", "Annulation de : Installation visit"),
        ("INV-000004: Outbound calls (3 calls, 0:02:05 billed)", "credit", "credit:1:INV-000004:1",
         "INV-000004: Appels sortants (3 appels, 0:02:05 facturées)"),
        # A reseller's manual posting keeps its words, even when they look like the system's.
        ("Card deposit", "payment", "payment:uuid", "Card deposit"),
        ("Installation visit", "charge", "charge:uuid", "Installation visit"),
        ("Something else entirely", "fee", "setup:x", "Something else entirely"),
    ],
)  # fmt: skip
def test_french(stored, kind, reference, french):
    with i18n.use_language("fr_CA"):
        assert descriptions.posting(stored, kind, reference) == french
    assert descriptions.posting(stored, kind, reference) == stored  # English: the stored row as it is


def test_spanish_plurals():
    with i18n.use_language("es_MX"):
        assert descriptions.posting("Messages (1 message)") == "Mensajes (1 mensaje)"
        assert descriptions.posting("Faxes (2 faxes)") == "Faxes (2 faxes)"
        assert descriptions.posting("Inbound calls (1 call, 0:00:10 billed)") == (
            "Llamadas entrantes (1 llamada, 0:00:10 facturados)"
        )
