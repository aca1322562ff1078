"""The client's messaging in French and Spanish: refusals, the conversation CSV and the live counter (issue 21)."""

from __future__ import annotations

import pytest

from reseller_app import i18n
from reseller_app.services.common.errors import ValidationFailed
from reseller_app.services.messaging import inbox, messages
from reseller_app.state.messaging.inbox import counter_text


@pytest.mark.parametrize(
    ("code", "empty", "mine"),
    [
        ("fr_CA", "Entrez un message.", "Entrez un autre numéro que le vôtre."),
        ("es_MX", "Escribe un mensaje.", "Escribe un número distinto del tuyo."),
        ("en", "Enter a message.", "Enter another number than your own."),
    ],
)
def test_refusals_speak_the_clients_language(pair, code, empty, mine):
    with i18n.use_language(code):
        with pytest.raises(ValidationFailed) as e:
            messages.send(pair["c_actor"], pair["did1"], pair["n2"], "  ")
        assert e.value.errors == {"text": empty}
        with pytest.raises(ValidationFailed) as e:
            messages.send(pair["c_actor"], pair["did1"], pair["n1"], "hi")
        assert e.value.errors == {"to": mine}


def test_a_too_long_text_says_its_parts_in_french(pair):
    with i18n.use_language("fr_CA"), pytest.raises(ValidationFailed) as e:
        messages.send(pair["c_actor"], pair["did1"], pair["n2"], "a" * 1531)
    assert e.value.errors["text"] == "Ce texte demande 11 parties; au plus 10 peuvent être envoyées."


def test_the_settings_refusal_in_spanish(pair):
    with i18n.use_language("es_MX"), pytest.raises(ValidationFailed) as e:
        inbox.set_sms(pair["c_actor"], pair["did1"], True, email="not an address")
    assert e.value.errors == {"email": "Escribe un correo electrónico o déjalo vacío."}


def test_the_conversation_csv_has_french_titles_and_english_keys(pair):
    messages.send(pair["c_actor"], pair["did1"], pair["n2"], "bonjour")
    with i18n.use_language("fr_CA"):
        french = inbox.conversation_csv(pair["c_actor"], pair["n1"], pair["n2"]).splitlines()
    english = inbox.conversation_csv(pair["c_actor"], pair["n1"], pair["n2"]).splitlines()
    assert french[0] == "Date,Sens,Numéro d'origine,Numéro de destination,Type,Texte,Parties,Prix"
    assert ",envoyé," in french[1]
    assert english[0] == "date,direction,from,to,type,text,parts,price"
    assert ",sent," in english[1]


def test_the_counter_counts_in_each_language():
    assert counter_text("hello") == "5 GSM-7 units · 1 part · 155 left in this part"
    with i18n.use_language("fr_CA"):
        assert counter_text("") == "0 caractère · jusqu'à 10 parties"
        assert counter_text("hello") == "5 unités GSM-7 · 1 partie · 155 restant(s) dans cette partie"
    with i18n.use_language("es_MX"):
        assert counter_text("a" * 1600).startswith("1600 unidades GSM-7 · 11 partes (más de 10: demasiado largo)")


def _enable(pair, **stored: str) -> None:
    from sqlmodel import select

    from reseller_app.db import session_scope
    from reseller_app.models import Client, ResellerSettings

    with session_scope() as s:
        st = s.exec(select(ResellerSettings).where(ResellerSettings.reseller_id == pair["ra"])).one()
        st.languages, st.default_language = ["en", "fr_CA", "es_MX"], "en"
        for key, code in stored.items():
            s.get(Client, pair[key]).language = code


def _copy(pair, to: str) -> tuple[str, str]:
    from sqlmodel import select

    from reseller_app.db import session_scope
    from reseller_app.models import OutboundEmail

    with session_scope() as s:
        mail = s.exec(select(OutboundEmail).where(OutboundEmail.to_addr == to)).one()
        return mail.subject, mail.body_text


def test_the_email_copy_of_a_received_text_is_in_the_recipients_language(pair):
    _enable(pair, d="fr_CA")
    inbox.set_sms(pair["d_actor"], pair["did2"], True, email="d-inbox@example.com")
    with i18n.use_language("es_MX"):  # the sender reads Spanish: the recipient still gets French
        messages.send(pair["c_actor"], pair["did1"], pair["n2"], "Bonjour")
    subject, body = _copy(pair, "d-inbox@example.com")
    assert subject == f"Message texte de +{pair['n1']} pour +{pair['n2']}"
    assert body == "Bonjour"  # the text itself, as sent


def test_without_a_stored_language_the_copy_is_in_the_portals_default(pair):
    _enable(pair)
    inbox.set_sms(pair["d_actor"], pair["did2"], True, email="d-inbox@example.com")
    with i18n.use_language("fr_CA"):  # the sender's language is not the recipient's
        messages.send(pair["c_actor"], pair["did1"], pair["n2"], "hi")
    assert _copy(pair, "d-inbox@example.com")[0] == f"Text message from +{pair['n1']} to +{pair['n2']}"
