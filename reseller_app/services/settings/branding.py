"""What a client portal shows before login: the reseller's published branding."""

from __future__ import annotations

from sqlmodel import select

from reseller_app import i18n
from reseller_app.db import read_scope
from reseller_app.models import Reseller, ResellerSettings
from reseller_app.services.common.lookup import hold_settings

BRAND_FIELDS = (
    "title",
    "color_background",
    "color_navbar",
    "color_navbar_text",
    "color_link",
    "color_text",
    "btn_primary_bg",
    "btn_primary_fg",
    "btn_success_bg",
    "btn_success_fg",
    "btn_exit_bg",
    "btn_exit_fg",
    "btn_delete_bg",
    "btn_delete_fg",
    "panel_bg",
    "panel_fg",
    "panel_header_bg",
    "img_login_background",
    "img_login_logo",
    "img_header",
    "img_content_logo",
    "img_favicon",
)


def default_branding() -> dict[str, str]:
    """The neutral theme used before a portal is known."""
    s = ResellerSettings(reseller_id=0, title="")
    return {f: str(getattr(s, f)) for f in BRAND_FIELDS}


def public_branding(reseller_id: int) -> dict[str, str] | None:
    """The published theme and login options of an active portal, or None when there is no such portal."""
    with read_scope() as session:
        s = session.exec(
            select(ResellerSettings)
            .join(Reseller, Reseller.id == ResellerSettings.reseller_id)
            .where(ResellerSettings.reseller_id == reseller_id, Reseller.portal_active.is_(True))
        ).first()
        if s is None:
            return None
        hold_settings(session, s)
        out = {f: str(getattr(s, f)) for f in BRAND_FIELDS}
        out["show_forgot_password"] = "1" if s.show_forgot_password else ""
        out["signup_enabled"] = "1" if s.signup_enabled else ""
        out["languages"], out["default_language"] = portal_languages(s)
        return out


def portal_languages(s: ResellerSettings) -> tuple[str, str]:
    """The languages a portal's clients may pick ("en,fr_CA"), and its default one (always among them)."""
    enabled = [c for c in (i18n.normalize(str(x)) for x in (s.languages or [])) if c] or [i18n.SOURCE]
    default = i18n.normalize(s.default_language)
    return ",".join(dict.fromkeys(enabled)), default if default in enabled else enabled[0]


def reseller_for_host(host: str) -> int | None:
    """The reseller whose verified (active) custom hostname this is, portal on, else None.

    A requested hostname routes nothing: anyone may ask for any name, so only a DNS-verified one is routed.
    """
    host = (host or "").strip().lower().rstrip(".")
    if not host:
        return None
    with read_scope() as session:
        r = session.exec(
            select(Reseller).where(
                Reseller.custom_hostname == host,
                Reseller.hostname_status == "active",
                Reseller.portal_active.is_(True),
            )
        ).first()
        return r.id if r is not None else None


def portal_base(public_url: str, hostname: str | None, status: str) -> str:
    """The address of a reseller's client portal: its custom hostname once active, else the shared PUBLIC_URL."""
    if hostname and status == "active":
        scheme = public_url.split("://", 1)[0] if "://" in public_url else "https"
        return f"{scheme}://{hostname}"
    return public_url.rstrip("/")
