"""Voicemail with a client over the API: getVoicemails, createVoicemail, setVoicemail, delVoicemail.

Boxes follow the client portal's rules (telephony.voicemail.clean_mailbox); VoIP.ms's PIN is exactly 4 digits.
"""

from __future__ import annotations

import re

from reseller_app.services.access.actor import Actor, require_reseller
from reseller_app.services.api.access import ApiError
from reseller_app.services.api.wire import Answer, Params, client_id, method, need, opt, req, text, yes
from reseller_app.services.common.errors import NotFound, ValidationFailed
from reseller_app.services.telephony import voicemail

YES_NO = ("yes", "no")
PLAY_INSTRUCTIONS = ("u", "su")
LANGUAGES = ("en", "fr", "es")
ATTACHMENT_FORMATS = ("wav49", "wav", "wavmp3")
FIELD_CODE = {"mailbox": "invalid_mailbox", "name": "missing_name", "pin": "invalid_password", "email": "invalid_email"}


def _settings(p: Params, current: dict | None) -> dict:
    """The box values from the documented parameters, checked in the documented order (absent on set = kept)."""
    cur = current or {}
    name = text(p, "name") or cur.get("name", "")
    if not name:
        raise ApiError("missing_name")
    pin = text(p, "password") or cur.get("pin", "")
    if not pin:
        raise ApiError("missing_password")
    if not re.fullmatch(r"\d{4}", pin):
        raise ApiError("invalid_password")
    for name_, code, allowed in (
        ("skip_password", "skippassword", ("0", "1", "true", "false", "yes", "no")),
        ("attach_message", "attachmessage", YES_NO),
        ("delete_message", "deletemessage", YES_NO),
        ("say_time", "saytime", YES_NO),
        ("timezone", "timezone", None),
        ("say_callerid", "saycallerid", YES_NO),
        ("play_instructions", "playinstructions", PLAY_INSTRUCTIONS),
        ("language", "language", LANGUAGES),
    ):
        value = text(p, name_)
        if not value:
            if current is None:
                raise ApiError(f"missing_{code}")
            continue
        if allowed is None:
            if not re.fullmatch(r"[A-Za-z_]+(/[A-Za-z0-9_+\-]+){1,2}|UTC", value):
                raise ApiError("invalid_timezone")
        elif value.lower() not in allowed:
            raise ApiError(f"invalid_{code}")
    fmt = text(p, "email_attachment_format")
    if fmt and fmt not in ATTACHMENT_FORMATS:
        raise ApiError("invalid_email_attachment_format")
    email = text(p, "email") if "email" in p else cur.get("email", "")
    attach = yes(p, "attach_message") if text(p, "attach_message") else cur.get("attach_audio", True)
    return {"name": name, "pin": pin, "email": email.split(",")[0].strip(), "attach_audio": attach}


def _save(actor: Actor, client: str, form: dict, box_id: int | None) -> int:
    try:
        return voicemail.save_mailbox(actor, client, form, box_id)
    except NotFound:
        raise ApiError("invalid_mailbox") from None
    except ValidationFailed as e:
        raise ApiError(FIELD_CODE.get(next(iter(e.errors), ""), "invalid_mailbox")) from None


BOX_PARAMS = (
    req("name", "The box's name."),
    req("password", "PIN, exactly 4 digits."),
    req("skip_password", "1/0 (checked, not stored)."),
    req("attach_message", "yes/no: attach the recording to the e-mail."),
    req("delete_message", "yes/no (checked, not stored)."),
    req("say_time", "yes/no (checked, not stored)."),
    req("timezone", "A getTimezones value, e.g. America/New_York (checked, not stored)."),
    req("say_callerid", "yes/no (checked, not stored)."),
    req("play_instructions", "u or su (checked, not stored)."),
    req("language", "en, fr or es (checked, not stored)."),
    opt("email", "Where messages go (the first address of a comma-separated list)."),
    opt("email_attachment_format", "wav49, wav or wavmp3."),
)
BOX_CODES = (
    "missing_name",
    "missing_password",
    "invalid_password",
    "missing_skippassword",
    "invalid_skippassword",
    "missing_attachmessage",
    "invalid_attachmessage",
    "missing_deletemessage",
    "invalid_deletemessage",
    "missing_saytime",
    "invalid_saytime",
    "missing_timezone",
    "invalid_timezone",
    "missing_saycallerid",
    "invalid_saycallerid",
    "missing_playinstructions",
    "invalid_playinstructions",
    "missing_language",
    "invalid_language",
    "invalid_email",
    "invalid_email_attachment_format",
)
NOTE = (
    "Boxes belong to a client in the portal: `client` is required on createVoicemail. Options the portal does "
    "not keep are checked and answered with VoIP.ms's defaults by getVoicemails."
)


@method(
    "createVoicemail",
    "Create a voicemail box for a client.",
    (req("digits", "The mailbox number, 1 to 10 digits."), *BOX_PARAMS, req("client", "Client id.")),
    ("missing_digits", "invalid_digits", *BOX_CODES, "missing_client", "invalid_client"),
    NOTE,
)
def create_voicemail(actor: Actor, p: Params) -> Answer:
    """createVoicemail."""
    require_reseller(actor)
    digits = need(p, "digits")
    if not re.fullmatch(r"\d{1,10}", digits):
        raise ApiError("invalid_digits")
    form = _settings(p, None)
    client = client_id(actor, p, required=False)
    if client is None:
        raise ApiError("missing_client")
    form["mailbox"] = digits
    try:
        voicemail.save_mailbox(actor, client, form)
    except ValidationFailed as e:
        field = next(iter(e.errors), "")
        raise ApiError("invalid_digits" if field == "mailbox" else FIELD_CODE.get(field, "invalid_digits")) from None
    return {}


def _box(actor: Actor, p: Params) -> dict:
    mailbox = need(p, "mailbox")
    if not re.fullmatch(r"\d{1,10}", mailbox):
        raise ApiError("invalid_mailbox")
    client = client_id(actor, p, required=False)
    rows = voicemail.list_mailboxes(actor, client_id=client, mailbox=mailbox)
    if len(rows) != 1:  # none, or the same number at two clients: name the client
        raise ApiError("invalid_mailbox")
    return rows[0]


@method(
    "setVoicemail",
    "Change a voicemail box (absent options keep their value).",
    (req("mailbox", "The mailbox number."), *BOX_PARAMS, opt("client", "Client id (finds the box under it).")),
    ("missing_mailbox", "invalid_mailbox", *BOX_CODES, "invalid_client"),
    NOTE,
)
def set_voicemail(actor: Actor, p: Params) -> Answer:
    """setVoicemail."""
    require_reseller(actor)
    box = _box(actor, p)
    form = _settings(p, box)
    form["mailbox"] = box["mailbox"]
    _save(actor, str(box["client_id"]), form, box["id"])
    return {}


@method(
    "delVoicemail",
    "Delete a voicemail box.",
    (req("mailbox", "The mailbox number."), opt("client", "Client id (finds the box under it).")),
    ("missing_mailbox", "invalid_mailbox", "invalid_client"),
)
def del_voicemail(actor: Actor, p: Params) -> Answer:
    """delVoicemail."""
    require_reseller(actor)
    box = _box(actor, p)
    try:
        voicemail.delete_mailbox(actor, box["id"])
    except NotFound:
        raise ApiError("invalid_mailbox") from None
    return {}


def box_row(v: dict) -> dict[str, str]:
    """A getVoicemails row with VoIP.ms's keys (the PIN is not sent back, as getClients' password)."""
    return {
        "mailbox": v["mailbox"],
        "name": v["name"],
        "password": "",
        "skip_password": "0",
        "email": v["email"],
        "attach_message": "yes" if v["attach_audio"] else "no",
        "delete_message": "no",
        "say_time": "yes",
        "timezone": "America/New_York",
        "say_callerid": "yes",
        "play_instructions": "u",
        "language": "en",
        "email_attachment_format": "wav49",
        "unavailable_message_recording": "",
        "new": "0",
        "urgent": "0",
        "transcription": "no",
        "transcription_locale": "",
        "transcription_redaction": "no",
        "transcription_sentiment": "no",
        "transcription_summary": "no",
        "transcription_format": "text",
        "transcription_delay": "0",
    }


@method(
    "getVoicemails",
    "Voicemail boxes: all yours, a client's, or one.",
    (opt("mailbox", "One mailbox number."), opt("client", "Client id.")),
    ("invalid_mailbox", "invalid_client", "no_mailbox"),
    "`password` (the PIN) is empty.",
)
def get_voicemails(actor: Actor, p: Params) -> Answer:
    """getVoicemails."""
    require_reseller(actor)
    client = client_id(actor, p, required=False)
    mailbox = text(p, "mailbox")
    if mailbox and not re.fullmatch(r"\d{1,10}", mailbox):
        raise ApiError("invalid_mailbox")
    rows = voicemail.list_mailboxes(actor, client_id=client, mailbox=mailbox)
    if not rows:
        raise ApiError("invalid_mailbox" if mailbox else "no_mailbox")
    return {"voicemails": [box_row(v) for v in rows]}
