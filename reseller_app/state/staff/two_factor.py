"""The signed-in reseller login's own two-factor sign-in (owner or staff), on the Staff page."""

from __future__ import annotations

import reflex as rx

from reseller_app.services.access import two_factor
from reseller_app.services.access.actor import Actor
from reseller_app.state.access.two_factor import TwoFactorPanel
from reseller_app.state.session import Answer, ResellerPage, signed_in


class TwoFactorState(ResellerPage, TwoFactorPanel, rx.State):
    """The owner's or staff member's own two-factor panel (the handlers are TwoFactorPanel's)."""

    @rx.event
    @signed_in
    async def load(self, actor: Actor) -> Answer:
        """Whether this login asks for a code."""
        self._show(two_factor.enabled(two_factor.login_key(actor)))
        return None
