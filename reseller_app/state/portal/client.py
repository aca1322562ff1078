"""The client's themed portal: brand, dashboard (with live balance), balance, call history, services, reset."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import reflex as rx

from reseller_app import routes
from reseller_app.services.access import auth, password_reset
from reseller_app.services.access.actor import Actor
from reseller_app.services.common import lookup
from reseller_app.services.common.errors import Forbidden, NotFound, ServiceError, ValidationFailed
from reseller_app.services.portal import account as client_portal
from reseller_app.services.portal import self_service as client_services
from reseller_app.services.reporting import overview
from reseller_app.services.settings import branding as portal
from reseller_app.state.session import ClientPage, SessionState, page_rid

CALL_TYPES = [("answered", "Answered"), ("busy", "Busy"), ("failed", "Failed"), ("noanswer", "No answer")]
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


def _summary_data(actor: Actor) -> dict:
    """The dashboard figures and the version they were read at (version first, so a change is never missed)."""
    version = client_portal.balance_version(actor)
    data = overview.client_summary(actor)
    data["version"] = version
    return data


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
    return (fresh, _summary_data(fresh)) if fresh is not None else (None, {})


async def _watch(state: ClientState, tab: str, login: str, rid: int | None) -> None:
    """The live-balance loop of one tab (`state` is the background task's proxy of its ClientState)."""
    actor: Actor | None = None
    for n in range(LIVE_MAX_POLLS):
        await asyncio.sleep(LIVE_INTERVAL)
        if not _tab_open(tab):
            return
        async with state:
            if not str(state.rx_router_page.path).endswith("/dashboard"):
                return  # the tab left the dashboard
            known, gen = state._version, state._watch_gen
            token = await state._token()
        if n % SESSION_RECHECK == 0 or token != login:
            actor, login = None, token  # look at the session again (a logout elsewhere ends the watch)
        try:
            # On the loop, outside the state lock: one short indexed query per look. (In a worker thread each
            # answer waited for the GIL behind the loop's work, which slowed every tab's events under load.)
            actor, data = _read(_look, login, rid, actor, known)
        except ServiceError:
            return
        if actor is None:
            return  # logged out, or the session ended
        if data:
            async with state:
                if gen == state._watch_gen:
                    state._apply_summary(data)


@dataclass
class _Page:
    """What a client page shows, read in one go: the portal, the visitor, its view, and the page's own data."""

    actor: Actor
    brand: dict[str, str] | None
    view: client_portal.PortalView
    extra: dict = field(default_factory=dict)


Fill = Callable[[Actor, client_portal.PortalView], dict]


def _open_page(token: str, rid: int | None, fill: Fill | None, brand: bool) -> _Page | None:
    """The published portal of `rid` and the client logged in to it, or None; `fill` reads the page's own data.

    Without `brand` (a next page of a list already shown) the portal is not read again.
    """
    theme = portal.public_branding(rid) if brand and rid is not None else None
    actor = auth.resolve(token, "client", rid) if rid is not None and (theme is not None or not brand) else None
    if actor is None:
        return None
    view = client_portal.portal_view(actor)
    return _Page(actor, theme, view, extra=fill(actor, view) if fill is not None else {})


def _read(fn: Callable[..., Any], *args: Any) -> Any:  # noqa: ANN401 - whatever fn returns
    """Run a page's reads in one read-only transaction (one connection, one snapshot).

    On the event loop, not in a thread: a page is a few short indexed queries (~5 ms), and worker threads made it
    slower under load, each query's answer waiting for the GIL behind the loop's work.
    """
    return lookup.read_only(fn, *args)


class ClientState(ClientPage, rx.State):
    """The logged-in client's brand, summary and page data (one page of any list)."""

    brand: dict[str, str] = portal.default_branding()
    summary: dict[str, str] = {}
    welcome_html: str = ""
    calls: list[dict[str, str]] = []
    balance_negative: bool = False
    impersonated: bool = False
    simple_view: bool = False
    services_hidden: bool = False
    show_calls: bool = True
    show_balance: bool = True
    page_refused: bool = False
    transactions: list[dict[str, str]] = []
    tx_page: int = 1
    tx_pages: int = 1
    call_rows: list[dict[str, str]] = []
    call_page: int = 1
    call_pages: int = 1
    call_total: str = "0"
    # Call-history filters (as typed; checked by the service).
    f_from: str = ""
    f_to: str = ""
    f_types: list[str] = []
    f_sub: str = "all"
    sub_choices: list[dict[str, str]] = []
    call_error: str = ""
    # Live balance (backend only).
    _version: str = ""
    _watch_gen: int = 0

    async def _token(self) -> str:
        return (await self.get_state(SessionState)).client_token

    async def _open(self, fill: Fill | None = None, *, summary: bool = False, brand: bool = True) -> _Page | None:
        """Read a page (portal, session, view, `fill`'s data) in one transaction and show the common parts."""
        rid = page_rid(self)
        if summary:
            inner = fill

            def fill(actor: Actor, view: client_portal.PortalView) -> dict:
                return {"summary": _summary_data(actor), **(inner(actor, view) if inner else {})}

        page = _read(_open_page, await self._token(), rid, fill, brand)
        if page is None:
            return None
        if summary:
            self._apply_summary(page.extra.pop("summary"))
        self._apply_common(page)
        return page

    def _apply_common(self, page: _Page) -> None:
        if page.brand is not None and self.brand != page.brand:
            self.brand = page.brand
        self.impersonated = page.actor.impersonated_by is not None
        self.simple_view = page.view.simple
        self.services_hidden = not page.view.services_page
        self.show_calls = "cdr" in page.view.services
        self.show_balance = "balance" in page.view.services
        self.page_refused = False

    async def _load_common(self) -> Actor | None:
        """Show the portal's common parts (brand, menu) for the logged-in client; None when there is none."""
        page = await self._open()
        return page.actor if page is not None else None

    def _apply_summary(self, data: dict) -> None:
        self.welcome_html = data.pop("welcome_html")
        self.calls = data.pop("calls")
        self.balance_negative = bool(data.pop("balance_negative"))
        self.impersonated = bool(data.pop("impersonated"))
        data.pop("view_setting")
        self._version = data.pop("version")
        self.summary = {k: str(v) for k, v in data.items()}

    def _to_login(self) -> rx.event.EventSpec:
        return rx.redirect(routes.client_path(page_rid(self) or 0, "login"))

    @rx.event
    async def load_dashboard(self):  # noqa: ANN201
        """Dashboard: welcome text, balance, spending and recent calls; then watch the balance."""
        if await self._open(summary=True) is None:
            return self._to_login()
        self._watch_gen += 1
        return ClientState.watch_balance

    @rx.event(background=True)
    async def watch_balance(self):  # noqa: ANN201
        """While the dashboard is open, show a new balance as soon as a call is rated or a payment is posted."""
        async with self:
            tab = self.router.session.client_token
            login, rid = await self._token(), page_rid(self)
        if not _claim_watch(tab):
            return  # this tab is already watched: a second start is a no-op
        try:
            await _watch(self, tab, login, rid)
        finally:
            _release_watch(tab)

    @rx.event
    async def load_balance(self):  # noqa: ANN201
        """Balance page: the balance and a page of the transaction history."""

        def fill(actor: Actor, view: client_portal.PortalView) -> dict:
            return {"tx": client_portal.transactions(actor, page=1)} if "balance" in view.services else {}

        page = await self._open(fill, summary=True)
        if page is None:
            return self._to_login()
        if not self.show_balance:
            self.page_refused = True
            return None
        self.tx_page = 1
        self._show_transactions(page.extra["tx"])
        return None

    def _show_transactions(self, page: dict) -> None:
        self.transactions = page["items"]
        self.tx_pages = page["pages"]

    @rx.event
    async def tx_next(self, delta: int):  # noqa: ANN201
        """Move through the transaction history."""
        want = max(1, min(self.tx_pages, self.tx_page + int(delta)))
        page = await self._open(lambda actor, _view: {"tx": client_portal.transactions(actor, page=want)}, brand=False)
        if page is None:
            return self._to_login()
        self.tx_page = want
        self._show_transactions(page.extra["tx"])
        return None

    # --- Call history ---------------------------------------------------------------------------------------

    def _calls_reader(self, page: int, *, subs: bool = False) -> Fill:
        """The reads of a page of calls with the current filters; field errors and refusals are kept, not raised."""
        filters = {
            "date_from": self.f_from,
            "date_to": self.f_to,
            "types": list(self.f_types),
            "sub_account_id": self.f_sub,
        }

        def fill(actor: Actor, view: client_portal.PortalView) -> dict:
            if "cdr" not in view.services:
                return {}
            out: dict = {"subs": client_portal.subaccount_choices(actor)} if subs else {}
            if view.simple:
                filters["types"] = []
            try:
                out["calls"] = client_portal.calls(actor, page=page, **filters)
            except ValidationFailed as e:
                out["error"] = " ".join(e.errors.values())
            except (NotFound, Forbidden) as e:
                out["error"] = str(e)
            return out

        return fill

    def _show_calls(self, extra: dict) -> None:
        self.call_error = extra.get("error", "")
        if "calls" in extra:
            page = extra["calls"]
            self.call_rows = page["items"]
            self.call_page = page["page"]
            self.call_pages = page["pages"]
            self.call_total = page["total"]

    @rx.event
    async def load_calls(self):  # noqa: ANN201
        """Call history page: the filters reset and the first page of calls."""
        self.f_from, self.f_to, self.f_types, self.f_sub = "", "", [], "all"
        page = await self._open(self._calls_reader(1, subs=True))
        if page is None:
            return self._to_login()
        if not self.show_calls:
            self.page_refused = True
            return None
        self.call_page = 1
        self.sub_choices = page.extra["subs"]
        self._show_calls(page.extra)
        return None

    @rx.event
    async def calls_next(self, delta: int):  # noqa: ANN201
        """Move through the call history."""
        want = max(1, min(self.call_pages, self.call_page + int(delta)))
        page = await self._open(self._calls_reader(want), brand=False)
        if page is None:
            return self._to_login()
        self._show_calls(page.extra)
        return None

    @rx.event
    def set_from(self, value: str) -> None:
        """The first day of the call-history range."""
        self.f_from = str(value)[:10]

    @rx.event
    def set_to(self, value: str) -> None:
        """The last day of the call-history range."""
        self.f_to = str(value)[:10]

    @rx.event
    def set_sub(self, value: str) -> None:
        """One sub-account, or all."""
        self.f_sub = str(value)[:12]

    @rx.event
    def toggle_type(self, kind: str, on: bool) -> None:
        """Tick or untick a call type."""
        kinds = [k for k in self.f_types if k != kind]
        if on and kind in dict(CALL_TYPES):
            kinds.append(kind)
        self.f_types = sorted(kinds)

    @rx.event
    async def apply_filters(self):  # noqa: ANN201
        """Show the first page of calls for the chosen filters."""
        page = await self._open(self._calls_reader(1), brand=False)
        if page is None:
            return self._to_login()
        self.call_page = 1
        self._show_calls(page.extra)
        return None

    @rx.var
    def export_url(self) -> str:
        """The CSV download of the calls for the chosen filters."""
        query = {"date_from": self.f_from, "date_to": self.f_to, "sub": "" if self.f_sub == "all" else self.f_sub}
        if not self.simple_view:
            query["types"] = ",".join(self.f_types)
        return f"/api/client/{page_rid(self) or 0}/calls.csv?{urlencode(query)}"


class ServicesState(ClientPage, rx.State):
    """The Services page: lists, buying a number, e911, voicemail, forwarding, fax history, sub-account edits."""

    data: dict[str, str] = {}
    subaccounts: list[dict[str, str]] = []
    dids: list[dict[str, str]] = []
    faxes: list[dict[str, str]] = []
    e911: list[dict[str, str]] = []
    voicemails: list[dict[str, str]] = []
    forwardings: list[dict[str, str]] = []
    services: list[str] = []
    show_sip_password: bool = False
    did_purchase: bool = False
    suspended: bool = False
    offers: list[dict[str, str]] = []
    buy_number: str = ""
    buy_sub: str = ""
    message: str = ""
    errors: dict[str, str] = {}
    fax_rows: list[dict[str, str]] = []
    fax_page: int = 1
    fax_pages: int = 1
    edit_sub: str = ""
    edit_fields: list[str] = []
    edit_values: dict[str, str] = {}
    e911_did: str = ""

    def _refresh(self, actor: Actor) -> None:
        d = client_services.overview(actor)
        for key in ("subaccounts", "dids", "faxes", "e911", "voicemails", "forwardings", "services"):
            setattr(self, key, d[key])
        self.show_sip_password = d["show_sip_password"]
        self.did_purchase = d["did_purchase"]
        self.suspended = d["suspended"]
        self.data = {k: d[k] for k in ("did_setup", "did_monthly", "e911_setup", "e911_monthly")}
        self.offers = client_services.available_numbers(actor) if self.did_purchase and not self.suspended else []
        if "fax" in self.services:
            page = client_services.fax_history(actor, self.fax_page)
            self.fax_rows, self.fax_page, self.fax_pages = page["items"], page["page"], page["pages"]

    async def _run(self, fn, *args, ok: str = ""):  # noqa: ANN001, ANN202
        """Call a service for the logged-in client; field errors and refusals become messages."""
        actor = await self._actor()
        if actor is None:
            return rx.redirect(routes.client_path(page_rid(self) or 0, "login"))
        self.errors, self.message = {}, ""
        try:
            await asyncio.to_thread(fn, actor, *args)
        except ValidationFailed as e:
            self.errors = dict(e.errors)
            return None
        except ServiceError as e:
            self.errors = {"form": str(e)}
            return None
        self.message = ok
        self._refresh(actor)
        return None

    @rx.event
    async def load(self):  # noqa: ANN201
        """Open the Services page; in "Simple view (hide services page)" it does not exist."""
        common = await self.get_state(ClientState)
        actor = await common._load_common()
        if actor is None:
            return rx.redirect(routes.client_path(page_rid(self) or 0, "login"))
        self.errors, self.message, self.edit_sub, self.e911_did, self.fax_page = {}, "", "", "", 1
        if common.services_hidden:
            common.page_refused = True
            return rx.redirect(routes.client_path(page_rid(self) or 0, "dashboard"))
        self._refresh(actor)
        self.buy_number = self.offers[0]["number"] if self.offers else ""
        return None

    @rx.event
    def set_buy_number(self, value: str) -> None:
        """The number chosen in the list."""
        self.buy_number = str(value)[:20]

    @rx.event
    def set_buy_sub(self, value: str) -> None:
        """The sub-account the new number rings."""
        self.buy_sub = "" if value == "none" else str(value)[:12]

    @rx.event
    async def buy(self):  # noqa: ANN201
        """Buy the chosen number; its setup fee is taken from the balance."""
        return await self._run(
            client_services.buy_did,
            self.buy_number,
            self.buy_sub or None,
            ok=f"Number {self.buy_number} is yours. Setup fee: {self.data.get('did_setup', '')}.",
        )

    @rx.event
    def open_e911(self, did_id: str) -> None:
        """Show the e911 form for one number."""
        self.e911_did = str(did_id)
        self.errors = {}

    @rx.event
    def close_forms(self) -> None:
        """Hide the open form."""
        self.e911_did, self.edit_sub, self.errors = "", "", {}

    @rx.event
    async def add_e911(self, form: dict):  # noqa: ANN201
        """Create the e911 record of the chosen number."""
        result = await self._run(client_services.add_e911, self.e911_did, form, ok="e911 record saved.")
        if not self.errors:
            self.e911_did = ""
        return result

    @rx.event
    async def remove_e911(self, record_id: str):  # noqa: ANN201
        """Remove an e911 record."""
        return await self._run(client_services.remove_e911, record_id, ok="e911 record removed.")

    @rx.event
    async def add_voicemail(self, form: dict):  # noqa: ANN201
        """Create a voicemail box."""
        return await self._run(client_services.add_voicemail, form, ok="Voicemail created.")

    @rx.event
    async def delete_voicemail(self, voicemail_id: str):  # noqa: ANN201
        """Delete a voicemail box."""
        return await self._run(client_services.delete_voicemail, voicemail_id, ok="Voicemail deleted.")

    @rx.event
    async def add_forwarding(self, form: dict):  # noqa: ANN201
        """Create a call forwarding."""
        return await self._run(client_services.add_forwarding, form, ok="Call forwarding created.")

    @rx.event
    async def delete_forwarding(self, forwarding_id: str):  # noqa: ANN201
        """Delete a call forwarding."""
        return await self._run(client_services.delete_forwarding, forwarding_id, ok="Call forwarding deleted.")

    @rx.event
    def open_edit(self, sub_id: str) -> None:
        """Show the edit form of one sub-account with the fields its package lets the client change."""
        row = next((s for s in self.subaccounts if s["id"] == str(sub_id)), None)
        if row is None:
            return
        self.edit_sub = row["id"]
        self.edit_fields = [f for f in row["editable"].split(",") if f]
        self.edit_values = {f: row.get(f, "") for f in self.edit_fields}
        self.errors = {}

    @rx.event
    async def save_edit(self, form: dict):  # noqa: ANN201
        """Save the sub-account's editable fields (only those the package allows are accepted)."""
        changes = {k: str(v) for k, v in form.items() if k in self.edit_fields}
        result = await self._run(client_services.update_subaccount, self.edit_sub, changes, ok="Sub-account saved.")
        if not self.errors:
            self.edit_sub = ""
        return result

    @rx.event
    async def fax_next(self, delta: int):  # noqa: ANN201
        """Move through the fax history."""
        actor = await self._actor()
        if actor is None:
            return rx.redirect(routes.client_path(page_rid(self) or 0, "login"))
        self.fax_page = max(1, min(self.fax_pages, self.fax_page + int(delta)))
        page = client_services.fax_history(actor, self.fax_page)
        self.fax_rows, self.fax_pages = page["items"], page["pages"]
        return None


class ResetState(rx.State):
    """The "Forgot your password?" and "Choose a new password" pages of a reseller's portal."""

    brand: dict[str, str] = portal.default_branding()
    available: bool = True
    sent: str = ""
    error: str = ""
    errors: dict[str, str] = {}
    link_ok: bool = False
    done: bool = False

    def _token(self) -> str:
        return str(self.router.url.query_parameters.get("token", ""))[:200]

    def _load_brand(self) -> int | None:
        rid = page_rid(self)
        brand = portal.public_branding(rid) if rid is not None else None
        self.brand = brand or portal.default_branding()
        self.available = brand is not None and password_reset.reset_allowed(rid)
        self.sent, self.error, self.errors, self.done = "", "", {}, False
        return rid if self.available else None

    @rx.event
    def load_forgot(self) -> None:
        """Open the forgot-password page in the reseller's brand."""
        self._load_brand()

    @rx.event
    def load_reset(self) -> None:
        """Open the reset page: say at once when the link is no longer valid."""
        rid = self._load_brand()
        self.link_ok = rid is not None and password_reset.token_valid(rid, self._token())

    @rx.event
    async def request(self, form: dict) -> None:
        """Send the reset link (the same answer whether or not the address has an account)."""
        rid = page_rid(self)
        self.error, self.sent = "", ""
        if rid is None:
            return
        try:
            self.sent = await asyncio.to_thread(
                password_reset.request_reset, rid, str(form.get("email", "")), self.router.session.client_ip
            )
        except ValidationFailed as e:
            self.error = " ".join(e.errors.values())
        except ServiceError as e:
            self.error = str(e)

    @rx.event
    async def change_password(self, form: dict) -> None:
        """Set the new password with the emailed link."""
        rid = page_rid(self)
        self.errors = {}
        if rid is None:
            return
        try:
            await asyncio.to_thread(
                password_reset.complete_reset,
                rid,
                self._token(),
                str(form.get("password", "")),
                str(form.get("confirm", "")),
            )
        except ValidationFailed as e:
            self.errors = dict(e.errors)
            if "token" in e.errors:
                self.link_ok = False
            return
        except ServiceError as e:
            self.errors = {"token": str(e)}
            self.link_ok = False
            return
        self.done = True
