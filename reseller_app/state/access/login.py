"""The two login forms: the reseller's and each reseller's white-label client login."""

from __future__ import annotations

import asyncio
import contextlib

import reflex as rx

from reseller_app import i18n, routes
from reseller_app.services.access import auth, two_factor
from reseller_app.services.common.errors import AuthFailed, ServiceError
from reseller_app.services.portal import account as client_portal
from reseller_app.services.settings import branding as portal
from reseller_app.state.i18n import I18nState, tab_language
from reseller_app.state.session import SessionState, page_rid, route_param


class LoginState(rx.State):
    """Form errors and the portal's public branding for the login pages."""

    error: str = ""
    brand: dict[str, str] = portal.default_branding()
    portal_found: bool = True
    loading: bool = False
    need_code: bool = False  # the password was right; this login asks for its two-factor code

    @rx.event
    async def clear(self) -> None:
        """Reset the form message when the reseller's login page opens (in English)."""
        self.error = ""
        self.need_code = False
        self.loading = False
        (await self.get_state(I18nState)).english()

    @rx.event
    async def reseller_login(self, form: dict):  # noqa: ANN201
        """Check the reseller's credentials and open a session."""
        self.error = ""
        try:
            token = await asyncio.to_thread(
                auth.login_reseller,
                str(form.get("email", "")),
                str(form.get("password", "")),
                self.router.session.client_ip,
                str(form.get("code", "") or "")[:40] or None,
            )
        except two_factor.CodeNeeded as e:
            self.need_code, self.error = True, str(e)
            return None
        except AuthFailed as e:
            self.error = str(e)
            return None
        self.need_code = False
        session = await self.get_state(SessionState)
        session.reseller_token = token
        return rx.redirect(routes.RESELLER_HOME)

    @rx.event
    async def load_portal(self):  # noqa: ANN201
        """Load the reseller's published branding for its client login page; a client already in goes on."""
        self.error = ""
        rid = page_rid(self)
        brand = portal.public_branding(rid) if rid is not None else None
        self.portal_found = brand is not None
        self.brand = brand or portal.default_branding()
        self.need_code = False
        (await self.get_state(I18nState)).settle(brand)
        session = await self.get_state(SessionState)
        # After a refused auto-connect (?e=...) the page shows why, whatever session the browser has.
        refused = route_param(self, "e") != ""
        if brand is not None and not refused and session._client(rid) is not None:
            return rx.redirect(routes.client_path(rid, "dashboard"))
        return None

    @rx.event
    async def client_login(self, form: dict):  # noqa: ANN201
        """Log a client in through this reseller's portal only."""
        self.error = ""
        rid = page_rid(self)
        lang = await tab_language(self)
        if rid is None:
            with i18n.use_language(lang):
                self.error = i18n.gettext(auth.PORTAL_OFF)
            return None
        try:
            with i18n.use_language(lang):
                token = await asyncio.to_thread(
                    auth.login_client,
                    rid,
                    str(form.get("email", "")),
                    str(form.get("password", "")),
                    self.router.session.client_ip,
                    str(form.get("code", "") or "")[:40] or None,
                )
        except two_factor.CodeNeeded as e:
            self.need_code, self.error = True, str(e)
            return None
        except AuthFailed as e:
            self.error = str(e)
            return None
        self.need_code = False
        session = await self.get_state(SessionState)
        session.client_token = token
        chosen = (await self.get_state(I18nState)).chosen
        actor = session._client(rid) if chosen else None
        if actor is not None and actor.impersonated_by is None:
            # A language picked on this login page is the client's choice: kept for their next visits.
            with contextlib.suppress(ServiceError):
                await asyncio.to_thread(client_portal.set_language, actor, chosen)
        return rx.redirect(routes.client_path(rid, "dashboard"))
