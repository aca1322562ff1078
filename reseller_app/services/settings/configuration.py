"""Reseller configuration: every tab of the guide, validated here and saved in one transaction each.

The UI holds every value as a string (a form); `load` gives those strings and `save_section` parses, validates and
persists one tab. Nothing a reseller types may run script in a client's browser: colours are strict hex, image URLs
are https or our own uploads, the welcome text is sanitized with nh3, and everything else is rendered as text.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import ipaddress
import re
import secrets
import socket
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import nh3
from email_validator import EmailNotValidError, validate_email
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from reseller_app import i18n
from reseller_app.billing import fees
from reseller_app.billing.money import parse_amount
from reseller_app.config import own_origins, settings
from reseller_app.db import session_scope
from reseller_app.models import AuditLog, Reseller, ResellerSettings, utcnow
from reseller_app.models.reseller import DEFAULT_SERVICES, DEFAULT_SIGNUP_FIELDS
from reseller_app.notify.templates import render
from reseller_app.services.access.actor import Actor, require_reseller
from reseller_app.services.accounting.payments import parse_deposit_amounts
from reseller_app.services.common import audit
from reseller_app.services.common import format as fmt
from reseller_app.services.common.errors import NotFound, ValidationFailed
from reseller_app.services.settings import texts
from reseller_app.services.settings.branding import BRAND_FIELDS, portal_base, portal_languages
from reseller_app.services.staff import roles
from reseller_app.services.staff.roles import require_role

# ---------------------------------------------------------------- field groups (one per tab)

COLOR_FIELDS = tuple(f for f in BRAND_FIELDS if f.startswith(("color_", "btn_", "panel_")))
IMAGE_FIELDS = tuple(f for f in BRAND_FIELDS if f.startswith("img_"))
IMAGE_LABELS = {
    "img_login_background": "Login background",
    "img_login_logo": "Login logo",
    "img_header": "Header image",
    "img_content_logo": "Content logo",
    "img_favicon": "Browser tab icon (favicon)",
}
# What each image slot takes (checked by the file's bytes): a favicon is a PNG or an ICO, the others PNG, JPEG, WebP.
UPLOAD_KINDS = {"img_favicon": ("png", "ico")}
IMAGE_KINDS = ("png", "jpg", "webp")
RATE_FIELDS = ("did_setup", "did_monthly", "did_minute", "fax_setup", "fax_monthly", "fax_minute")
E911_FIELDS = ("e911_setup", "e911_monthly")
SIGNUP_FIELDS = tuple(DEFAULT_SIGNUP_FIELDS)
SIGNUP_CHOICES = ("hidden", "optional", "required")
SERVICE_LABELS = {
    "subaccounts": "Sub-accounts",
    "dids": "Phone numbers (DIDs)",
    "e911": "e911",
    "voicemail": "Voicemail",
    "forwarding": "Call forwarding",
    "fax": "Fax",
    "cdr": "Call history (CDR)",
    "balance": "Balance & payments",
    "timeconditions": "Time conditions",
    "ivr": "IVR",
    "ringgroups": "Ring groups",
    "callhunting": "Call hunting",
    "queues": "Call queues",
    "conferences": "Conferences",
    "callback": "Callback",
    "disa": "DISA",
    "callerid": "Caller ID filtering",
    "moh": "Music on hold",
    "recordings": "Recordings",
    "phonebook": "Phonebook",
    "messages": "Messages (SMS/MMS)",
}
VIEW_SETTINGS = ("standard", "simple", "simple_hide")
MESSAGE_KINDS = ("low_balance", "reset_url", "reset_done", "signup_wait")
# The [variables] each email may use (the guide's lists; the reset link needs [url] to be of any use).
MESSAGE_VARIABLES = {
    "low_balance": ("firstname", "lastname", "balance", "threshold"),
    "reset_url": ("firstname", "lastname", "url"),
    "reset_done": ("firstname", "lastname"),
    "signup_wait": ("firstname", "lastname"),
}
MESSAGE_REQUIRED_VARIABLES = {"reset_url": ("url",)}
SAMPLE_VALUES = {
    "firstname": "Jane",
    "lastname": "Doe",
    "balance": "$4.20",
    "threshold": "$10.00",
    "url": "https://portal.example.com/reset/SAMPLE-TOKEN",
}

SECTIONS: dict[str, tuple[str, ...]] = {
    "interface": RATE_FIELDS + E911_FIELDS,
    "branding": BRAND_FIELDS,
    "display": ("show_sip_password", "show_forgot_password", "signup_enabled", "client_two_factor")
    + tuple(f"signup_{f}" for f in SIGNUP_FIELDS),
    "services": ("view_setting",) + tuple(f"svc_{s}" for s in DEFAULT_SERVICES),
    "messages": ("welcome_html", "payment_instructions")
    + tuple(f"{k}_{part}" for k in MESSAGE_KINDS for part in ("subject", "body")),
    "payment": ("paypal_enabled", "paypal_email", "deposit_amounts"),
    # The client portal's languages, and the reseller's texts in each of them (tr_<lang>_<field>; empty: the
    # default language's text is used). See services/settings/texts.py.
    "languages": ("default_language",)
    + tuple(f"lang_{c}" for c in i18n.languages())
    + tuple(f"tr_{c}_{f}" for c in i18n.languages() for f in texts.LOCALIZED),
}
ALL_FIELDS = tuple(f for fields in SECTIONS.values() for f in fields)

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
# Only raster formats a browser shows as an image; SVG is refused because it can carry script.
_MAGIC = ((b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpg"))
UPLOAD_PREFIX = "/_upload/"
# Markup inside an "image" makes it a polyglot (a real PNG/JPEG header with HTML or SVG script after it or in a
# comment chunk): a browser that ever sniffed it as a page would run the script. Real images do not hold these.
# Only long enough tokens, so compressed pixel data does not match by chance.
_MARKUP = re.compile(
    rb"<(?:script|html|body|iframe|object|embed|!doctype|\?xml)|<(?:svg|img)[\s/>]|javascript:",
    re.IGNORECASE,
)
_UPLOAD_NAME = re.compile(r"^/_upload/[0-9a-f]{32}\.(png|jpg|webp|ico)$")
_COLOR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_URL_BAD_CHARS = re.compile(r"[\s\"'()<>\\`]")
HOSTNAME_A_RECORD = settings.portal_ip
# The TXT record that proves a reseller owns its hostname: `_portal-verify.<hostname>` = "portal-verify=<proof>".
PROOF_LABEL = "_portal-verify"
PROOF_PREFIX = "portal-verify="

# ---------------------------------------------------------------- welcome text (rich text)

WELCOME_TAGS = {
    "p", "br", "b", "strong", "i", "em", "u", "s", "span", "div", "h1", "h2", "h3", "h4",
    "ul", "ol", "li", "a", "img", "blockquote", "hr", "font",
}  # fmt: skip
WELCOME_STYLE_PROPERTIES = {
    "color", "background-color", "font-family", "font-size", "font-weight", "font-style",
    "text-decoration", "text-align", "line-height", "margin", "padding", "width", "max-width", "height",
}  # fmt: skip
WELCOME_FONTS = ("Arial", "Georgia", "Helvetica", "Tahoma", "Times New Roman", "Trebuchet MS", "Verdana")
WELCOME_SIZES = ("12px", "14px", "16px", "18px", "24px", "32px")


def _welcome_attr_filter(tag: str, attr: str, value: str) -> str | None:
    # Images only from https (no data: or relative URLs that could point at our own endpoints); links https/mailto.
    if attr in ("src", "href"):
        v = value.strip()
        if tag == "img" and not v.lower().startswith("https://"):
            return None
        if tag == "a" and not v.lower().startswith(("https://", "mailto:")):
            return None
        if _URL_BAD_CHARS.search(v):
            return None
    return value


def sanitize_welcome(text: str) -> str:
    """The welcome text with only a safe set of tags, attributes, CSS properties and https images."""
    return nh3.clean(
        text or "",
        tags=WELCOME_TAGS,
        clean_content_tags={"script", "style"},
        attributes={
            "*": {"style"},
            "a": {"href", "title"},
            "img": {"src", "alt", "width", "height"},
            "font": {"color", "face", "size"},
        },
        url_schemes={"https", "mailto"},
        attribute_filter=_welcome_attr_filter,
        filter_style_properties=WELCOME_STYLE_PROPERTIES,
        link_rel="noopener noreferrer nofollow",
    )


def compose_paragraph(text: str, font: str, color: str, size: str) -> str:
    """A paragraph of plain text in a font, colour and size, as safe HTML for the welcome text."""
    style = []
    if font in WELCOME_FONTS:
        style.append(f"font-family:{font}")
    if _COLOR.match(color or ""):
        style.append(f"color:{color}")
    if size in WELCOME_SIZES:
        style.append(f"font-size:{size}")
    attr = f' style="{";".join(style)}"' if style else ""
    return f"<p{attr}>{html.escape(text or '')}</p>"


def compose_image(url: str) -> str:
    """An image tag for the welcome text; refuses anything but an https URL."""
    url = (url or "").strip()
    err = _https_url_error(url)
    if err:
        raise ValidationFailed({"cmp_img": err})
    return f'<p><img src="{html.escape(url)}" alt="" style="max-width:100%"></p>'


# ---------------------------------------------------------------- contrast (WCAG 2.x)


def _hex6(color: str) -> str:
    c = color.lstrip("#")
    return "".join(ch * 2 for ch in c) if len(c) == 3 else c


def _luminance(color: str) -> Decimal:
    def channel(v: int) -> Decimal:
        s = Decimal(v) / Decimal(255)
        return (
            s / Decimal("12.92")
            if s <= Decimal("0.03928")
            else ((s + Decimal("0.055")) / Decimal("1.055")) ** Decimal("2.4")
        )

    h = _hex6(color)
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return Decimal("0.2126") * channel(r) + Decimal("0.7152") * channel(g) + Decimal("0.0722") * channel(b)


def contrast_ratio(fg: str, bg: str) -> Decimal:
    """The WCAG contrast ratio of two hex colours (1 to 21)."""
    a, b = _luminance(fg), _luminance(bg)
    hi, lo = max(a, b), min(a, b)
    return (hi + Decimal("0.05")) / (lo + Decimal("0.05"))


CONTRAST_PAIRS = (
    ("color_text", "color_background", "Text on background"),
    ("color_link", "color_background", "Links on background"),
    ("color_navbar_text", "color_navbar", "Navigation bar text"),
    ("btn_primary_fg", "btn_primary_bg", "Primary button"),
    ("btn_success_fg", "btn_success_bg", "Success button"),
    ("btn_exit_fg", "btn_exit_bg", "Exit button"),
    ("btn_delete_fg", "btn_delete_bg", "Delete button"),
    ("panel_fg", "panel_bg", "Panel text"),
    ("panel_fg", "panel_header_bg", "Panel header text"),
)
AA_NORMAL = Decimal("4.5")


def contrast_warnings(values: dict[str, str]) -> list[str]:
    """A warning for each text/background pair below WCAG AA (4.5:1); never blocks a save."""
    out = []
    for fg, bg, label in CONTRAST_PAIRS:
        a, b = values.get(fg, ""), values.get(bg, "")
        if _COLOR.match(a) and _COLOR.match(b):
            ratio = contrast_ratio(a, b)
            if ratio < AA_NORMAL:
                out.append(f"{label}: contrast {ratio.quantize(Decimal('0.01'))}:1 is below WCAG AA (4.5:1).")
    return out


# ---------------------------------------------------------------- reading


def _settings(session: Session, actor: Actor) -> ResellerSettings:
    s = session.exec(select(ResellerSettings).where(ResellerSettings.reseller_id == actor.reseller_id)).first()
    if s is None:
        raise NotFound()
    return s


def _reseller(session: Session, actor: Actor) -> Reseller:
    r = session.get(Reseller, actor.reseller_id)
    if r is None:
        raise NotFound()
    return r


def _amount_str(value: Decimal, places: int) -> str:
    # At least 2 places, at most what the field stores, without trailing noise (0.0138, 1.50).
    s = f"{value.quantize(Decimal(1).scaleb(-places)):f}".rstrip("0")
    whole, _, frac = s.partition(".")
    return f"{whole}.{frac.ljust(2, '0')}"


def _flag(v: bool) -> str:
    return "1" if v else ""


def _form_of(s: ResellerSettings) -> dict[str, str]:
    out = {f: str(getattr(s, f)) for f in BRAND_FIELDS}
    for f in RATE_FIELDS + E911_FIELDS:
        out[f] = _amount_str(getattr(s, f), 6 if f.endswith("_minute") else 4)
    out["show_sip_password"] = _flag(s.show_sip_password)
    out["show_forgot_password"] = _flag(s.show_forgot_password)
    out["signup_enabled"] = _flag(s.signup_enabled)
    out["client_two_factor"] = _flag(s.client_two_factor)
    fields = s.signup_fields or {}
    for f in SIGNUP_FIELDS:
        out[f"signup_{f}"] = fields.get(f, "hidden") if fields.get(f) in SIGNUP_CHOICES else "hidden"
    out["view_setting"] = s.view_setting
    shown = set(s.services or [])
    for svc in DEFAULT_SERVICES:
        out[f"svc_{svc}"] = _flag(svc in shown)
    out["welcome_html"] = s.welcome_html
    out["payment_instructions"] = s.payment_instructions
    for k in MESSAGE_KINDS:
        out[f"{k}_subject"] = getattr(s, f"{k}_subject")
        out[f"{k}_body"] = getattr(s, f"{k}_body")
    out["paypal_enabled"] = _flag(s.paypal_enabled)
    out["paypal_email"] = s.paypal_email
    out["deposit_amounts"] = s.deposit_amounts
    codes, out["default_language"] = portal_languages(s)
    for c in i18n.languages():
        out[f"lang_{c}"] = _flag(c in codes.split(","))
        own = (s.translations or {}).get(c) or {}
        for f in texts.LOCALIZED:
            out[f"tr_{c}_{f}"] = str(own.get(f, ""))
    return out


def load(actor: Actor) -> dict:
    """Everything the configuration page shows: the form values (strings), activation and hostname status."""
    require_reseller(actor)
    with session_scope() as session:
        r = _reseller(session, actor)
        s = _settings(session, actor)
        fee = session.exec(
            select(AuditLog)
            .where(AuditLog.reseller_id == actor.reseller_id, AuditLog.action == "hostname_fee")
            .order_by(AuditLog.id.desc())
        ).first()
        return {
            "form": _form_of(s),
            "reseller_id": str(r.id),
            "portal_active": r.portal_active,
            "hostname": r.custom_hostname or "",
            "hostname_status": r.hostname_status,
            "hostname_proof": " = ".join(hostname_proof(r.id, r.custom_hostname)) if r.custom_hostname else "",
            "portal_base": portal_base(settings.public_url, r.custom_hostname, r.hostname_status),
            # Deposits need this server's PayPal app (PAYPAL_CLIENT_ID, PAYPAL_SECRET) as well as the switch.
            "paypal_ready": paypal_ready(),
            "hostname_fee": (
                f"{fee.detail.get('amount', '')} charged on {fmt.when(fee.created_at)}" if fee is not None else ""
            ),
        }


def paypal_ready() -> bool:
    """Whether this server has the PayPal app that deposits need (without it clients see no deposit panel)."""
    return bool(settings.paypal_client_id and settings.paypal_secret)


def default_branding() -> dict[str, str]:
    """The branding a new portal starts with (Reset returns the draft to these)."""
    s = ResellerSettings(reseller_id=0)
    return {f: str(getattr(s, f)) for f in BRAND_FIELDS}


# ---------------------------------------------------------------- validation helpers


def _https_url_error(url: str) -> str:
    if _URL_BAD_CHARS.search(url) or len(url) > 500:
        return "Enter an https:// address without spaces or quotes."
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        return "Enter an https:// address."
    return ""


def _image_url_error(url: str) -> str:
    if url == "" or _UPLOAD_NAME.match(url):
        return ""
    return _https_url_error(url)


def _single_line(value: str, limit: int) -> str:
    return value.replace("\r", " ").replace("\n", " ").strip()[:limit]


def _parse_money(value: str, places: int) -> Decimal:
    return parse_amount(value, places=places, what="amount")


def _template_error(text: str, allowed: tuple[str, ...]) -> str:
    unknown = sorted({m for m in re.findall(r"\[([A-Za-z_][A-Za-z0-9_]*)\]", text) if m not in allowed})
    if unknown:
        return f"Unknown variable [{unknown[0]}]; use {', '.join(f'[{a}]' for a in allowed)}."
    return ""


def _bool(values: dict[str, str], key: str) -> bool:
    return str(values.get(key, "")).strip() not in ("", "0", "false", "off")


# ---------------------------------------------------------------- saving one tab


def _validate(section: str, values: dict[str, str]) -> tuple[dict, dict[str, str]]:
    """Parse one tab's strings into column values, collecting a message per bad field."""
    errors: dict[str, str] = {}
    clean: dict = {}
    v = {k: str(values.get(k, "")) for k in SECTIONS[section]}
    if section == "interface":
        for f in RATE_FIELDS + E911_FIELDS:
            places = 6 if f.endswith("_minute") else 4
            try:
                amount = _parse_money(v[f], places)
            except ValueError:
                errors[f] = f"Enter an amount of 0 or more with at most {places} decimals."
                continue
            if amount > Decimal("1000"):
                errors[f] = "Enter at most 1000."
            clean[f] = amount
    elif section == "branding":
        title = _single_line(v["title"], 120)
        if not title:
            errors["title"] = "Enter a title."
        clean["title"] = title
        for f in COLOR_FIELDS:
            c = v[f].strip()
            if not _COLOR.match(c):
                errors[f] = "Use #rgb or #rrggbb, e.g. #1d4ed8."
            clean[f] = c.lower()
        for f in IMAGE_FIELDS:
            u = v[f].strip()
            err = _image_url_error(u)
            if err:
                errors[f] = err
            clean[f] = u
    elif section == "display":
        for f in ("show_sip_password", "show_forgot_password", "signup_enabled", "client_two_factor"):
            clean[f] = _bool(v, f)
        fields = {}
        for f in SIGNUP_FIELDS:
            choice = v[f"signup_{f}"].strip() or "hidden"
            if choice not in SIGNUP_CHOICES:
                errors[f"signup_{f}"] = "Choose hidden, optional or required."
            fields[f] = choice
        clean["signup_fields"] = fields
    elif section == "services":
        if v["view_setting"] not in VIEW_SETTINGS:
            errors["view_setting"] = "Choose a view."
        clean["view_setting"] = v["view_setting"]
        clean["services"] = [s for s in DEFAULT_SERVICES if _bool(v, f"svc_{s}")]
    elif section == "messages":
        welcome = sanitize_welcome(v["welcome_html"])
        if len(welcome) > 20000:
            errors["welcome_html"] = "Keep the welcome text under 20,000 characters."
        clean["welcome_html"] = welcome
        instructions = v["payment_instructions"].replace("\r\n", "\n").strip()
        if len(instructions) > 2000:
            errors["payment_instructions"] = "Keep the payment instructions under 2,000 characters."
        clean["payment_instructions"] = instructions
        for k in MESSAGE_KINDS:
            subject = _single_line(v[f"{k}_subject"], 200)
            body = v[f"{k}_body"].replace("\r\n", "\n").strip()
            if not subject:
                errors[f"{k}_subject"] = "Enter a title."
            if not body:
                errors[f"{k}_body"] = "Enter a body."
            elif len(body) > 5000:
                errors[f"{k}_body"] = "Keep the body under 5,000 characters."
            else:
                allowed = MESSAGE_VARIABLES[k]
                err = _template_error(subject + body, allowed)
                missing = [x for x in MESSAGE_REQUIRED_VARIABLES.get(k, ()) if f"[{x}]" not in body]
                if err:
                    errors[f"{k}_body"] = err
                elif missing:
                    errors[f"{k}_body"] = f"The body must contain [{missing[0]}]."
            clean[f"{k}_subject"] = subject
            clean[f"{k}_body"] = body
    elif section == "payment":
        enabled = _bool(v, "paypal_enabled")
        email = v["paypal_email"].strip()
        if email or enabled:
            try:
                email = validate_email(email, check_deliverability=False).normalized
            except EmailNotValidError:
                errors["paypal_email"] = "Enter a valid email address."
        try:
            amounts = parse_deposit_amounts(v["deposit_amounts"])
            clean["deposit_amounts"] = ",".join(f"{a:f}" for a in amounts)
        except ValueError as e:
            errors["deposit_amounts"] = str(e)
        clean["paypal_enabled"] = enabled
        clean["paypal_email"] = email
    elif section == "languages":
        _validate_languages(v, clean, errors)
    return clean, errors


def _validate_languages(v: dict[str, str], clean: dict, errors: dict[str, str]) -> None:
    """The enabled languages (at least one, the default among them) and the texts written in each language."""
    enabled = [c for c in i18n.languages() if _bool(v, f"lang_{c}")]
    if not enabled:
        errors[f"lang_{i18n.SOURCE}"] = "Enable at least one language."
    default = v["default_language"].strip()
    if default not in i18n.languages():
        errors["default_language"] = "Choose a language."
    elif enabled and default not in enabled:
        errors["default_language"] = "Enable the default language, or choose an enabled one."
    translations: dict[str, dict[str, str]] = {}
    for c in i18n.languages():
        own: dict[str, str] = {}
        for f in texts.LOCALIZED:
            key, raw = f"tr_{c}_{f}", v[f"tr_{c}_{f}"].replace("\r\n", "\n").strip()
            if f == "welcome_html":
                raw = sanitize_welcome(raw) if raw else ""
                limit = 20000
            else:
                limit = 200 if f.endswith("_subject") else 5000 if f.endswith("_body") else 2000
                raw = _single_line(raw, 1000) if f.endswith("_subject") else raw
            if len(raw) > limit:
                errors[key] = f"Keep this text under {limit:,} characters."
            kind = f.rsplit("_", 1)[0]
            if raw and kind in MESSAGE_VARIABLES:
                err = _template_error(raw, MESSAGE_VARIABLES[kind])
                missing = [x for x in MESSAGE_REQUIRED_VARIABLES.get(kind, ()) if f.endswith("_body")]
                if err:
                    errors[key] = err
                elif missing and f"[{missing[0]}]" not in raw:
                    errors[key] = f"The body must contain [{missing[0]}]."
            if raw:
                own[f] = raw
        if own:
            translations[c] = own
    clean["languages"] = enabled
    clean["default_language"] = default
    clean["translations"] = translations


def save_section(actor: Actor, section: str, values: dict[str, str]) -> dict[str, str]:
    """Validate and save one tab; returns the whole form as saved. Bad input raises ValidationFailed, nothing saved."""
    require_role(actor, roles.CONFIGURATION)
    require_reseller(actor)
    if section not in SECTIONS:
        raise NotFound()
    clean, errors = _validate(section, values)
    if errors:
        raise ValidationFailed(errors)
    with session_scope() as session:
        s = _settings(session, actor)
        for k, val in clean.items():
            setattr(s, k, val)
        s.updated_at = utcnow()
        audit.record(session, actor, f"config_{section}", "reseller_settings", s.id)
        session.flush()
        return _form_of(s)


def set_active(actor: Actor, active: bool) -> bool:
    """Turn the client portal on (the Activate button) or off."""
    require_role(actor, roles.CONFIGURATION)
    require_reseller(actor)
    with session_scope() as session:
        r = _reseller(session, actor)
        r.portal_active = bool(active)
        audit.record(session, actor, "portal_activate" if active else "portal_deactivate", "reseller", r.id)
        return r.portal_active


# ---------------------------------------------------------------- uploads


def image_kind(data: bytes) -> str | None:
    """The file extension of a PNG, JPEG, WebP or ICO by its magic bytes, else None (SVG, HTML, GIF, ... refused)."""
    for magic, ext in _MAGIC:
        if data.startswith(magic):
            return ext
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    # An icon directory: reserved 0, type 1, and at least one image.
    if len(data) >= 22 and data[:4] == b"\x00\x00\x01\x00" and data[4:6] != b"\x00\x00":
        return "ico"
    return None


def store_upload(actor: Actor, slot: str, data: bytes, upload_dir: Path) -> str:
    """Check and store an uploaded image under a random name; returns its relative URL for the draft."""
    require_role(actor, roles.CONFIGURATION)
    require_reseller(actor)
    if slot not in IMAGE_FIELDS:
        raise NotFound()
    if len(data) == 0:
        raise ValidationFailed({slot: "The file is empty."})
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationFailed({slot: "The image is larger than 2 MB."})
    ext = image_kind(data)
    kinds = UPLOAD_KINDS.get(slot, IMAGE_KINDS)
    if ext not in kinds or _MARKUP.search(data):
        if slot == "img_favicon":
            raise ValidationFailed({slot: "Upload a PNG or ICO icon."})
        raise ValidationFailed({slot: "Upload a PNG, JPEG or WebP image (SVG is not accepted)."})
    name = f"{secrets.token_hex(16)}.{ext}"
    upload_dir.mkdir(parents=True, exist_ok=True)
    (upload_dir / name).write_bytes(data)
    with session_scope() as session:
        audit.record(session, actor, "upload_image", "reseller_settings", None, slot=slot, file=name)
    return UPLOAD_PREFIX + name


# ---------------------------------------------------------------- messages preview


def preview_message(kind: str, subject: str, body: str) -> str:
    """A template filled with sample values (plain text, as the email is sent)."""
    if kind not in MESSAGE_KINDS:
        return ""
    values = {k: SAMPLE_VALUES[k] for k in MESSAGE_VARIABLES[kind]}
    return f"Subject: {render(_single_line(subject, 200), **values)}\n\n{render(body, **values)}"


# ---------------------------------------------------------------- interface & access


def _addresses(hostname: str) -> set[str]:
    """The IPv4 addresses the hostname resolves to (the A records); empty when it does not resolve."""
    try:
        infos = socket.getaddrinfo(hostname, None, socket.AF_INET, socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return set()
    return {info[4][0] for info in infos}


def _txt_records(name: str) -> set[str]:
    """The TXT strings of a DNS name; empty when it has none or does not resolve."""
    import dns.exception
    import dns.resolver

    try:
        answer = dns.resolver.resolve(name, "TXT", lifetime=5)
    except (dns.exception.DNSException, OSError, UnicodeError):
        return set()
    return {b"".join(r.strings).decode("utf-8", "replace") for r in answer}


def hostname_proof(reseller_id: int, host: str) -> tuple[str, str]:
    """The DNS TXT record (name, value) that proves this reseller owns this hostname (keyed by SECRET_KEY)."""
    mac = hmac.new(settings.secret_key.encode(), f"hostname:{reseller_id}:{host}".encode(), hashlib.sha256)
    return f"{PROOF_LABEL}.{host}", f"{PROOF_PREFIX}{mac.hexdigest()[:32]}"


def _owns(
    reseller_id: int,
    host: str,
    resolve: Callable[[str], set[str]] | None = None,
    txt: Callable[[str], set[str]] | None = None,
) -> bool:
    """Whether the hostname points here (A record) and carries this reseller's proof (TXT record)."""
    name, value = hostname_proof(reseller_id, host)
    return settings.portal_ip in (resolve or _addresses)(host) and value in (txt or _txt_records)(name)


def verify_hostnames(
    resolve: Callable[[str], set[str]] = _addresses, txt: Callable[[str], set[str]] = _txt_records
) -> dict[str, str]:
    """Check the DNS of every requested or active custom hostname; returns {hostname: new status} for changes.

    A hostname whose A record points to PORTAL_IP and whose TXT record `_portal-verify.<hostname>` holds the
    reseller's proof becomes active (it is routed to that portal and its links use it); an active one that fails
    either goes back to requested. An A record alone proves nothing: every reseller's hostname points to the same
    PORTAL_IP. The lookups happen outside any transaction.
    """
    with session_scope() as session:
        hosts = session.exec(
            select(Reseller.id, Reseller.custom_hostname, Reseller.hostname_status).where(
                Reseller.custom_hostname.is_not(None), Reseller.hostname_status.in_(("requested", "active"))
            )
        ).all()
    found = {host: _owns(rid, host, resolve, txt) for rid, host, _status in hosts}
    changed: dict[str, str] = {}
    with session_scope() as session:
        for rid, host, status in hosts:
            new = "active" if found[host] else "requested"
            if new == status:
                continue
            # Only if nothing changed meanwhile (the reseller may have asked for another name).
            r = session.get(Reseller, rid)
            if r is None or r.custom_hostname != host or r.hostname_status != status:
                continue
            r.hostname_status = new
            audit.record(session, Actor("reseller", rid), f"hostname_{new}", "reseller", rid, hostname=host)
            changed[host] = new
    return changed


def client_url(base_url: str, reseller_id: int | str) -> str:
    """Where this reseller's clients sign in."""
    return f"{base_url.rstrip('/')}/r/{reseller_id}/login"


def autoconnect_snippet(base_url: str, reseller_id: int | str) -> str:
    """The HTML form a reseller puts on its own site to log a client straight into the portal."""
    action = html.escape(f"{base_url.rstrip('/')}/interface/login.php", quote=True)
    return (
        f'<form action="{action}" method="POST" target="_blank">\n'
        f'  <input type="hidden" name="UID" value="{int(reseller_id)}">\n'
        '  <input type="hidden" name="action" value="DirectLogin">\n'
        '  <input type="email" name="col_email" placeholder="Email">\n'
        '  <input type="password" name="col_password" placeholder="Password">\n'
        '  <input type="submit" name="SUBMIT" value="Connect">\n'
        "</form>"
    )


# ---------------------------------------------------------------- hostname


def normalize_hostname(text: str) -> str:
    """A lower-case host.domain.tld, or ValueError saying what is wrong."""
    h = (text or "").strip().lower().rstrip(".")
    if not h or len(h) > 253:
        raise ValueError("Enter a hostname such as interface.example.com.")
    try:
        ipaddress.ip_address(h)
    except ValueError:
        pass
    else:
        raise ValueError("Enter a hostname, not an IP address.")
    labels = h.split(".")
    if len(labels) < 2 or not all(_HOST_LABEL.match(label) for label in labels) or labels[-1].isdigit():
        raise ValueError("Enter a hostname such as interface.example.com (letters, digits and hyphens).")
    if h in ("localhost",) or h.endswith((".localhost", ".local", ".internal")):
        raise ValueError("Enter a public hostname.")
    return h


def _portal_hosts() -> set[str]:
    """The portal's own host names (PUBLIC_URL, API_URL, DEPLOY_URL): never a reseller's custom hostname."""
    return {urlsplit(o).hostname or "" for o in own_origins()} - {""}


def _claim_of_another(actor: Actor, host: str) -> Reseller | None:
    with session_scope() as session:
        holder = session.exec(select(Reseller).where(Reseller.custom_hostname == host)).first()
        if holder is None or holder.id == actor.reseller_id:
            return None
        if holder.hostname_status == "active":
            raise ValidationFailed({"hostname": "This hostname is already used by another portal."})
        return holder


def request_hostname(actor: Actor, hostname: str) -> dict[str, str]:
    """Record a custom hostname request and its one-time fee (charged to the reseller, recorded in the audit log).

    A name another portal claimed but never verified is taken over by a reseller who proves it owns it now (its
    A record points here and its TXT record holds this reseller's proof); a verified (active) name is refused.
    """
    require_role(actor, roles.CONFIGURATION)
    require_reseller(actor)
    try:
        host = normalize_hostname(hostname)
    except ValueError as e:
        raise ValidationFailed({"hostname": str(e)}) from None
    if any(host == own or host.endswith("." + own) for own in _portal_hosts()):
        raise ValidationFailed({"hostname": "This is the portal's own address: choose a hostname of your domain."})
    status = "requested"
    squatter = _claim_of_another(actor, host)
    if squatter is not None:
        if not _owns(actor.reseller_id, host):  # DNS outside any transaction
            name, value = hostname_proof(actor.reseller_id, host)
            raise ValidationFailed(
                {
                    "hostname": "Another portal asked for this hostname but has not verified it. If it is yours, "
                    f"add the TXT record {name} = {value} (and the A record to {settings.portal_ip}), "
                    "then request it again."
                }
            )
        status = "active"
    fee = fees.custom_hostname_fee()
    try:
        with session_scope() as session:
            if squatter is not None:
                other = session.get(Reseller, squatter.id)
                if other is not None and other.custom_hostname == host and other.hostname_status != "active":
                    other.custom_hostname, other.hostname_status = None, "none"
                    session.flush()
                    audit.record(
                        session, Actor("reseller", other.id), "hostname_lost", "reseller", other.id, hostname=host
                    )
            r = _reseller(session, actor)
            first = r.hostname_status == "none"
            if r.custom_hostname == host:
                raise ValidationFailed({"hostname": "This hostname is already requested."})
            r.custom_hostname = host
            r.hostname_status = status
            session.flush()
            audit.record(session, actor, "hostname_request", "reseller", r.id, hostname=host)
            if status == "active":
                audit.record(session, actor, "hostname_active", "reseller", r.id, hostname=host, taken_over=True)
            if first:
                # The reseller has no ledger of its own here: the fee is recorded for VoIP.ms billing.
                audit.record(session, actor, "hostname_fee", "reseller", r.id, amount=fmt.money(fee), hostname=host)
    except IntegrityError:
        raise ValidationFailed({"hostname": "This hostname is already used by another portal."}) from None
    return {"hostname": host, "status": status, "fee": fmt.money(fee) if first else ""}
