"""The client's dashboard: the reseller's welcome text, the balance and recent calls, kept live while it is open."""

from __future__ import annotations

import asyncio
import sys

import reflex as rx

from reseller_app import i18n
from reseller_app.services.access import auth
from reseller_app.services.access.actor import Actor
from reseller_app.services.common.errors import ServiceError
from reseller_app.services.portal import account as client_portal
from reseller_app.state.i18n import I18nState
from reseller_app.state.portal.shell import PortalState, read, summary_data
from reseller_app.state.session import Answer, ClientPage, page_rid

LIVE_INTERVAL = 3  # seconds between two looks at the balance while a dashboard is open
LIVE_MAX_POLLS = 1200  # an hour: a forgotten tab stops polling
SESSION_RECHECK = 10  # polls between two looks at the session (figures are only ever read for a live one)


# The live-balance watcher of each tab in this worker: one per tab, so a second start is a no-op (a tab that emits
# `watch_balance` 2,000 times still has one poller, not 2,000).
_watchers: dict[str, asyncio.Task] = {}


def _claim_watch(tab: str) -> bool:
    """Register the running task as this tab's watcher; False when the tab already has a live one."""
    current = _watchers.get(tab)
    if current is not None and not current.done():
        return False
    task = asyncio.current_task()
    if task is not None:
        _watchers[tab] = task
    return True


def _release_watch(tab: str) -> None:
    if _watchers.get(tab) is asyncio.current_task():
        _watchers.pop(tab, None)


def _tab_open(token: str) -> bool:
    """Whether the browser tab behind this state still has its websocket (unknown counts as open)."""
    app = getattr(sys.modules.get("reseller_app.reseller_app"), "app", None)
    namespace = getattr(app, "event_namespace", None)
    if namespace is None or not token:
        return True
    return token in namespace.token_to_sid


def _look(token: str, rid: int | None, actor: Actor | None, known: str) -> tuple[Actor | None, dict]:
    """One look at the balance for the live dashboard: (the session's actor or None when it ended, new figures).

    The version (one query) is read with `actor` when given; the session is resolved when it is not, and always
    before figures are returned, so they only ever go to a live session. {} when nothing changed.
    """
    if actor is None:
        actor = auth.resolve(token, "client", rid) if rid is not None else None
        if actor is None:
            return None, {}
    if client_portal.balance_version(actor) == known:
        return actor, {}
    fresh = auth.resolve(token, "client", rid) if rid is not None else None
    return (fresh, summary_data(fresh)) if fresh is not None else (None, {})


class DashboardState(ClientPage, rx.State):
    """Which balance watcher is the current one (a newer one, from the dashboard opened again, takes over)."""

    _watch_gen: int = 0

    @rx.event
    async def load(self) -> Answer:
        """Dashboard: welcome text, balance, spending and recent calls; then watch the balance."""
        if await (await self.get_state(PortalState))._open(summary=True) is None:
            return self._to_login()
        self._watch_gen += 1
        return DashboardState.watch_balance

    @rx.event(background=True)
    async def watch_balance(self) -> None:
        """While the dashboard is open, show a new balance as soon as a call is rated or a payment is posted.

        One watcher per tab: a start while this tab's watcher runs does nothing (the running one follows the
        dashboard opened again, and a new login in the tab).
        """
        async with self:
            tab = self.router.session.client_token
            login, rid = await (await self.get_state(PortalState))._token(), page_rid(self)
        if not _claim_watch(tab):
            return
        try:
            await _watch(self, tab, login, rid)
        finally:
            _release_watch(tab)


async def _watch(state: DashboardState, tab: str, login: str, rid: int | None) -> None:
    """The live-balance loop of one tab (`state` is the background task's proxy of its DashboardState)."""
    actor: Actor | None = None
    for n in range(LIVE_MAX_POLLS):
        await asyncio.sleep(LIVE_INTERVAL)
        if not _tab_open(tab):
            return
        async with state:
            if not str(state.rx_router_page.path).endswith("/dashboard"):
                return  # the tab left the dashboard
            gen = state._watch_gen
            portal = await state.get_state(PortalState)
            known, token = portal._version, await portal._token()
            lang = (await state.get_state(I18nState)).lang
        if n % SESSION_RECHECK == 0 or token != login:
            actor, login = None, token  # look at the session again (a logout elsewhere ends the watch)
        try:
            # On the loop, outside the state lock: one short indexed query per look. (In a worker thread each
            # answer waited for the GIL behind the loop's work, which slowed every tab's events under load.)
            with i18n.use_language(lang):  # the figures in the tab's language and formats
                actor, data = read(_look, login, rid, actor, known)
        except ServiceError:
            return
        if actor is None:
            return  # logged out, or the session ended
        if data:
            async with state:
                if gen == state._watch_gen:
                    (await state.get_state(PortalState))._apply_summary(data)
