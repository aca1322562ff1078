"""Connect phone or fax numbers to a client: one or several ("Advanced"), rates, forwarding and voicemail."""

from __future__ import annotations

import reflex as rx

from reseller_app import routes
from reseller_app.services.access.actor import Actor
from reseller_app.services.clients import accounts as clients
from reseller_app.services.common.errors import ServiceError
from reseller_app.services.telephony import dids
from reseller_app.state.messages import field_errors
from reseller_app.state.session import Answer, ResellerPage, route_param, signed_in


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
    client_label: str = ""  # whose numbers these are: "Hana Hart · hana@example.com"
    search: str = ""

    @rx.var
    def shown_offers(self) -> list[dict[str, str]]:
        """The offers that match the search (digits or a rate centre), at most 200 on screen."""
        term = self.search.strip().lower()
        digits = "".join(ch for ch in term if ch.isdigit())
        if not term:
            return self.offers[:200]
        return [
            o for o in self.offers if (digits and digits in o["number"]) or (not digits and term in o["label"].lower())
        ][:200]

    @rx.var
    def offer_count(self) -> str:
        """How many numbers match, said in words."""
        n, total = len(self.shown_offers), len(self.offers)
        shown = f"{n} of {total} numbers" if self.search.strip() else f"{total} numbers"
        return shown + (" (the first 200 are listed: search to narrow)" if n >= 200 else "")

    def _offers(self, actor: Actor) -> None:
        self.offers = dids.available_numbers(actor, self.kind)
        self.rates = dids.did_defaults(actor, self.kind)
        self.single = self.offers[0]["number"] if self.offers else ""
        self.picked = []

    @rx.event
    @signed_in
    async def load(self, actor: Actor) -> Answer:
        """The numbers the reseller can connect, the client's sub-accounts and the default rates."""
        self.cid = route_param(self, "client_id")
        self.kind = "fax" if route_param(self, "kind") == "fax" else "voice"
        self.errors = {}
        self.advanced = False
        self.forward = False
        self.forward_to = ""
        self.vm_on = False
        self.vm = {"name": "", "pin": "", "email": ""}
        self.token = clients.new_form_token()
        try:
            svc = dids.client_services(actor, self.cid)
        except ServiceError:
            return rx.redirect(routes.RESELLER_CLIENTS)
        info = clients.client_details(actor, self.cid)
        self.client_label = " · ".join(x for x in (info["name"], info["email"]) if x)
        self.search = ""
        self.subs = [{"id": s["id"], "label": s["account"]} for s in svc["subaccounts"]]
        self.sub = self.subs[0]["id"] if self.subs else ""
        self._offers(actor)
        return None

    @rx.event
    @signed_in
    async def set_kind(self, actor: Actor, value: str) -> Answer:
        """Phone or fax numbers."""
        self.kind = "fax" if value == "fax" else "voice"
        self._offers(actor)
        return None

    @rx.event
    def set_search(self, value: str) -> None:
        """Narrow the list of numbers (digits of the number, or a rate centre)."""
        self.search = str(value)[:40]

    @rx.event
    def set_single(self, value: str) -> None:
        """The number chosen in the drop-down."""
        self.single = str(value)
        self.errors.pop("numbers", None)

    @rx.event
    def set_advanced(self, value: bool) -> None:
        """Pick several numbers at once."""
        self.advanced = bool(value)

    @rx.event
    def toggle(self, number: str, on: bool) -> None:
        """Tick or untick one number (Advanced)."""
        self.picked = [n for n in self.picked if n != number] + ([str(number)] if on else [])
        self.errors.pop("numbers", None)

    @rx.event
    def set_sub(self, value: str) -> None:
        """The sub-account the numbers ring."""
        self.sub = str(value)
        self.errors.pop("sub_account", None)

    @rx.event
    def set_rate(self, key: str, value: str) -> None:
        """Setup, monthly or per-minute rate as typed."""
        if key in ("setup", "monthly", "per_minute"):
            self.rates[key] = str(value)[:20]
            self.errors.pop(key, None)

    @rx.event
    def set_forward(self, value: bool) -> None:
        """Forward these numbers to a local number."""
        self.forward = bool(value)
        self.errors.pop("forward_to", None)

    @rx.event
    def set_forward_to(self, value: str) -> None:
        """The local number to forward to."""
        self.forward_to = str(value)[:32]
        self.errors.pop("forward_to", None)

    @rx.event
    def set_vm_on(self, value: bool) -> None:
        """Add a voicemail for these numbers."""
        self.vm_on = bool(value)

    @rx.event
    def set_vm(self, key: str, value: str) -> None:
        """Voicemail name, PIN or email as typed."""
        if key in ("name", "pin", "email"):
            self.vm[key] = str(value)[:254]
            self.errors.pop(f"vm_{key}", None)

    @rx.event
    @signed_in
    async def connect(self, actor: Actor) -> Answer:
        """Connect the chosen numbers to the client and go back to its manage page."""
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
            self.errors = field_errors(e, "numbers")
            return None
        return rx.redirect(routes.reseller_client_path(self.cid))
