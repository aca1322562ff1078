"""The reseller's package list (the client list lives in state/clients.py)."""

from __future__ import annotations

import reflex as rx

from reseller_app import routes
from reseller_app.services import overview
from reseller_app.state.session import SessionState


class PackageListState(rx.State):
    """The reseller's packages."""

    rows: list[dict[str, str]] = []

    @rx.event
    async def load(self):  # noqa: ANN201
        """Load the package list."""
        actor = (await self.get_state(SessionState))._reseller()
        if actor is None:
            return rx.redirect(routes.RESELLER_LOGIN)
        self.rows = overview.list_packages(actor)
        return None
