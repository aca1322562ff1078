"""The browser's sessions, and what every page state shares: who is asking, its login page, the URL's values.

Imports nothing from pages; every page state reaches SessionState with get_state.
"""

from __future__ import annotations

import asyncio
import contextvars
import dataclasses
import functools
import inspect
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import reflex as rx

from reseller_app import i18n, routes
from reseller_app.config import settings
from reseller_app.services.access import auth
from reseller_app.services.access.actor import Actor
from reseller_app.services.common.ids import to_id
from reseller_app.state.i18n import I18nState

# A session cookie lives as long as the session it carries (SESSION_HOURS); the server ends the session then too.
_MAX_AGE = settings.session_hours * 3600

# What a page's event handler answers: nothing, a redirect or download, or further events to run.
Answer = rx.event.EventSpec | rx.event.EventHandler | list[rx.event.EventSpec] | None

T = TypeVar("T")
# Threads for a page's slow work (see blocking()): apart from the loop's default pool, where logins wait for
# their turn at argon2, so a flood of logins cannot hold up a reseller's posting.
PAGE_WORK_THREADS = 8
_pool: tuple[int, ThreadPoolExecutor] | None = None
_pool_lock = threading.Lock()


def _page_work() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None or _pool[0] != os.getpid():  # a forked worker makes its own threads
            _pool = (os.getpid(), ThreadPoolExecutor(PAGE_WORK_THREADS, thread_name_prefix="page-work"))
        return _pool[1]


async def blocking(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:  # noqa: ANN401
    """Run a slow service call (a write, argon2, the carrier, a heavy report) in a thread; the loop stays free.

    The handler awaits it, so its own state stays locked until the call ends (its user's next event waits, as
    for any handler) while every other session's events go on. Context variables (e.g. db.reading) go along.
    Quick reads stay on the loop: a thread hop costs more than a few indexed queries (README, Performance).
    """
    call = functools.partial(contextvars.copy_context().run, fn, *args, **kwargs)
    return await asyncio.get_running_loop().run_in_executor(_page_work(), call)


class SessionState(rx.State):
    """Holds the session cookies of the reseller and client realms."""

    reseller_token: str = rx.Cookie("", name="rp_rsess", same_site="lax", max_age=_MAX_AGE)
    client_token: str = rx.Cookie("", name="rp_csess", same_site="lax", max_age=_MAX_AGE)

    def _with_address(self, actor: Actor | None) -> Actor | None:
        # The request's address goes with the actor into the audit log.
        return dataclasses.replace(actor, ip=str(self.router.session.client_ip or "")[:45]) if actor else None

    def _reseller(self) -> Actor | None:
        # A value of another type (set through client storage by a hostile browser) is no session.
        if not auth.is_token(self.reseller_token):
            return None
        return self._with_address(auth.resolve(self.reseller_token, "reseller"))

    def _client(self, rid: int | None) -> Actor | None:
        if rid is None or not auth.is_token(self.client_token):
            return None
        return self._with_address(auth.resolve(self.client_token, "client", rid))

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

    def _to_login(self) -> rx.event.EventSpec:
        return rx.redirect(routes.RESELLER_LOGIN)

    async def _language(self) -> str:
        return i18n.SOURCE  # the reseller's pages are in English (README, Languages)

    async def _blocking(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:  # noqa: ANN401
        """Run a slow service call off the event loop (see blocking())."""
        return await blocking(fn, *args, **kwargs)


class ClientPage(rx.State, mixin=True):
    """A page of a client portal (/r/<rid>/...): the client of the session cookie, on that reseller's portal."""

    async def _actor(self) -> Actor | None:
        return (await self.get_state(SessionState))._client(page_rid(self))

    def _to_login(self) -> rx.event.EventSpec:
        return rx.redirect(routes.client_path(page_rid(self) or 0, "login"))

    async def _language(self) -> str:
        # The language the tab shows (settled when the page opened, see PortalState._open; changed by the picker).
        return (await self.get_state(I18nState)).lang

    async def _blocking(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:  # noqa: ANN401
        """Run a slow service call off the event loop (see blocking())."""
        return await blocking(fn, *args, **kwargs)


def signed_in(handler: Callable[..., Any]) -> Callable[..., Any]:
    """Make `handler(self, actor, ...)` of a ResellerPage or ClientPage an event handler `(self, ...)`.

    The actor of the session comes first; a visitor without a session (or whose session ended) is sent to the
    page's login page instead, and the handler does not run. Put it under `@rx.event`:

        @rx.event
        @signed_in
        async def save(self, actor: Actor, form: dict) -> Answer: ...

    The browser sees (and sends) only the parameters after `actor`. The handler runs in the page's language
    (`i18n.use_language`): a client page's messages, amounts and dates in the client's, a reseller page's in English.
    """

    @functools.wraps(handler)
    async def run(self: ResellerPage | ClientPage, *args: object, **kwargs: object) -> object:
        actor = await self._actor()
        if actor is None:
            return self._to_login()
        with i18n.use_language(await self._language()):
            answer = handler(self, actor, *args, **kwargs)
            return await answer if inspect.isawaitable(answer) else answer

    signature = inspect.signature(handler)
    first, actor_param, *rest = signature.parameters.values()
    run.__signature__ = signature.replace(parameters=[first, *rest])  # type: ignore[attr-defined]
    run.__annotations__ = {k: v for k, v in handler.__annotations__.items() if k != actor_param.name}
    return run


def route_param(state: rx.State, name: str) -> str:
    """A value of the current page's URL (a route part such as client_id, or a query value); "" when absent."""
    return str(state.rx_router_page.params.get(name, "") or "")


def page_rid(state: rx.State) -> int | None:
    """The reseller id in the current /r/<rid>/... URL, or None."""
    return to_id(route_param(state, "rid"))  # a made-up or out-of-range id is no portal


def turn_page(page: int, pages: int, delta: int | str) -> int:
    """The page `delta` away from `page` (the pager sends -1 or 1), kept within 1 to `pages`."""
    return max(1, min(pages, page + int(delta)))
