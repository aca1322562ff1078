"""The client's themed portal: branding and the dashboard figures."""

from __future__ import annotations

import reflex as rx

from reseller_app import routes
from reseller_app.services import client_portal, overview, portal
from reseller_app.services.actor import Actor
from reseller_app.state.session import SessionState, page_rid


class ClientState(rx.State):
    """The logged-in client's brand, summary and page data."""

    brand: dict[str, str] = portal.default_branding()
    summary: dict[str, str] = {}
    welcome_html: str = ""
    calls: list[dict[str, str]] = []
    balance_negative: bool = False
    impersonated: bool = False
    simple_view: bool = False
    transactions: list[dict[str, str]] = []
    tx_page: int = 1
    tx_pages: int = 1
    subaccounts: list[dict[str, str]] = []
    dids: list[dict[str, str]] = []
    show_sip_password: bool = False
    call_rows: list[dict[str, str]] = []
    call_page: int = 1
    call_pages: int = 1
    call_total: str = "0"
    services_hidden: bool = False

    async def _actor(self) -> Actor | None:
        session = await self.get_state(SessionState)
        return session._client(page_rid(self))

    async def _load_common(self) -> Actor | None:
        rid = page_rid(self)
        brand = portal.public_branding(rid) if rid is not None else None
        actor = await self._actor() if brand is not None else None
        if actor is None:
            return None
        self.brand = brand
        data = overview.client_summary(actor)
        self.welcome_html = data.pop("welcome_html")
        self.calls = data.pop("calls")
        self.balance_negative = bool(data.pop("balance_negative"))
        self.impersonated = bool(data.pop("impersonated"))
        view = data.pop("view_setting")
        self.simple_view = view in ("simple", "simple_hide")
        self.services_hidden = view == "simple_hide"
        self.summary = {k: str(v) for k, v in data.items()}
        return actor

    def _to_login(self) -> rx.event.EventSpec:
        return rx.redirect(routes.client_path(page_rid(self) or 0, "login"))

    @rx.event
    async def load_dashboard(self):  # noqa: ANN201
        """Dashboard: welcome text, balance, spending and recent calls."""
        if await self._load_common() is None:
            return self._to_login()
        return None

    @rx.event
    async def load_balance(self):  # noqa: ANN201
        """Balance page: the balance and a page of the transaction history."""
        actor = await self._load_common()
        if actor is None:
            return self._to_login()
        self.tx_page = 1
        self._fill_transactions(actor)
        return None

    def _fill_transactions(self, actor: Actor) -> None:
        page = client_portal.transactions(actor, page=self.tx_page)
        self.transactions = page["items"]
        self.tx_pages = page["pages"]

    @rx.event
    async def tx_next(self, delta: int):  # noqa: ANN201
        """Move through the transaction history."""
        actor = await self._actor()
        if actor is None:
            return self._to_login()
        self.tx_page = max(1, min(self.tx_pages, self.tx_page + int(delta)))
        self._fill_transactions(actor)
        return None

    @rx.event
    async def load_services(self):  # noqa: ANN201
        """Services page: the client's sub-accounts and numbers."""
        actor = await self._load_common()
        if actor is None:
            return self._to_login()
        data = client_portal.services(actor)
        self.subaccounts = data["subaccounts"]
        self.dids = data["dids"]
        self.show_sip_password = data["show_sip_password"]
        return None

    def _fill_calls(self, actor: Actor) -> None:
        page = client_portal.calls(actor, page=self.call_page)
        self.call_rows = page["items"]
        self.call_pages = page["pages"]
        self.call_total = page["total"]

    @rx.event
    async def load_calls(self):  # noqa: ANN201
        """Call history page: the first page of calls."""
        actor = await self._load_common()
        if actor is None:
            return self._to_login()
        self.call_page = 1
        self._fill_calls(actor)
        return None

    @rx.event
    async def calls_next(self, delta: int):  # noqa: ANN201
        """Move through the call history."""
        actor = await self._actor()
        if actor is None:
            return self._to_login()
        self.call_page = max(1, min(self.call_pages, self.call_page + int(delta)))
        self._fill_calls(actor)
        return None
