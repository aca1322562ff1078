"""A client's invoice in their language: the PDF, the HTML page, the email and the ledger's words (issue 21).

The built-in labels, the system's line descriptions, amounts and dates follow the client's language; the
reseller's own texts (business details, footer, a manual charge's words, a tax's name) stay as typed.
"""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlmodel import select

from reseller_app import i18n
from reseller_app.db import session_scope
from reseller_app.models import BillingProfile, Client, Invoice, OutboundEmail, ResellerSettings
from reseller_app.models.system import EmailAttachment
from reseller_app.services.access.actor import Actor
from reseller_app.services.accounting.billing_run import run_billing
from reseller_app.services.accounting.postings import Effects, post_to_client
from reseller_app.services.common import format as fmt
from reseller_app.services.invoicing import documents
from reseller_app.services.portal import account

from .test_invoices import _setup, _taxes

FOOTER = "Merci! Thank you — payable to Érable Inc."


def _languages(world, client_language: str) -> None:
    with session_scope() as s:
        st = s.exec(select(ResellerSettings).where(ResellerSettings.reseller_id == world["ra"])).one()
        st.languages, st.default_language = ["en", "fr_CA", "es_MX"], "en"
        s.get(Client, world["c"]).language = client_language
        profile = s.exec(select(BillingProfile).where(BillingProfile.reseller_id == world["ra"])).first()
        if profile is None:
            profile = BillingProfile(reseller_id=world["ra"])
            s.add(profile)
        profile.footer = FOOTER


def _issue(world, client_language: str) -> None:
    _taxes(world["ra"], compound=True)
    _languages(world, client_language)
    run_billing(_setup(world))


def _pdf_text(data: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(BytesIO(data)).pages)


def test_a_french_clients_pdf_and_page_are_in_french(world):
    _issue(world, "fr_CA")
    me = Actor("client", world["ra"], client_id=world["c"])
    name, data = documents.pdf_for(me, "INV-000001")
    text = _pdf_text(data)
    assert name == "INV-000001.pdf"
    for french in (
        "Facture INV-000001",
        "Facturer à",
        "Émise le :",
        "Échéance :",
        "Description",
        "Qté",
        "Montant",
        "Sous-total",
        "Total (CAD)",
        "42,38\xa0$",  # the amount in the French (Canada) form
        "QST 9,975\xa0% (composée) sur",  # the tax's name as typed, the rate with a decimal comma
        "Appels sortants (2 appels, 0:01:30 facturées)",  # the usage line, rebuilt in French
        "Numéro de téléphone 15145551234",  # the number's monthly fee
        "Page 1 de 1",
    ):
        assert french in text, french
    # The reseller's own words stay as typed: the manual charge and the footer.
    assert "Installation visit" in text and FOOTER in text
    for english in ("Invoice INV", "Bill to", "Subtotal", "Outbound calls", "CA$", "Page 1 of"):
        assert english not in text, english
    _, page = documents.html_for(me, "INV-000001")
    assert '<html lang="fr-CA">' in page
    assert "Sous-total" in page and "42,38\xa0$" in page and "Installation visit" in page
    assert "Période : du " in page and "Subtotal" not in page


def test_the_reseller_downloads_the_same_document_the_client_reads(world):
    _issue(world, "es_MX")
    _, data = documents.pdf_for(world["actor_a"], "INV-000001")
    text = _pdf_text(data)
    assert "Factura INV-000001" in text and "Facturar a" in text and "Página 1 de 1" in text


def test_the_page_a_client_uses_decides_when_nothing_is_stored(world):
    """No stored language: the browser's choice (the download's cookie) decides, else the portal's default."""
    _issue(world, "")
    me = Actor("client", world["ra"], client_id=world["c"])
    with i18n.use_language("es_MX"):
        assert "Subtotal" in _pdf_text(documents.pdf_for(me, "INV-000001")[1])
        assert '<html lang="es-MX">' in documents.html_for(me, "INV-000001")[1]
    english = _pdf_text(documents.pdf_for(me, "INV-000001")[1])
    assert "Invoice INV-000001" in english and "CA$42.38" in english and "Page 1 of 1" in english


def test_the_invoice_email_is_in_the_clients_language(world):
    _issue(world, "fr_CA")
    with session_scope() as s:
        mail = s.exec(select(OutboundEmail).where(OutboundEmail.dedupe_key.like("invoice:%"))).one()
        att = s.exec(select(EmailAttachment).where(EmailAttachment.email_id == mail.id)).one()
        inv = s.exec(select(Invoice)).one()
        due = inv.due_on
        subject, body, pdf = mail.subject, mail.body_text, att.data
    with i18n.use_language("fr_CA"):
        day = fmt.day(due)
    assert subject == "Facture INV-000001"
    assert "Votre facture INV-000001 de 42,38\xa0$ est jointe" in body and day in body
    assert "Sous-total" in _pdf_text(pdf)


def test_a_reseller_s_own_email_wording_is_sent_as_typed(world):
    _taxes(world["ra"], compound=True)
    _languages(world, "fr_CA")
    with session_scope() as s:
        profile = s.exec(select(BillingProfile).where(BillingProfile.reseller_id == world["ra"])).one()
        profile.email_subject = "Your bill [invoice_number]"
    run_billing(_setup(world))
    with session_scope() as s:
        mail = s.exec(select(OutboundEmail).where(OutboundEmail.dedupe_key.like("invoice:%"))).one()
        assert mail.subject == "Your bill INV-000001"  # typed by the reseller: not translated
        assert mail.body_text.startswith("Bonjour")  # the built-in body: in French


@pytest.mark.parametrize(
    ("code", "fee", "call"),
    [
        ("fr_CA", "Numéro de téléphone 15145551234 (du ", "Appel vers 15145550000 (60 s)"),
        ("es_MX", "Número telefónico 15145551234 (del ", "Llamada a 15145550000 (60 s)"),
    ],
)
def test_the_balance_page_shows_the_systems_words_translated_and_the_resellers_as_typed(world, code, fee, call):
    _issue(world, code)
    me = Actor("client", world["ra"], client_id=world["c"])
    with session_scope() as s:
        post_to_client(
            s,
            s.get(Client, world["c"]),
            kind="call",
            amount=-Decimal("0.01"),
            description="Call to 15145550000 (60s)",  # as the call ingest writes it
            reference="cdr:x:words",
            by="rating",
            fx=Effects(),
        )
    with i18n.use_language(code):
        words = [r["description"] for r in account.transactions(me, page_size=50)["items"]]
    assert any(w.startswith(fee) for w in words), words
    assert call in words and "Installation visit" in words  # the reseller's manual charge, as typed
    assert not any(w.startswith(("Phone number", "Call to")) for w in words), words
    english = [r["description"] for r in account.transactions(me, page_size=50)["items"]]
    assert "Call to 15145550000 (60s)" in english  # stored rows are never rewritten


def test_a_manual_charge_keeps_its_words_even_when_they_look_like_the_systems(world):
    from reseller_app.services.accounting.postings import manual_posting

    _languages(world, "fr_CA")
    manual_posting(world["actor_a"], world["c"], "charge", "3.00", "Card deposit")
    run_billing(_setup(world))
    me = Actor("client", world["ra"], client_id=world["c"])
    text = _pdf_text(documents.pdf_for(me, "INV-000001")[1])
    assert "Card deposit" in text and "Dépôt par carte" not in text
    with i18n.use_language("fr_CA"):
        words = [r["description"] for r in account.transactions(me, page_size=50)["items"]]
    assert "Card deposit" in words and "Dépôt par carte" not in words
