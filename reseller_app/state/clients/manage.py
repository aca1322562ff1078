"""The manage page of one client: what is connected, payments and charges, the history, assign a package."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from reseller_app import routes
from reseller_app.services.access.actor import Actor
from reseller_app.services.accounting import postings
from reseller_app.services.clients import accounts as clients
from reseller_app.services.common.errors import ServiceError
from reseller_app.services.telephony import dids, subaccounts
from reseller_app.state.clients.client_list import open_portal_as
from reseller_app.state.messages import field_errors
from reseller_app.state.session import Answer, ResellerPage, route_param, signed_in, turn_page


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
    # Set by the create form when the new client's sub-account step was refused: {"cid", "message"}.
    _refused_on_create: dict[str, str] = {}

    def _reload(self, actor: Actor) -> None:
        self.info = clients.client_details(actor, self.cid)
        svc = dids.client_services(actor, self.cid)
        self.subs, self.numbers, self.fax = svc["subaccounts"], svc["dids"], svc["fax"]
        hist = clients.history(actor, self.cid, self.hpage)
        self.history, self.hpage, self.hpages = hist["items"], hist["page"], hist["pages"]
        self.choices = subaccounts.subaccount_choices(actor, self.cid)

    @rx.event
    @signed_in
    async def load(self, actor: Actor) -> Answer:
        """Open the manage page of the client in the URL."""
        self.cid = route_param(self, "client_id")
        self.hpage = 1
        self.errors = {}
        self.notice = ""
        self.assign_to = "new"
        self.pay_token = clients.new_form_token()
        try:
            self._reload(actor)
        except ServiceError:
            return rx.redirect(routes.RESELLER_CLIENTS)
        refused, self._refused_on_create = self._refused_on_create, {}
        if refused.get("cid") == self.cid:
            self.errors = {"subaccount": refused["message"]}
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
    def assign_package(self) -> Answer:
        """Next: the sub-account configuration page with its package drop-down."""
        target = self.assign_to if self.assign_to.isdigit() else "new"
        return rx.redirect(routes.reseller_client_path(self.cid, f"subaccount/{target}"))

    @rx.event
    @signed_in
    async def post(self, actor: Actor, form: dict) -> Answer:
        """Add a manual payment or charge, dated today; the form's token makes a double click post once."""
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
            self.errors = field_errors(e, "amount")
            return None
        self.pay_token = clients.new_form_token()
        self.hpage = 1
        self._reload(actor)
        self.notice = "Payment added." if self.pay_kind == "payment" else "Charge added."
        return [rx.set_value("pay-amount", ""), rx.set_value("pay-description", "")]

    @rx.event
    @signed_in
    async def reverse(self, actor: Actor, entry_id: str) -> Answer:
        """Delete a transaction: its reversal is appended and both stay in the history."""
        self.errors = {}
        try:
            await self._blocking(postings.reverse, actor, int(self.cid), int(entry_id))
        except ValueError:
            self.errors = {"transaction": "Not found."}
            return None
        except ServiceError as e:
            self.errors = field_errors(e, "transaction")
            return None
        self._reload(actor)
        self.notice = "Transaction deleted (a reversal was added)."
        return None

    @rx.event
    @signed_in
    async def turn(self, actor: Actor, delta: int) -> Answer:
        """Another page of the history."""
        self.hpage = turn_page(self.hpage, self.hpages, delta)
        try:
            self._reload(actor)
        except ServiceError as e:  # no client open, or not this reseller's (a hand-made event)
            self.errors = field_errors(e, "services")
        return None

    async def _act(self, actor: Actor, fn: Callable[..., object], *args: object, done: str) -> None:
        self.errors = {}
        self.notice = ""
        try:
            await self._blocking(fn, actor, self.cid, *args)  # the carrier is called: off the loop
        except ServiceError as e:
            self.errors = field_errors(e, "services")
            return
        self._reload(actor)
        self.notice = done

    @rx.event
    @signed_in
    async def unconnect_sub(self, actor: Actor, sub_id: str) -> Answer:
        """Withdraw a sub-account from the client."""
        await self._act(actor, subaccounts.unconnect_subaccount, sub_id, done="Sub-account unconnected.")
        return None

    @rx.event
    @signed_in
    async def unconnect_did(self, actor: Actor, did_id: str) -> Answer:
        """Withdraw a phone or fax number from the client (given back to the carrier)."""
        await self._act(actor, dids.unconnect_did, did_id, done="Number unconnected.")
        return None

    @rx.event
    @signed_in
    async def block(self, actor: Actor, sub_id: str, blocked: bool) -> Answer:
        """Block or unblock a sub-account at the carrier."""
        msg = "Sub-account blocked." if blocked else "Sub-account unblocked."
        await self._act(actor, subaccounts.set_blocked, sub_id, bool(blocked), done=msg)
        return None

    @rx.event
    @signed_in
    async def login_as(self, actor: Actor) -> Answer:
        """Open this client's interface as the client."""
        answer = await open_portal_as(self, actor, self.cid)
        if answer is None:
            self.errors = {"services": "That client is not yours."}
        return answer
