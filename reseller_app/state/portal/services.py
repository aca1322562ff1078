"""The client's Services page: lists, buying a number, e911, voicemail, forwarding, fax history, sub-account edits."""

from __future__ import annotations

import asyncio
import secrets
import uuid
from collections.abc import Callable

import reflex as rx

from reseller_app import i18n, routes
from reseller_app.i18n import N_, _
from reseller_app.services.access.actor import Actor
from reseller_app.services.common.errors import ServiceError
from reseller_app.services.portal import self_service as client_services
from reseller_app.state.messages import field_errors
from reseller_app.state.portal.shell import PortalState
from reseller_app.state.session import Answer, ClientPage, page_rid, signed_in, turn_page

# The sub-account settings a package may let the client edit, with the words and choices the form shows.
FIELD_LABELS = {
    "password": N_("SIP password"),
    "device_type": N_("Device type"),
    "auth_type": N_("Authentication"),
    "callerid": N_("Caller ID number"),
    "moh": N_("Music on hold"),
    "codecs": N_("Allowed codecs"),
    "dtmf": N_("DTMF mode"),
    "nat": N_("NAT"),
}
DEVICE_CHOICES = {"ip_phone": N_("IP phone"), "softphone": N_("Softphone"), "ata": N_("ATA (adapter)"), "pbx": "PBX"}
AUTH_CHOICES = {"password": N_("User and password"), "ip": N_("Static IP")}
DTMF_CHOICES = {"auto": N_("Automatic"), "rfc2833": "RFC 2833", "inband": N_("In-band"), "info": "SIP INFO"}
NAT_CHOICES = {"yes": N_("Yes"), "no": N_("No"), "route": N_("Route"), "never": N_("Never")}
CODECS = client_services.CODECS


class ServicesState(ClientPage, rx.State):
    """The Services page: lists, buying a number, e911, voicemail, forwarding, fax history, sub-account edits."""

    data: dict[str, str] = {}
    subaccounts: list[dict[str, str]] = []
    dids: list[dict[str, str]] = []
    faxes: list[dict[str, str]] = []
    e911: list[dict[str, str]] = []
    voicemails: list[dict[str, str]] = []
    forwardings: list[dict[str, str]] = []
    services: list[str] = []
    show_sip_password: bool = False
    did_purchase: bool = False
    suspended: bool = False
    offers: list[dict[str, str]] = []
    buy_number: str = ""
    buy_sub: str = ""
    # One purchase per token: a double click sends the same token twice, and the second finds it spent.
    buy_token: str = ""
    message: str = ""
    errors: dict[str, str] = {}
    fax_rows: list[dict[str, str]] = []
    fax_page: int = 1
    fax_pages: int = 1
    edit_sub: str = ""
    edit_fields: list[str] = []
    edit_values: dict[str, str] = {}
    edit_codecs: list[str] = []
    show_password: bool = False
    e911_did: str = ""

    def _refresh(self, actor: Actor) -> None:
        d = client_services.overview(actor)
        for key in ("subaccounts", "dids", "faxes", "e911", "voicemails", "forwardings", "services"):
            setattr(self, key, d[key])
        self.show_sip_password = d["show_sip_password"]
        self.did_purchase = d["did_purchase"]
        self.suspended = d["suspended"]
        self.data = {k: d[k] for k in ("did_setup", "did_monthly", "e911_setup", "e911_monthly")}
        self.offers = client_services.available_numbers(actor) if self.did_purchase and not self.suspended else []
        if "fax" in self.services:
            page = client_services.fax_history(actor, self.fax_page)
            self.fax_rows, self.fax_page, self.fax_pages = page["items"], page["page"], page["pages"]

    async def _run(self, actor: Actor, fn: Callable[..., object], *args: object, ok: str = "") -> None:
        """Call a service for the logged-in client; field errors and refusals become messages."""
        self.errors, self.message = {}, ""
        try:
            await asyncio.to_thread(fn, actor, *args)
        except ServiceError as e:
            self.errors = field_errors(e)
            return
        self.message = ok
        self._refresh(actor)

    @rx.event
    async def load(self) -> Answer:
        """Open the Services page; in "Simple view (hide services page)" it does not exist."""
        portal = await self.get_state(PortalState)
        opened = await portal._open()
        if opened is None:
            return self._to_login()
        self.errors, self.message, self.edit_sub, self.e911_did, self.fax_page = {}, "", "", "", 1
        if portal.services_hidden:
            portal.page_refused = True
            return rx.redirect(routes.client_path(page_rid(self) or 0, "dashboard"))
        with i18n.use_language(await self._language()):
            self._refresh(opened.actor)
        self._ready_to_buy()
        return None

    def _ready_to_buy(self) -> None:
        """The next purchase: the first number on offer, ringing the client's first sub-account, a fresh token."""
        self.buy_number = self.offers[0]["number"] if self.offers else ""
        if self.buy_sub not in {s["id"] for s in self.subaccounts}:
            self.buy_sub = self.subaccounts[0]["id"] if self.subaccounts else ""
        self.buy_token = uuid.uuid4().hex

    @rx.event
    def set_buy_number(self, value: str) -> None:
        """The number chosen in the list."""
        self.buy_number = str(value)[:20]

    @rx.event
    def set_buy_sub(self, value: str) -> None:
        """The sub-account the new number rings."""
        self.buy_sub = "" if value == "none" else str(value)[:12]

    @rx.event
    @signed_in
    async def buy(self, actor: Actor, token: str = "") -> Answer:
        """Buy the chosen number; its setup fee is taken from the balance.

        `token` is the one the page showed when the button was clicked: a second click of a double click carries the
        token the first one spent, and changes nothing (the confirmation of the first stays on screen). (A call
        without a token, not from this page, buys the chosen number as before.)
        """
        if token and str(token) != self.buy_token:
            return None
        self.buy_token = ""
        number = self.buy_number
        await self._run(
            actor,
            client_services.buy_did,
            number,
            self.buy_sub or None,
            ok=_("Number {number} is yours. Setup fee: {fee}.").format(
                number=number, fee=self.data.get("did_setup", "")
            ),
        )
        self._ready_to_buy()
        return None

    @rx.event
    def open_e911(self, did_id: str) -> None:
        """Show the e911 form for one number."""
        self.e911_did = str(did_id)
        self.errors = {}

    @rx.event
    def close_forms(self) -> None:
        """Hide the open form."""
        self.e911_did, self.edit_sub, self.errors = "", "", {}

    @rx.event
    @signed_in
    async def add_e911(self, actor: Actor, form: dict) -> Answer:
        """Create the e911 record of the chosen number."""
        await self._run(actor, client_services.add_e911, self.e911_did, form, ok="e911 record saved.")
        if not self.errors:
            self.e911_did = ""
        return None

    @rx.event
    @signed_in
    async def remove_e911(self, actor: Actor, record_id: str) -> Answer:
        """Remove an e911 record."""
        await self._run(actor, client_services.remove_e911, record_id, ok="e911 record removed.")
        return None

    @rx.event
    @signed_in
    async def add_voicemail(self, actor: Actor, form: dict) -> Answer:
        """Create a voicemail box."""
        await self._run(actor, client_services.add_voicemail, form, ok=_("Voicemail created."))
        return None

    @rx.event
    @signed_in
    async def delete_voicemail(self, actor: Actor, voicemail_id: str) -> Answer:
        """Delete a voicemail box."""
        await self._run(actor, client_services.delete_voicemail, voicemail_id, ok=_("Voicemail deleted."))
        return None

    @rx.event
    @signed_in
    async def add_forwarding(self, actor: Actor, form: dict) -> Answer:
        """Create a call forwarding."""
        await self._run(actor, client_services.add_forwarding, form, ok=_("Call forwarding created."))
        return None

    @rx.event
    @signed_in
    async def delete_forwarding(self, actor: Actor, forwarding_id: str) -> Answer:
        """Delete a call forwarding."""
        await self._run(actor, client_services.delete_forwarding, forwarding_id, ok=_("Call forwarding deleted."))
        return None

    @rx.event
    def open_edit(self, sub_id: str) -> None:
        """Show the edit form of one sub-account with the fields its package lets the client change."""
        row = next((s for s in self.subaccounts if s["id"] == str(sub_id)), None)
        if row is None:
            return
        self.edit_sub = row["id"]
        self.edit_fields = [f for f in row["editable"].split(",") if f]
        self.edit_values = {f: row.get(f, "") for f in self.edit_fields}
        self.edit_codecs = [c for c in row.get("codecs", "").split(",") if c]
        self.show_password = False
        self.errors = {}

    @rx.event
    def toggle_edit_codec(self, codec: str, on: bool) -> None:
        """Tick or untick one of the allowed codecs."""
        if codec in CODECS:
            self.edit_codecs = [c for c in self.edit_codecs if c != codec] + ([codec] if on else [])
            self.errors.pop("codecs", None)

    @rx.event
    def toggle_show_password(self) -> None:
        """Show or hide the SIP password being typed."""
        self.show_password = not self.show_password

    @rx.event
    def generate_password(self) -> rx.event.EventSpec:
        """Put a new random SIP password in the field (saved with Save)."""
        self.show_password = True
        self.errors.pop("password", None)
        return rx.set_value("sub-password", secrets.token_urlsafe(12))

    @rx.event
    @signed_in
    async def save_edit(self, actor: Actor, form: dict) -> Answer:
        """Save the sub-account's editable fields (only those the package allows are accepted)."""
        changes = {k: str(v) for k, v in form.items() if k in self.edit_fields and k != "codecs"}
        if "codecs" in self.edit_fields:
            changes["codecs"] = ",".join(c for c in CODECS if c in self.edit_codecs)
        await self._run(actor, client_services.update_subaccount, self.edit_sub, changes, ok=_("Sub-account saved."))
        if not self.errors:
            self.edit_sub = ""
        return None

    @rx.event
    @signed_in
    async def fax_next(self, actor: Actor, delta: int) -> Answer:
        """Move through the fax history."""
        self.fax_page = turn_page(self.fax_page, self.fax_pages, delta)
        page = client_services.fax_history(actor, self.fax_page)
        self.fax_rows, self.fax_pages = page["items"], page["pages"]
        return None
