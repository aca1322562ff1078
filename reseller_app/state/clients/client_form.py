"""Create a client, or edit one: details, balance management, low-balance email, activate, delete."""

from __future__ import annotations

import reflex as rx

from reseller_app import routes
from reseller_app.services.access import security
from reseller_app.services.access.actor import Actor
from reseller_app.services.clients import accounts as clients
from reseller_app.services.common.errors import ServiceError, ValidationFailed
from reseller_app.services.telephony import subaccounts
from reseller_app.state.clients.manage import ManageState
from reseller_app.state.messages import error_text, field_errors
from reseller_app.state.session import Answer, ResellerPage, route_param, signed_in

PASSWORD_RULE = security.PASSWORD_RULE  # shown beside the password field before any error
CLIENT_FIELDS = (
    "firstname",
    "lastname",
    "company",
    "address",
    "city",
    "state",
    "country",
    "zip",
    "email",
    "password",
    "phone_number",
    "next_billing_date",
    "balance_management",
)


class ClientFormState(ResellerPage, rx.State):
    """Create a client, or edit one (details, balance management, low-balance email, activate, delete)."""

    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    cid: str = ""
    status: str = ""
    name: str = ""
    balance: str = ""
    threshold: str = ""
    threshold_email: str = ""
    notice: str = ""
    packages: list[dict[str, str]] = []
    loose_subs: list[dict[str, str]] = []
    sub_choice: str = "none"
    sub_name: str = ""
    sub_package: str = "none"
    charge_setup: bool = True
    # False until the page's data is in: the fields stay disabled, so nothing typed early is wiped by the load.
    ready: bool = False

    def _blank(self) -> None:
        self.values = {k: "" for k in CLIENT_FIELDS}
        self.values["balance_management"] = "SOFT"
        self.errors = {}
        self.notice = ""

    @rx.event
    def leave(self) -> None:
        """The form left the screen: the next visit starts disabled until its data is in."""
        self.ready = False

    @rx.event
    @signed_in
    async def load_new(self, actor: Actor) -> Answer:
        """An empty create form."""
        self._blank()
        self.cid = ""
        self.sub_choice, self.sub_name, self.sub_package, self.charge_setup = "none", "", "none", True
        self.packages = clients.package_choices(actor)
        self.loose_subs = subaccounts.unconnected_choices(actor)
        self.ready = True
        return None

    @rx.event
    @signed_in
    async def load_edit(self, actor: Actor) -> Answer:
        """The edit form of the client in the URL."""
        self._blank()
        self.cid = route_param(self, "client_id")
        try:
            self._show(clients.client_details(actor, self.cid))
        except ServiceError:
            return rx.redirect(routes.RESELLER_CLIENTS)
        self.ready = True
        return None

    def _show(self, data: dict) -> None:
        self.values = {k: data.get(k, "") for k in CLIENT_FIELDS}
        self.values["password"] = ""
        self.status = data["status"]
        self.name = data["name"]
        self.balance = data["balance"]
        self.threshold = data["low_balance_threshold"]
        self.threshold_email = data["low_balance_email"]

    @rx.event
    def set_field(self, key: str, value: str) -> None:
        """Keep one form field (only the known ones)."""
        if key in CLIENT_FIELDS:
            self.values[key] = str(value)[:254]
            self.errors.pop(key, None)  # the message beside the field goes once it is edited

    @rx.event
    def set_sub_choice(self, value: str) -> None:
        """No sub-account, a new one, or an unconnected one (its id)."""
        self.sub_choice = str(value)[:20]
        self.errors.pop("sub_name", None)

    @rx.event
    def set_sub_name(self, value: str) -> None:
        """The new sub-account's name (after the `<account>_` prefix)."""
        self.sub_name = str(value)[:32]
        self.errors.pop("sub_name", None)

    @rx.event
    def set_sub_package(self, value: str) -> None:
        """The package for the sub-account."""
        self.sub_package = str(value)[:20]

    @rx.event
    def set_charge_setup(self, value: bool) -> None:
        """Charge the package's setup fee when it is assigned."""
        self.charge_setup = bool(value)

    @rx.event
    def set_threshold(self, value: str) -> None:
        """The low-balance threshold as typed."""
        self.threshold = str(value)[:20]
        self.errors.pop("threshold", None)

    @rx.event
    def set_threshold_email(self, value: str) -> None:
        """The low-balance notification address as typed."""
        self.threshold_email = str(value)[:254]
        self.errors.pop("low_balance_email", None)

    @rx.event
    @signed_in
    async def save(self, actor: Actor) -> Answer:
        """Create or update the client; messages appear beside the fields."""
        self.errors = {}
        self.notice = ""
        try:
            if self.cid:
                await self._blocking(clients.update_client, actor, self.cid, dict(self.values))
                # The form shows what was stored (e.g. the phone number in its international form), and says so.
                self._show(clients.client_details(actor, self.cid))
                self.notice = "Saved."
                return None
            if self.sub_choice == "new":
                try:
                    subaccounts.check_name(actor, self.sub_name)
                except ValidationFailed as e:
                    raise ValidationFailed({"sub_name": e.errors["name"]}) from None
            new_id = await self._blocking(clients.create_client, actor, dict(self.values))  # argon2
        except ServiceError as e:
            self.errors = field_errors(e)
            return None
        try:
            await self._blocking(
                subaccounts.connect_on_create,
                actor,
                new_id,
                self.sub_choice,
                self.sub_name,
                self.sub_package,
                charge_setup_fee=self.charge_setup,
            )
        except ServiceError as e:
            # The client exists: its manage page opens with what was refused, where a sub-account can be added.
            (await self.get_state(ManageState))._refused_on_create = {
                "cid": str(new_id),
                "message": f"The client was created, but not its sub-account: {error_text(e)}",
            }
        return rx.redirect(routes.reseller_client_path(new_id))

    @rx.event
    @signed_in
    async def save_low_balance(self, actor: Actor) -> Answer:
        """Set or clear the low-balance email threshold (10 to 500) and its address."""
        self.errors = {}
        try:
            clients.set_low_balance(actor, self.cid, self.threshold, self.threshold_email)
        except ServiceError as e:
            self.errors = field_errors(e, "threshold")
            return None
        self.notice = "Low-balance email saved."
        return None

    @rx.event
    @signed_in
    async def activate(self, actor: Actor) -> Answer:
        """Activate a WAIT client."""
        try:
            clients.activate_client(actor, self.cid)
        except ServiceError as e:
            self.errors = field_errors(e, "status")
            return None
        self.status = "ACTIVE"
        self.notice = "Client activated."
        return None

    @rx.event
    @signed_in
    async def delete(self, actor: Actor) -> Answer:
        """Delete the client for good (after the dialog's confirmation); refused while services are connected."""
        try:
            clients.delete_client(actor, self.cid)
        except ServiceError as e:
            self.errors = field_errors(e, "delete")
            return None
        return rx.redirect(routes.RESELLER_CLIENTS)
