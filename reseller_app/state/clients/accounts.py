"""Manage client's accounts: the list, the create/edit form, the manage page, numbers and sub-accounts.

Every handler resolves the reseller from its session cookie and hands the Actor to a service, which checks ids.
"""

from __future__ import annotations

import asyncio

import reflex as rx

from reseller_app import routes
from reseller_app.services.access import auth
from reseller_app.services.access.actor import Actor
from reseller_app.services.accounting import postings
from reseller_app.services.clients import accounts as clients
from reseller_app.services.common.errors import NotFound, ServiceError, ValidationFailed
from reseller_app.services.telephony import dids, subaccounts
from reseller_app.state.session import ResellerPage, SessionState

# The sub-account options, for the configuration page (pages do not import services).
AUTH_TYPES = subaccounts.AUTH_TYPES
CODECS = subaccounts.CODECS
DEVICE_TYPES = subaccounts.DEVICE_TYPES
DTMF_MODES = subaccounts.DTMF_MODES
NAT_MODES = subaccounts.NAT_MODES
LIVE_SECONDS = 5
LIVE_TICKS = 240  # 20 minutes
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


def _param(state: rx.State, name: str) -> str:
    return str(state.rx_router_page.params.get(name, "") or "")


def client_href(cid: str, page: str = "") -> str:
    """The path of a client's manage page (or one of its sub-pages)."""
    return f"{routes.RESELLER_CLIENTS}/{cid}" + (f"/{page}" if page else "")


def _errors(e: ServiceError, default: str = "form") -> dict[str, str]:
    if isinstance(e, ValidationFailed):
        return dict(e.errors)
    return {default: str(e)}


class ClientListState(ResellerPage, rx.State):
    """Search, filter and page of the client list; refreshed every few seconds while it is open."""

    search: str = ""
    status: str = "all"
    page: int = 1
    pages: int = 1
    total: str = "0"
    rows: list[dict[str, str]] = []
    error: str = ""
    live: bool = False

    async def _refresh(self):  # noqa: ANN202
        actor = await self._actor()
        if actor is None:
            return rx.redirect(routes.RESELLER_LOGIN)
        status = "" if self.status == "all" else self.status
        data = clients.list_clients(actor, self.search, status, self.page)
        self.rows = data["items"]
        self.pages = data["pages"]
        self.total = data["total"]
        self.page = data["page"]
        return None

    @rx.event
    async def load(self):  # noqa: ANN201
        """First page when the list opens; starts the live status refresh."""
        self.page = 1
        self.error = ""
        result = await self._refresh()
        if result is not None:
            return result
        return ClientListState.keep_live

    @rx.event(background=True)
    async def keep_live(self):  # noqa: ANN201
        """Refresh the shown page while the list is open, so HARD suspensions and restores appear live."""
        async with self:
            if self.live:
                return
            self.live = True
        try:
            # Bounded, so a tab closed on the list does not poll forever; opening the list again restarts it.
            for _ in range(LIVE_TICKS):
                await asyncio.sleep(LIVE_SECONDS)
                async with self:
                    if self.rx_router_page.path.rstrip("/") != routes.RESELLER_CLIENTS:
                        return
                    if await self._refresh() is not None:
                        return
        finally:
            async with self:
                self.live = False

    @rx.event
    async def set_search(self, value: str):  # noqa: ANN201
        """Search as the reseller types (server side)."""
        self.search = str(value)[:100]
        self.page = 1
        return await self._refresh()

    @rx.event
    async def set_status(self, value: str):  # noqa: ANN201
        """Filter by status."""
        self.status = value if value in ("all", *clients.STATUSES) else "all"
        self.page = 1
        return await self._refresh()

    @rx.event
    async def turn(self, delta: int):  # noqa: ANN201
        """Next or previous page."""
        self.page = max(1, min(self.pages, self.page + int(delta)))
        return await self._refresh()

    @rx.event
    async def login_as(self, client_id: str):  # noqa: ANN201
        """Open the client's interface as the client (checked and audited in the services layer)."""
        actor = await self._actor()
        if actor is None:
            return rx.redirect(routes.RESELLER_LOGIN)
        try:
            token = auth.impersonate_client(actor, int(client_id))
        except (ServiceError, ValueError):
            self.error = "That client is not yours."
            return None
        session = await self.get_state(SessionState)
        session.client_token = token
        return rx.redirect(routes.client_path(actor.reseller_id, "dashboard"), is_external=False)


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

    def _blank(self) -> None:
        self.values = {k: "" for k in CLIENT_FIELDS}
        self.values["balance_management"] = "SOFT"
        self.errors = {}
        self.notice = ""

    @rx.event
    async def load_new(self):  # noqa: ANN201
        """An empty create form."""
        if await self._actor() is None:
            return rx.redirect(routes.RESELLER_LOGIN)
        self._blank()
        self.cid = ""
        self.sub_choice, self.sub_name, self.sub_package, self.charge_setup = "none", "", "none", True
        actor = await self._actor()
        self.packages = clients.package_choices(actor)
        self.loose_subs = subaccounts.unconnected_choices(actor)
        return None

    @rx.event
    async def load_edit(self):  # noqa: ANN201
        """The edit form of the client in the URL."""
        actor = await self._actor()
        if actor is None:
            return rx.redirect(routes.RESELLER_LOGIN)
        self._blank()
        self.cid = _param(self, "client_id")
        try:
            data = clients.client_details(actor, self.cid)
        except ServiceError:
            return rx.redirect(routes.RESELLER_CLIENTS)
        self.values = {k: data.get(k, "") for k in CLIENT_FIELDS}
        self.values["password"] = ""
        self.status = data["status"]
        self.name = data["name"]
        self.balance = data["balance"]
        self.threshold = data["low_balance_threshold"]
        self.threshold_email = data["low_balance_email"]
        return None

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

    @rx.event
    def set_sub_name(self, value: str) -> None:
        """The new sub-account's name (after the `<account>_` prefix)."""
        self.sub_name = str(value)[:32]

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

    @rx.event
    def set_threshold_email(self, value: str) -> None:
        """The low-balance notification address as typed."""
        self.threshold_email = str(value)[:254]

    @rx.event
    async def save(self):  # noqa: ANN201
        """Create or update the client; messages appear beside the fields."""
        actor = await self._actor()
        if actor is None:
            return rx.redirect(routes.RESELLER_LOGIN)
        self.errors = {}
        self.notice = ""
        try:
            if self.cid:
                await self._blocking(clients.update_client, actor, self.cid, dict(self.values))
                self.notice = "Saved."
                return ClientFormState.load_edit
            if self.sub_choice == "new":
                try:
                    subaccounts.check_name(actor, self.sub_name)
                except ValidationFailed as e:
                    raise ValidationFailed({"sub_name": e.errors["name"]}) from None
            new_id = await self._blocking(clients.create_client, actor, dict(self.values))
        except ServiceError as e:
            self.errors = _errors(e)
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
        except ServiceError:
            pass  # the client exists; its manage page shows what is (not) connected and lets the reseller retry
        return rx.redirect(client_href(str(new_id)))

    @rx.event
    async def save_low_balance(self):  # noqa: ANN201
        """Set or clear the low-balance email threshold (10 to 500) and its address."""
        actor = await self._actor()
        if actor is None:
            return rx.redirect(routes.RESELLER_LOGIN)
        self.errors = {}
        try:
            clients.set_low_balance(actor, self.cid, self.threshold, self.threshold_email)
        except ServiceError as e:
            self.errors = _errors(e, "threshold")
            return None
        self.notice = "Low-balance email saved."
        return None

    @rx.event
    async def activate(self):  # noqa: ANN201
        """Activate a WAIT client."""
        actor = await self._actor()
        if actor is None:
            return rx.redirect(routes.RESELLER_LOGIN)
        try:
            clients.activate_client(actor, self.cid)
        except ServiceError as e:
            self.errors = _errors(e, "status")
            return None
        self.status = "ACTIVE"
        self.notice = "Client activated."
        return None

    @rx.event
    async def delete(self):  # noqa: ANN201
        """Delete the client for good (after the dialog's confirmation); refused while services are connected."""
        actor = await self._actor()
        if actor is None:
            return rx.redirect(routes.RESELLER_LOGIN)
        try:
            clients.delete_client(actor, self.cid)
        except ServiceError as e:
            self.errors = _errors(e, "delete")
            return None
        return rx.redirect(routes.RESELLER_CLIENTS)


class ManageState(ResellerPage, rx.State):
    """The manage page: what is connected, payments and charges, the history, assign a package."""

    cid: str = ""
    info: dict[str, str] = {}
    subs: list[dict[str, str]] = []
    numbers: list[dict[str, str]] = []
    fax: list[dict[str, str]] = []
    history: list[dict[str, str]] = []
    hpage: int = 1
    hpages: int = 1
    choices: list[dict[str, str]] = []
    assign_to: str = "new"
    pay_token: str = ""
    pay_kind: str = "payment"
    errors: dict[str, str] = {}
    notice: str = ""

    async def _reload(self, actor: Actor) -> None:
        self.info = clients.client_details(actor, self.cid)
        svc = dids.client_services(actor, self.cid)
        self.subs, self.numbers, self.fax = svc["subaccounts"], svc["dids"], svc["fax"]
        hist = clients.history(actor, self.cid, self.hpage)
        self.history, self.hpage, self.hpages = hist["items"], hist["page"], hist["pages"]
        self.choices = subaccounts.subaccount_choices(actor, self.cid)

    @rx.event
    async def load(self):  # noqa: ANN201
        """Open the manage page of the client in the URL."""
        actor = await self._actor()
        if actor is None:
            return rx.redirect(routes.RESELLER_LOGIN)
        self.cid = _param(self, "client_id")
        self.hpage = 1
        self.errors = {}
        self.notice = ""
        self.assign_to = "new"
        self.pay_token = clients.new_form_token()
        try:
            await self._reload(actor)
        except ServiceError:
            return rx.redirect(routes.RESELLER_CLIENTS)
        return None

    @rx.event
    def set_assign_to(self, value: str) -> None:
        """Which sub-account the package goes to ("new" or an id)."""
        self.assign_to = str(value)

    @rx.event
    def set_pay_kind(self, value: str) -> None:
        """Payment or charge."""
        self.pay_kind = "charge" if value == "charge" else "payment"

    @rx.event
    def assign_package(self):  # noqa: ANN201
        """Next: the sub-account configuration page with its package drop-down."""
        target = self.assign_to if self.assign_to.isdigit() else "new"
        return rx.redirect(client_href(self.cid, f"subaccount/{target}"))

    @rx.event
    async def post(self, form: dict):  # noqa: ANN201
        """Add a manual payment or charge, dated today; the form's token makes a double click post once."""
        actor = await self._actor()
        if actor is None:
            return rx.redirect(routes.RESELLER_LOGIN)
        self.errors = {}
        self.notice = ""
        token = str(form.get("token", ""))[:64] or clients.new_form_token()
        try:
            await self._blocking(
                postings.manual_posting,
                actor,
                self.cid,
                self.pay_kind,
                str(form.get("amount", "")),
                str(form.get("description", "")),
                reference=token,
            )
        except ServiceError as e:
            self.errors = _errors(e, "amount")
            return None
        self.pay_token = clients.new_form_token()
        self.hpage = 1
        await self._reload(actor)
        self.notice = "Payment added." if self.pay_kind == "payment" else "Charge added."
        return [rx.set_value("pay-amount", ""), rx.set_value("pay-description", "")]

    @rx.event
    async def reverse(self, entry_id: str):  # noqa: ANN201
        """Delete a transaction: its reversal is appended and both stay in the history."""
        actor = await self._actor()
        if actor is None:
            return rx.redirect(routes.RESELLER_LOGIN)
        self.errors = {}
        try:
            await self._blocking(postings.reverse, actor, int(self.cid), int(entry_id))
        except (ServiceError, ValueError) as e:
            self.errors = _errors(e, "transaction") if isinstance(e, ServiceError) else {"transaction": "Not found."}
            return None
        await self._reload(actor)
        self.notice = "Transaction deleted (a reversal was added)."
        return None

    @rx.event
    async def turn(self, delta: int):  # noqa: ANN201
        """Another page of the history."""
        actor = await self._actor()
        if actor is None:
            return rx.redirect(routes.RESELLER_LOGIN)
        self.hpage = max(1, self.hpage + int(delta))
        try:
            await self._reload(actor)
        except ServiceError as e:  # no client open, or not this reseller's (a hand-made event)
            self.errors = _errors(e, "services")
        return None

    async def _act(self, fn, *args, done: str):  # noqa: ANN001, ANN202
        actor = await self._actor()
        if actor is None:
            return rx.redirect(routes.RESELLER_LOGIN)
        self.errors = {}
        self.notice = ""
        try:
            await self._blocking(fn, actor, self.cid, *args)
        except ServiceError as e:
            self.errors = _errors(e, "services")
            return None
        await self._reload(actor)
        self.notice = done
        return None

    @rx.event
    async def unconnect_sub(self, sub_id: str):  # noqa: ANN201
        """Withdraw a sub-account from the client."""
        return await self._act(subaccounts.unconnect_subaccount, sub_id, done="Sub-account unconnected.")

    @rx.event
    async def unconnect_did(self, did_id: str):  # noqa: ANN201
        """Withdraw a phone or fax number from the client (given back to the carrier)."""
        return await self._act(dids.unconnect_did, did_id, done="Number unconnected.")

    @rx.event
    async def block(self, sub_id: str, blocked: bool):  # noqa: ANN201
        """Block or unblock a sub-account at the carrier."""
        msg = "Sub-account blocked." if blocked else "Sub-account unblocked."
        return await self._act(subaccounts.set_blocked, sub_id, bool(blocked), done=msg)

    @rx.event
    async def login_as(self):  # noqa: ANN201
        """Open this client's interface as the client."""
        actor = await self._actor()
        if actor is None:
            return rx.redirect(routes.RESELLER_LOGIN)
        try:
            token = auth.impersonate_client(actor, int(self.cid))
        except (ServiceError, ValueError):
            self.errors = {"services": "That client is not yours."}
            return None
        (await self.get_state(SessionState)).client_token = token
        return rx.redirect(routes.client_path(actor.reseller_id, "dashboard"))


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

    @rx.event
    async def load(self):  # noqa: ANN201
        """The configuration of a new sub-account, or of the one in the URL."""
        actor = await self._actor()
        if actor is None:
            return rx.redirect(routes.RESELLER_LOGIN)
        self.cid = _param(self, "client_id")
        self.sid = _param(self, "sub_id") or "new"
        self.errors = {}
        self.charge_setup = True
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
        if key in (
            "name",
            "description",
            "password",
            "device_type",
            "auth_type",
            "callerid",
            "dtmf_mode",
            "nat",
            "package_id",
        ):
            self.values[key] = str(value)[:120]

    @rx.event
    def toggle_codec(self, codec: str, on: bool) -> None:
        """Add or remove a codec."""
        if codec in subaccounts.CODECS:
            self.codecs = [c for c in self.codecs if c != codec] + ([codec] if on else [])

    @rx.event
    def set_charge_setup(self, value: bool) -> None:
        """Whether assigning the package posts its setup fee."""
        self.charge_setup = bool(value)

    @rx.event
    async def save(self):  # noqa: ANN201
        """Create or update the sub-account ("Update account") and go back to the client."""
        actor = await self._actor()
        if actor is None:
            return rx.redirect(routes.RESELLER_LOGIN)
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
            self.errors = _errors(e, "form")
            return None
        return rx.redirect(client_href(self.cid))


class NumbersState(ResellerPage, rx.State):
    """Connect phone or fax numbers: one or several ("Advanced"), rates, forwarding and voicemail."""

    cid: str = ""
    kind: str = "voice"
    offers: list[dict[str, str]] = []
    single: str = ""
    advanced: bool = False
    picked: list[str] = []
    subs: list[dict[str, str]] = []
    sub: str = ""
    rates: dict[str, str] = {}
    forward: bool = False
    forward_to: str = ""
    vm_on: bool = False
    vm: dict[str, str] = {}
    errors: dict[str, str] = {}
    token: str = ""

    async def _offers(self, actor: Actor) -> None:
        self.offers = dids.available_numbers(actor, self.kind)
        self.rates = dids.did_defaults(actor, self.kind)
        self.single = self.offers[0]["number"] if self.offers else ""
        self.picked = []

    @rx.event
    async def load(self):  # noqa: ANN201
        """The numbers the reseller can connect, the client's sub-accounts and the default rates."""
        actor = await self._actor()
        if actor is None:
            return rx.redirect(routes.RESELLER_LOGIN)
        self.cid = _param(self, "client_id")
        self.kind = "fax" if _param(self, "kind") == "fax" else "voice"
        self.errors = {}
        self.advanced = False
        self.forward = False
        self.forward_to = ""
        self.vm_on = False
        self.vm = {"name": "", "pin": "", "email": ""}
        self.token = clients.new_form_token()
        try:
            svc = dids.client_services(actor, self.cid)
        except (ServiceError, NotFound):
            return rx.redirect(routes.RESELLER_CLIENTS)
        self.subs = [{"id": s["id"], "label": s["account"]} for s in svc["subaccounts"]]
        self.sub = self.subs[0]["id"] if self.subs else ""
        await self._offers(actor)
        return None

    @rx.event
    async def set_kind(self, value: str):  # noqa: ANN201
        """Phone or fax numbers."""
        actor = await self._actor()
        if actor is None:
            return rx.redirect(routes.RESELLER_LOGIN)
        self.kind = "fax" if value == "fax" else "voice"
        await self._offers(actor)
        return None

    @rx.event
    def set_single(self, value: str) -> None:
        """The number chosen in the drop-down."""
        self.single = str(value)

    @rx.event
    def set_advanced(self, value: bool) -> None:
        """Pick several numbers at once."""
        self.advanced = bool(value)

    @rx.event
    def toggle(self, number: str, on: bool) -> None:
        """Tick or untick one number (Advanced)."""
        self.picked = [n for n in self.picked if n != number] + ([str(number)] if on else [])

    @rx.event
    def set_sub(self, value: str) -> None:
        """The sub-account the numbers ring."""
        self.sub = str(value)

    @rx.event
    def set_rate(self, key: str, value: str) -> None:
        """Setup, monthly or per-minute rate as typed."""
        if key in ("setup", "monthly", "per_minute"):
            self.rates[key] = str(value)[:20]

    @rx.event
    def set_forward(self, value: bool) -> None:
        """Forward these numbers to a local number."""
        self.forward = bool(value)

    @rx.event
    def set_forward_to(self, value: str) -> None:
        """The local number to forward to."""
        self.forward_to = str(value)[:32]

    @rx.event
    def set_vm_on(self, value: bool) -> None:
        """Add a voicemail for these numbers."""
        self.vm_on = bool(value)

    @rx.event
    def set_vm(self, key: str, value: str) -> None:
        """Voicemail name, PIN or email as typed."""
        if key in ("name", "pin", "email"):
            self.vm[key] = str(value)[:254]

    @rx.event
    async def connect(self):  # noqa: ANN201
        """Connect the chosen numbers to the client and go back to its manage page."""
        actor = await self._actor()
        if actor is None:
            return rx.redirect(routes.RESELLER_LOGIN)
        self.errors = {}
        numbers = list(self.picked) if self.advanced else ([self.single] if self.single else [])
        try:
            dids.connect_dids(
                actor,
                self.cid,
                numbers,
                kind=self.kind,
                sub_account_id=self.sub if self.kind == "voice" else "",
                setup=self.rates.get("setup", "0"),
                monthly=self.rates.get("monthly", "0"),
                per_minute=self.rates.get("per_minute", "0"),
                forward_to=self.forward_to if self.forward else "",
                voicemail=dict(self.vm) if self.vm_on else None,
                reference=self.token,
            )
        except ServiceError as e:
            self.errors = _errors(e, "numbers")
            return None
        return rx.redirect(client_href(self.cid))
