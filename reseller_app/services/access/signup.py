"""Client self-signup through a reseller's portal: a WAIT account and the "awaiting activation" email."""

from __future__ import annotations

import pycountry
from email_validator import EmailNotValidError, validate_email
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from reseller_app.db import read_scope, session_scope
from reseller_app.i18n import N_, _
from reseller_app.models import Client, Reseller, ResellerSettings
from reseller_app.notify import enqueue
from reseller_app.notify.templates import render
from reseller_app.services.access import abuse
from reseller_app.services.access.actor import Actor
from reseller_app.services.access.security import PASSWORD_RULE, hash_password, password_problem
from reseller_app.services.clients.accounts import TEXT_FIELDS
from reseller_app.services.common import audit, fields
from reseller_app.services.common.errors import NotFound, ValidationFailed
from reseller_app.services.settings import texts

FIELD_LABELS = {
    "firstname": N_("First name"),
    "lastname": N_("Last name"),
    "company": N_("Company"),
    "address": N_("Address"),
    "city": N_("City"),
    "state": N_("State / province"),
    "country": N_("Country (2 letters)"),
    "zip": N_("Postal code"),
    "phone_number": N_("Phone number"),
}
FIELD_LIMITS = {key: limit for key, (_label, limit) in TEXT_FIELDS.items()}  # what the client table takes
PASSWORD_HINT = PASSWORD_RULE  # the signup page shows the rule beside the field
DONE = N_("Thank you. Your account is awaiting activation; we sent you an email.")


def signup_form(reseller_id: int) -> list[dict[str, str]] | None:
    """The fields this portal's signup form offers (key, label, required), or None when signup is off."""
    with read_scope() as session:
        r = session.get(Reseller, reseller_id)
        if r is None or not r.portal_active:
            return None
        s = session.exec(select(ResellerSettings).where(ResellerSettings.reseller_id == reseller_id)).one()
        if not s.signup_enabled:
            return None
        out = [{"key": "firstname", "label": _(FIELD_LABELS["firstname"]), "required": "1"}]
        for key, choice in (s.signup_fields or {}).items():
            if key in FIELD_LABELS and choice in ("optional", "required"):
                out.append({"key": key, "label": _(FIELD_LABELS[key]), "required": "1" if choice == "required" else ""})
        return out


def sign_up(reseller_id: int, form: dict[str, str], ip: str = "") -> str:
    """Create a WAIT client from the public signup form and queue the email; returns the message to show.

    Counted per visitor address (`ip`) and per email address (services/access/abuse.py): the form emails any
    address with the visitor's text.
    """
    offered = signup_form(reseller_id)
    if offered is None:
        raise NotFound(_("Sign-up is not available on this portal."))
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    for f in offered:
        key = f["key"]
        raw = str(form.get(key) or "").replace("\r", " ").replace("\n", " ").strip()
        if f["required"] and not raw:
            errors[key] = _("Required.")
        elif len(raw) > FIELD_LIMITS[key]:
            errors[key] = _("Use at most {n} characters.").format(n=FIELD_LIMITS[key])
        values[key] = raw
    if values.get("country"):
        values["country"] = values["country"].upper()
        if pycountry.countries.get(alpha_2=values["country"]) is None:
            errors["country"] = _("Use a 2-letter country code, e.g. CA.")
    if values.get("phone_number") and "phone_number" not in errors:
        try:
            fields.phone_e164(values["phone_number"], "phone_number", values.get("country") or "US")
        except ValidationFailed as e:
            errors.update(e.errors)
    try:
        email = validate_email(str(form.get("email", "")).strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        errors["email"] = _("Enter a valid email address.")
        email = ""
    password = str(form.get("password", ""))
    problem = password_problem(password)
    if problem:
        errors["password"] = problem
    if errors:
        raise ValidationFailed(errors)
    if not abuse.check("signup", reseller_id, ip, email):
        return _(DONE)  # this address had its share of signup mail for the hour: the usual answer, nothing sent
    pw_hash = hash_password(password)
    try:
        with session_scope() as session:
            s = session.exec(select(ResellerSettings).where(ResellerSettings.reseller_id == reseller_id)).one()
            exists = session.exec(
                select(Client.id).where(Client.reseller_id == reseller_id, Client.email == email)
            ).first()
            if exists is not None:
                # Same answer as a new account, so the form does not reveal who is a client.
                return _(DONE)
            client = Client(reseller_id=reseller_id, email=email, password_hash=pw_hash, status="WAIT", **values)
            # Signed up in a language the portal offers: that is the client's language from now on.
            client.language = lang = texts.language_for(None, s)
            session.add(client)
            session.flush()
            names = {"firstname": client.firstname, "lastname": client.lastname}
            enqueue(
                session,
                to=email,
                subject=render(texts.text(s, "signup_wait_subject", lang), **names).replace("\n", " ")[:255],
                body=render(texts.text(s, "signup_wait_body", lang), **names),
                reseller_id=reseller_id,
            )
            audit.record(session, Actor("client", reseller_id, client.id), "signup", "client", client.id)
    except IntegrityError:
        return _(DONE)
    return _(DONE)
