"""The client portal's Security page: the client's own two-factor sign-in (when the reseller offers it)."""

from __future__ import annotations

import reflex as rx

from reseller_app.state.access.two_factor import TwoFactorPanel
from reseller_app.state.portal.shell import PortalState
from reseller_app.state.session import Answer, ClientPage


class SecurityState(ClientPage, TwoFactorPanel, rx.State):
    """The two-factor panel of the signed-in client (the handlers are TwoFactorPanel's)."""

    offered: bool = False  # the reseller offers it now (else only an enrolled client sees the page, to turn it off)

    @rx.event
    async def load(self) -> Answer:
        """Open the page: refused when the reseller does not offer it and the client does not have it on."""
        portal = await self.get_state(PortalState)
        opened = await portal._open()
        if opened is None:
            return self._to_login()
        status = opened.security
        if not status["available"]:
            portal.page_refused = True
            return None
        self.offered = status["offered"]
        self._show(status["on"])
        return None
