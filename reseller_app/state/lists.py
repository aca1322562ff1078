"""The reseller's client list, searched and paginated on the server."""

from __future__ import annotations

import reflex as rx

from reseller_app import routes
from reseller_app.services import auth, overview
from reseller_app.services.actor import Actor
from reseller_app.services.errors import ServiceError
from reseller_app.state.session import SessionState


class ClientListState(rx.State):
    """Search, filter and page of the client list."""

    search: str = ""
    status: str = "all"
    page: int = 1
    pages: int = 1
    total: str = "0"
    rows: list[dict[str, str]] = []
    error: str = ""

    async def _actor(self) -> Actor | None:
        return (await self.get_state(SessionState))._reseller()

    async def _refresh(self):  # noqa: ANN202
        actor = await self._actor()
        if actor is None:
            return rx.redirect(routes.RESELLER_LOGIN)
        status = "" if self.status == "all" else self.status
        data = overview.list_clients(actor, self.search, status, self.page)
        self.rows = [
            {k: str(v) if not isinstance(v, bool) else ("1" if v else "") for k, v in r.items()} for r in data["items"]
        ]
        self.pages = data["pages"]
        self.total = data["total"]
        self.page = min(self.page, self.pages)
        return None

    @rx.event
    async def load(self):  # noqa: ANN201
        """First page when the list opens."""
        self.page = 1
        return await self._refresh()

    @rx.event
    async def set_search(self, value: str):  # noqa: ANN201
        """Search as the reseller types (server side)."""
        self.search = str(value)[:100]
        self.page = 1
        return await self._refresh()

    @rx.event
    async def set_status(self, value: str):  # noqa: ANN201
        """Filter by status."""
        self.status = value if value in ("all", "ACTIVE", "WAIT", "SUSPENDED") else "all"
        self.page = 1
        return await self._refresh()

    @rx.event
    async def turn(self, delta: int):  # noqa: ANN201
        """Next or previous page."""
        self.page = max(1, min(self.pages, self.page + int(delta)))
        return await self._refresh()

    @rx.event
    async def login_as(self, client_id: str):  # noqa: ANN201
        """Open the client's interface as the client (checked in the services layer)."""
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
