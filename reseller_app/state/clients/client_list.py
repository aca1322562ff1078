"""Manage client's accounts: the list (search, status filter, one page), refreshed live while it is open."""

from __future__ import annotations

import asyncio

import reflex as rx

from reseller_app import routes
from reseller_app.services.access import auth
from reseller_app.services.access.actor import Actor
from reseller_app.services.clients import accounts as clients
from reseller_app.services.common.errors import ServiceError
from reseller_app.state.session import Answer, ResellerPage, SessionState, signed_in, turn_page

LIVE_SECONDS = 5
LIVE_TICKS = 240  # 20 minutes
STATUSES = ("all", *clients.STATUSES)


async def open_portal_as(state: rx.State, actor: Actor, client_id: str) -> rx.event.EventSpec | None:
    """Open the client's portal as the client (checked and audited by the service); None when refused."""
    try:
        token = auth.impersonate_client(actor, int(client_id))
    except (ServiceError, ValueError):
        return None
    (await state.get_state(SessionState)).client_token = token
    return rx.redirect(routes.client_path(actor.reseller_id, "dashboard"))


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

    def _refresh(self, actor: Actor) -> None:
        status = "" if self.status == "all" else self.status
        data = clients.list_clients(actor, self.search, status, self.page)
        self.rows = data["items"]
        self.pages = data["pages"]
        self.total = data["total"]
        self.page = data["page"]

    @rx.event
    @signed_in
    async def load(self, actor: Actor) -> Answer:
        """First page when the list opens; starts the live status refresh."""
        self.page = 1
        self.error = ""
        self._refresh(actor)
        return ClientListState.keep_live

    @rx.event(background=True)
    async def keep_live(self) -> None:
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
                    actor = await self._actor()
                    if actor is None:
                        return  # the session ended: the next event of the page goes to the login page
                    self._refresh(actor)
        finally:
            async with self:
                self.live = False

    @rx.event
    @signed_in
    async def set_search(self, actor: Actor, value: str) -> Answer:
        """Search as the reseller types (server side)."""
        self.search = str(value)[:100]
        self.page = 1
        self._refresh(actor)
        return None

    @rx.event
    @signed_in
    async def set_status(self, actor: Actor, value: str) -> Answer:
        """Filter by status."""
        self.status = value if value in STATUSES else "all"
        self.page = 1
        self._refresh(actor)
        return None

    @rx.event
    @signed_in
    async def turn(self, actor: Actor, delta: int) -> Answer:
        """Next or previous page."""
        self.page = turn_page(self.page, self.pages, delta)
        self._refresh(actor)
        return None

    @rx.event
    @signed_in
    async def login_as(self, actor: Actor, client_id: str) -> Answer:
        """Open the client's interface as the client (checked and audited in the services layer)."""
        answer = await open_portal_as(self, actor, client_id)
        if answer is None:
            self.error = "That client is not yours."
        return answer
