"""Resellers and everything they configure for their white-label portal."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from reseller_app.i18n import N_

from .types import Money, UTCDateTime, utcnow

DEFAULT_SERVICES = [
    "subaccounts",
    "dids",
    "e911",
    "voicemail",
    "forwarding",
    "fax",
    "cdr",
    "balance",
    "messages",
    # The phone system (services/callflows): call-flow building blocks the client manages.
    "timeconditions",
    "ivr",
    "ringgroups",
    "callhunting",
    "queues",
    "conferences",
    "callback",
    "disa",
    "callerid",
    "moh",
    "recordings",
    "phonebook",
]
DEFAULT_SIGNUP_FIELDS = {
    "lastname": "required",
    "company": "optional",
    "address": "optional",
    "city": "optional",
    "state": "optional",
    "country": "optional",
    "zip": "optional",
    "phone_number": "required",
}


class Reseller(SQLModel, table=True):
    """A VoIP.ms customer who resells to their own clients."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, sa_column_kwargs={"unique": True})
    password_hash: str = Field(max_length=255)
    name: str = Field(default="", max_length=120)
    company: str = Field(default="", max_length=120)
    currency: str = Field(default="USD", max_length=3)
    portal_active: bool = False
    require_staff_2fa: bool = False  # staff must set up two-factor sign-in before they may change anything
    custom_hostname: str | None = Field(default=None, max_length=253, sa_column_kwargs={"unique": True})
    hostname_status: str = Field(default="none", max_length=16)  # none | requested | active
    carrier_kind: str = Field(default="sandbox", max_length=16)  # sandbox | voipms
    carrier_username: str | None = Field(default=None, max_length=254)
    carrier_secret: str | None = Field(default=None, max_length=255)
    last_login_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ResellerSettings(SQLModel, table=True):
    """Branding, display elements, services, messages, payment and default rates of one reseller."""

    id: int | None = Field(default=None, primary_key=True)
    reseller_id: int = Field(foreign_key="reseller.id", sa_column_kwargs={"unique": True})
    # Branding
    title: str = Field(default="Client portal", max_length=120)
    color_background: str = Field(default="#f5f7fa", max_length=7)
    color_navbar: str = Field(default="#1f2937", max_length=7)
    color_navbar_text: str = Field(default="#ffffff", max_length=7)
    color_link: str = Field(default="#1d4ed8", max_length=7)
    color_text: str = Field(default="#111827", max_length=7)
    btn_primary_bg: str = Field(default="#1d4ed8", max_length=7)
    btn_primary_fg: str = Field(default="#ffffff", max_length=7)
    btn_success_bg: str = Field(default="#15803d", max_length=7)
    btn_success_fg: str = Field(default="#ffffff", max_length=7)
    btn_exit_bg: str = Field(default="#4b5563", max_length=7)
    btn_exit_fg: str = Field(default="#ffffff", max_length=7)
    btn_delete_bg: str = Field(default="#b91c1c", max_length=7)
    btn_delete_fg: str = Field(default="#ffffff", max_length=7)
    panel_bg: str = Field(default="#ffffff", max_length=7)
    panel_fg: str = Field(default="#111827", max_length=7)
    panel_header_bg: str = Field(default="#e5e7eb", max_length=7)
    img_login_background: str = Field(default="", max_length=500)
    img_login_logo: str = Field(default="", max_length=500)
    img_header: str = Field(default="", max_length=500)
    img_content_logo: str = Field(default="", max_length=500)
    # The browser tab's icon on the client portal: an uploaded PNG or ICO (empty: the portal's neutral icon).
    img_favicon: str = Field(default="", max_length=500)
    # Display elements
    show_sip_password: bool = True
    show_forgot_password: bool = True
    signup_enabled: bool = False
    # Offer clients two-factor sign-in (TOTP) on their portal's Security page (services/access/two_factor.py).
    client_two_factor: bool = False
    signup_fields: dict = Field(default_factory=lambda: dict(DEFAULT_SIGNUP_FIELDS), sa_type=sa.JSON)
    # Services (the default when a package does not set its own)
    view_setting: str = Field(default="standard", max_length=16)  # standard | simple | simple_hide
    services: list = Field(default_factory=lambda: list(DEFAULT_SERVICES), sa_type=sa.JSON)
    # Languages of the client portal: the default one (also the language of the texts below) and those clients may
    # pick; `translations` holds the texts below in the other languages: {"fr_CA": {"welcome_html": "..."}}.
    default_language: str = Field(default="en", max_length=16)
    languages: list = Field(default_factory=lambda: ["en", "fr_CA", "es_MX"], sa_type=sa.JSON)
    translations: dict = Field(default_factory=dict, sa_type=sa.JSON)
    # Messages
    welcome_html: str = Field(default=N_("<p>Welcome to your phone service portal.</p>"), sa_type=sa.Text)
    low_balance_subject: str = Field(default=N_("Low balance warning"), max_length=200)
    low_balance_body: str = Field(
        default=N_("Hello [firstname] [lastname],\n\nYour balance is [balance], below your threshold of [threshold]."),
        sa_type=sa.Text,
    )
    reset_url_subject: str = Field(default=N_("Reset your password"), max_length=200)
    reset_url_body: str = Field(
        default=N_("Hello [firstname] [lastname],\n\nUse this link to choose a new password: [url]"), sa_type=sa.Text
    )
    reset_done_subject: str = Field(default=N_("Your password was changed"), max_length=200)
    reset_done_body: str = Field(
        default=N_("Hello [firstname] [lastname],\n\nYour password has been reset successfully."), sa_type=sa.Text
    )
    signup_wait_subject: str = Field(default=N_("Your account is awaiting activation"), max_length=200)
    signup_wait_body: str = Field(
        default=N_("Hello [firstname] [lastname],\n\nThanks for signing up. We will activate your account shortly."),
        sa_type=sa.Text,
    )
    # How a client pays the reseller without PayPal (bank transfer, phone...): shown beside the suspension note.
    payment_instructions: str = Field(default="", sa_type=sa.Text)
    # Payment
    paypal_enabled: bool = False
    paypal_email: str = Field(default="", max_length=254)
    deposit_amounts: str = Field(default="10,25,50,100", max_length=200)
    # Default DID / fax / e911 rates
    did_setup: Decimal = Field(default=Decimal("0"), sa_type=Money)
    did_monthly: Decimal = Field(default=Decimal("0"), sa_type=Money)
    did_minute: Decimal = Field(default=Decimal("0"), sa_type=Money)
    fax_setup: Decimal = Field(default=Decimal("0"), sa_type=Money)
    fax_monthly: Decimal = Field(default=Decimal("0"), sa_type=Money)
    fax_minute: Decimal = Field(default=Decimal("0"), sa_type=Money)
    e911_setup: Decimal = Field(default=Decimal("0"), sa_type=Money)
    e911_monthly: Decimal = Field(default=Decimal("0"), sa_type=Money)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ApiCredential(SQLModel, table=True):
    """The reseller's REST API access: a hashed API password and an IP allow-list."""

    id: int | None = Field(default=None, primary_key=True)
    reseller_id: int = Field(foreign_key="reseller.id", sa_column_kwargs={"unique": True})
    enabled: bool = False
    password_hash: str = Field(default="", max_length=255)
    ip_allowlist: str = Field(default="", max_length=2000)  # comma-separated; empty = any
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
