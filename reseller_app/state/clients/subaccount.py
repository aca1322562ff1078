"""The sub-account configuration page of a client: settings, codecs and the package drop-down."""

from __future__ import annotations

import secrets

import reflex as rx

from reseller_app import routes
from reseller_app.services.access.actor import Actor
from reseller_app.services.clients import accounts as clients
from reseller_app.services.common.errors import ServiceError
from reseller_app.services.telephony import subaccounts
from reseller_app.state.messages import field_errors
from reseller_app.state.session import Answer, ResellerPage, route_param, signed_in

# The choices the page offers (pages reach the services' constants through their state).
AUTH_TYPES = subaccounts.AUTH_TYPES
CODECS = subaccounts.CODECS
DEVICE_TYPES = subaccounts.DEVICE_TYPES
DTMF_MODES = subaccounts.DTMF_MODES
NAT_MODES = subaccounts.NAT_MODES
FIELDS = ("name", "description", "password", "device_type", "auth_type", "callerid", "dtmf_mode", "nat", "package_id")


class SubAccountState(ResellerPage, rx.State):
    """The sub-account configuration page: settings, codecs and the package drop-down."""

    cid: str = ""
    sid: str = "new"
    values: dict[str, str] = {}
    codecs: list[str] = []
    packages: list[dict[str, str]] = []
    charge_setup: bool = True
    errors: dict[str, str] = {}
    token: str = ""
    show_password: bool = False

    @rx.event
    def toggle_show_password(self) -> None:
        """Show or hide the SIP password."""
        self.show_password = not self.show_password

    @rx.event
    def generate_password(self) -> None:
        """A new random SIP password (saved with "Update account")."""
        self.values["password"] = secrets.token_urlsafe(12)
        self.show_password = True
        self.errors.pop("password", None)

    @rx.event
    @signed_in
    async def load(self, actor: Actor) -> Answer:
        """The configuration of a new sub-account, or of the one in the URL."""
        self.cid = route_param(self, "client_id")
        self.sid = route_param(self, "sub_id") or "new"
        self.errors = {}
        self.charge_setup = True
        self.show_password = False
        self.token = clients.new_form_token()
        try:
            self.values = subaccounts.subaccount_form(actor, self.cid, self.sid)
            self.packages = clients.package_choices(actor)
        except ServiceError:
            return rx.redirect(routes.RESELLER_CLIENTS)
        self.codecs = [c for c in self.values["codecs"].split(",") if c]
        return None

    @rx.event
    def set_field(self, key: str, value: str) -> None:
        """Keep one form field."""
        if key in FIELDS:
            self.values[key] = str(value)[:120]
            self.errors.pop(key, None)  # the message beside the field goes once it is edited
            if key == "package_id":
                self.errors.pop("form", None)

    @rx.event
    def toggle_codec(self, codec: str, on: bool) -> None:
        """Add or remove a codec."""
        if codec in CODECS:
            self.codecs = [c for c in self.codecs if c != codec] + ([codec] if on else [])
            self.errors.pop("codecs", None)

    @rx.event
    def set_charge_setup(self, value: bool) -> None:
        """Whether assigning the package posts its setup fee."""
        self.charge_setup = bool(value)

    @rx.event
    @signed_in
    async def save(self, actor: Actor) -> Answer:
        """Create or update the sub-account ("Update account") and go back to the client."""
        self.errors = {}
        data = dict(self.values)
        data["codecs"] = ",".join(self.codecs)
        try:
            subaccounts.save_subaccount(
                actor,
                self.cid,
                self.sid,
                data,
                charge_setup_fee=self.charge_setup,
                reference=self.token,
            )
        except ServiceError as e:
            self.errors = field_errors(e, "form")
            return None
        return rx.redirect(routes.reseller_client_path(self.cid))
