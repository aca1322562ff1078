"""What every page of a client's portal shows: the reseller's brand, the menu the client's view allows, the figures.

A page's state opens its page through `PortalState._open`, which reads the portal, the session, the client's view
and the page's own data in one read-only transaction, and shows the common parts here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import reflex as rx

from reseller_app import i18n
from reseller_app.services.access import auth, two_factor
from reseller_app.services.access.actor import Actor
from reseller_app.services.callflows import objects as callflow_objects
from reseller_app.services.common import lookup
from reseller_app.services.common.errors import ServiceError
from reseller_app.services.portal import account as client_portal
from reseller_app.services.reporting import overview
from reseller_app.services.settings import branding as portal
from reseller_app.state.i18n import I18nState
from reseller_app.state.session import Answer, ClientPage, SessionState, page_rid, signed_in


def summary_data(actor: Actor) -> dict:
    """The client's figures and the version they were read at (version first, so a change is never missed)."""
    version = client_portal.balance_version(actor)
    data = overview.client_summary(actor)
    data["version"] = version
    return data


@dataclass
class OpenPage:
    """What a client page shows, read in one go: the portal, the visitor, its view, and the page's own data."""

    actor: Actor
    brand: dict[str, str] | None
    view: client_portal.PortalView
    extra: dict = field(default_factory=dict)
    # Two-factor sign-in on this portal (services/access/two_factor.client_page): the Security page's menu entry.
    security: dict[str, bool] = field(default_factory=dict)


Fill = Callable[[Actor, client_portal.PortalView], dict]
# Which language the page speaks, given the portal's brand (None: not read again) and the client's stored choice.
Speak = Callable[[dict[str, str] | None, str], str]


def _open_page(token: str, rid: int | None, fill: Fill | None, brand: bool, speak: Speak) -> OpenPage | None:
    """The published portal of `rid` and the client logged in to it, or None; `fill` reads the page's own data,
    in the page's language (`speak`: the client's stored one, the login page's, the browser's, the default).

    Without `brand` (a next page of a list already shown) the portal is not read again.
    """
    theme = portal.public_branding(rid) if brand and rid is not None else None
    actor = auth.resolve(token, "client", rid) if rid is not None and (theme is not None or not brand) else None
    if actor is None:
        return None
    view = client_portal.portal_view(actor)
    with i18n.use_language(speak(theme, view.language)):
        extra = fill(actor, view) if fill is not None else {}
        return OpenPage(actor, theme, view, extra=extra, security=two_factor.client_page(actor))


T = TypeVar("T")


def read(fn: Callable[..., T], *args: object) -> T:
    """Run a page's reads in one read-only transaction (one connection, one snapshot).

    On the event loop, not in a thread: a page is a few short indexed queries (~5 ms), and worker threads made it
    slower under load, each query's answer waiting for the GIL behind the loop's work.
    """
    return lookup.read_only(fn, *args)


class PortalState(ClientPage, rx.State):
    """The logged-in client's portal: brand, menu, whether a page is refused, and the client's figures."""

    brand: dict[str, str] = portal.default_branding()
    impersonated: bool = False
    simple_view: bool = False
    services_hidden: bool = False
    show_calls: bool = True
    show_balance: bool = True
    show_phone_system: bool = False  # any call-flow building block (services/callflows/objects.SERVICES)
    show_call_flows: bool = False  # routing the numbers (the "dids" service)
    show_messages: bool = False
    show_security: bool = False  # the reseller offers two-factor sign-in, or this client has it on
    page_refused: bool = False
    # The figures of the dashboard and balance pages (kept live on the dashboard).
    summary: dict[str, str] = {}
    welcome_html: str = ""
    recent_calls: list[dict[str, str]] = []
    balance_negative: bool = False
    _version: str = ""  # the balance version the figures were read at

    async def _token(self) -> str:
        return (await self.get_state(SessionState)).client_token

    async def _open(self, fill: Fill | None = None, *, summary: bool = False, brand: bool = True) -> OpenPage | None:
        """Read a page (portal, session, view, `fill`'s data) in one transaction and show the common parts."""
        rid = page_rid(self)
        if summary:
            inner = fill

            def fill(actor: Actor, view: client_portal.PortalView) -> dict:
                return {"summary": summary_data(actor), **(inner(actor, view) if inner else {})}

        lang = await self.get_state(I18nState)

        def speak(theme: dict[str, str] | None, stored: str) -> str:
            return lang.settle(theme, stored) if theme is not None else lang.lang

        page = read(_open_page, await self._token(), rid, fill, brand, speak)
        if page is None:
            return None
        if summary:
            self._apply_summary(page.extra.pop("summary"))
        self._apply_common(page)
        return page

    def _apply_common(self, page: OpenPage) -> None:
        if page.brand is not None and self.brand != page.brand:
            self.brand = page.brand
        self.impersonated = page.actor.impersonated_by is not None
        self.simple_view = page.view.simple
        self.services_hidden = not page.view.services_page
        self.show_calls = "cdr" in page.view.services
        self.show_balance = "balance" in page.view.services
        self.show_phone_system = bool(callflow_objects.kinds_shown(page.view))
        self.show_call_flows = page.view.services_page and "dids" in page.view.services
        self.show_messages = "messages" in page.view.services
        self.show_security = page.security.get("available", False)
        self.page_refused = False

    @rx.event
    @signed_in
    async def choose_language(self, actor: Actor, code: str) -> Answer:
        """The client picked a language in the portal's menu: store it and show the page again in it."""
        try:
            client_portal.set_language(actor, str(code)[:16])
        except ServiceError:
            return None  # not one of the portal's languages: nothing changes
        (await self.get_state(I18nState)).pick(code)
        # Open the page again (its load reads every figure and date in the new language); the query makes it a new
        # address, so the router loads it rather than keep the page as it is.
        return rx.redirect(f"{self.router.url.path}?lang={code}", replace=True)

    def _apply_summary(self, data: dict) -> None:
        self.welcome_html = data.pop("welcome_html")
        self.recent_calls = data.pop("calls")
        self.balance_negative = bool(data.pop("balance_negative"))
        self.impersonated = bool(data.pop("impersonated"))
        data.pop("view_setting")
        self._version = data.pop("version")
        self.summary = {k: str(v) for k, v in data.items()}
