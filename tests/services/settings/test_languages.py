"""The reseller's languages: which ones clients may pick, the default one, and the reseller's texts in each."""

from __future__ import annotations

import pytest
from sqlmodel import select

from reseller_app.db import session_scope
from reseller_app.i18n import use_language
from reseller_app.models import Client, OutboundEmail, ResellerSettings
from reseller_app.services.access import password_reset
from reseller_app.services.access.actor import Actor
from reseller_app.services.common.errors import ValidationFailed
from reseller_app.services.portal import account as client_portal
from reseller_app.services.reporting import overview
from reseller_app.services.settings import branding as portal
from reseller_app.services.settings import configuration as config
from reseller_app.services.settings import texts


def _form(world) -> dict[str, str]:
    return config.load(world["actor_a"])["form"]


def _mails() -> list[OutboundEmail]:
    with session_scope() as s:
        return list(s.exec(select(OutboundEmail).order_by(OutboundEmail.id)).all())


def test_every_language_is_offered_until_the_reseller_limits_them(world):
    assert portal.public_branding(world["ra"])["languages"] == "en,fr_CA,es_MX"
    form = {**_form(world), "lang_es_MX": "", "default_language": "fr_CA"}
    config.save_section(world["actor_a"], "languages", form)
    brand = portal.public_branding(world["ra"])
    assert (brand["languages"], brand["default_language"]) == ("en,fr_CA", "fr_CA")
    assert portal.public_branding(world["rb"])["languages"] == "en,fr_CA,es_MX"  # another reseller's own choice


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"lang_en": "", "lang_fr_CA": "", "lang_es_MX": ""}, "lang_en", "Enable at least one language."),
        ({"lang_es_MX": "", "default_language": "es_MX"}, "default_language", "Enable the default language"),
        ({"default_language": "de_DE"}, "default_language", "Choose a language."),
        ({"tr_fr_CA_reset_url_body": "Bonjour [firstname]"}, "tr_fr_CA_reset_url_body", "must contain [url]"),
        ({"tr_fr_CA_low_balance_body": "Solde : [solde]"}, "tr_fr_CA_low_balance_body", "[solde]"),
    ],
)
def test_bad_language_settings_are_refused_and_nothing_changes(world, change, field, message):
    with pytest.raises(ValidationFailed) as e:
        config.save_section(world["actor_a"], "languages", {**_form(world), **change})
    assert message in e.value.errors[field]
    assert portal.public_branding(world["ra"])["languages"] == "en,fr_CA,es_MX"


def test_a_client_cannot_store_a_language_the_reseller_does_not_offer(world):
    me = Actor("client", world["ra"], world["c"])
    config.save_section(world["actor_a"], "languages", {**_form(world), "lang_es_MX": ""})
    with pytest.raises(ValidationFailed):
        client_portal.set_language(me, "es_MX")
    assert client_portal.set_language(me, "fr_CA") == "fr_CA"
    assert client_portal.portal_view(me).language == "fr_CA"


def test_the_welcome_text_per_language_falls_back_to_the_default_one(world):
    form = {**_form(world), "welcome_html": "<p>Welcome to Alpha.</p>"}
    config.save_section(world["actor_a"], "messages", form)
    me = Actor("client", world["ra"], world["c"])
    form = {**_form(world), "tr_fr_CA_welcome_html": "<p>Bienvenue chez Alpha.</p><script>alert(1)</script>"}
    config.save_section(world["actor_a"], "languages", form)
    with use_language("fr_CA"):
        assert overview.client_summary(me)["welcome_html"] == "<p>Bienvenue chez Alpha.</p>"  # sanitized too
    with use_language("es_MX"):
        assert overview.client_summary(me)["welcome_html"] == "<p>Welcome to Alpha.</p>"  # none written: default
    assert overview.client_summary(me)["welcome_html"] == "<p>Welcome to Alpha.</p>"


def test_a_built_in_text_the_reseller_never_changed_comes_in_the_readers_language(world):
    with session_scope() as s:
        st = s.exec(select(ResellerSettings).where(ResellerSettings.reseller_id == world["ra"])).one()
        assert texts.text(st, "reset_url_subject", "fr_CA") == "Réinitialisez votre mot de passe"
        assert texts.text(st, "reset_url_subject", "en") == "Reset your password"
        st.reset_url_subject = "Alpha: new password"  # the reseller's own: every language falls back to it
        assert texts.text(st, "reset_url_subject", "fr_CA") == "Alpha: new password"


def test_the_reset_email_is_in_the_clients_language(world):
    with session_scope() as s:
        s.get(Client, world["c"]).language = "fr_CA"
    password_reset.request_reset(world["ra"], "c@example.com")
    [mail] = _mails()
    assert mail.subject == "Réinitialisez votre mot de passe"
    assert mail.body_text.startswith("Bonjour Cy Cole,\n\nUtilisez ce lien pour choisir un nouveau mot de passe : ")


def test_without_a_stored_language_the_email_follows_the_page_it_was_asked_from(world):
    with use_language("es_MX"):
        password_reset.request_reset(world["ra"], "c@example.com")
    password_reset.request_reset(world["ra"], "c@example.com")
    spanish, english = _mails()
    assert spanish.subject == "Restablece tu contraseña"
    assert english.subject == "Reset your password"
