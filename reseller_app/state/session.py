"""The browser's sessions. Imports nothing from pages; every page state reaches it with get_state."""

from __future__ import annotations

import reflex as rx

from reseller_app import routes
from reseller_app.services.access import auth
from reseller_app.services.access.actor import Actor
from reseller_app.services.common.ids import to_id

_MAX_AGE = 12 * 3600


class SessionState(rx.State):
    """Holds the session cookies of the reseller and client realms."""

    reseller_token: str = rx.Cookie("", name="rp_rsess", same_site="lax", max_age=_MAX_AGE)
    client_token: str = rx.Cookie("", name="rp_csess", same_site="lax", max_age=_MAX_AGE)

    def _reseller(self) -> Actor | None:
        # A value of another type (set through client storage by a hostile browser) is no session.
        return auth.resolve(self.reseller_token, "reseller") if auth.is_token(self.reseller_token) else None

    def _client(self, rid: int | None) -> Actor | None:
        if rid is None or not auth.is_token(self.client_token):
            return None
        return auth.resolve(self.client_token, "client", rid)

    @rx.event
    async def reseller_logout(self) -> rx.event.EventSpec:
        """End the reseller session (and its "Login as client" sessions), forget the tab's data, go to login."""
        auth.logout(self.reseller_token)
        await clear_tab(self)
        return rx.redirect(routes.RESELLER_LOGIN)

    @rx.event
    async def client_logout(self) -> rx.event.EventSpec:
        """End the client session, forget the tab's data and go back to its portal's login page."""
        rid = page_rid(self)
        auth.logout(self.client_token)
        await clear_tab(self)
        return rx.redirect(routes.client_path(rid or 0, "login"))


def _app_states(cls: type[rx.State]) -> list[type[rx.State]]:
    out = []
    for sub in cls.get_substates():
        if sub.__module__.startswith("reseller_app."):
            out.append(sub)
        out.extend(_app_states(sub))
    return out


async def clear_tab(state: rx.State) -> None:
    """Put every state of the app in this tab back to its defaults (the session cookies included).

    After a logout a new connection with the same tab token must receive nothing of the last user: every page
    state (lists, forms, the last client viewed) is reset, not only the cookie.
    """
    for cls in _app_states(rx.State):
        (await state.get_state(cls)).reset()


class ResellerPage(rx.State, mixin=True):
    """A page of the reseller's interface: the reseller asking is the one of the session cookie (or nobody)."""

    async def _actor(self) -> Actor | None:
        return (await self.get_state(SessionState))._reseller()


class ClientPage(rx.State, mixin=True):
    """A page of a client portal (/r/<rid>/...): the client of the session cookie, on that reseller's portal."""

    async def _actor(self) -> Actor | None:
        return (await self.get_state(SessionState))._client(page_rid(self))


def page_rid(state: rx.State) -> int | None:
    """The reseller id in the current /r/<rid>/... URL, or None."""
    return to_id(state.rx_router_page.params.get("rid", ""))
