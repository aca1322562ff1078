"""The reseller's API & carrier settings page: API switch, API password, IP allow-list and the carrier."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import reflex as rx

from reseller_app.services.access.actor import Actor
from reseller_app.services.api import access as api_access
from reseller_app.services.common.errors import Forbidden, ValidationFailed
from reseller_app.state.session import Answer, ResellerPage, signed_in


class ApiSettingsState(ResellerPage, rx.State):
    """What the page shows; never a password, only whether one is set."""

    enabled: bool = False
    has_password: bool = False
    ip_allowlist: str = ""
    api_username: str = ""
    carrier_kind: str = "sandbox"
    carrier_username: str = ""
    has_carrier_secret: bool = False
    errors: dict[str, str] = {}
    notice: str = ""

    def _show(self, data: api_access.ApiSettings) -> None:
        self.enabled = data.enabled
        self.has_password = data.has_password
        self.ip_allowlist = data.ip_allowlist
        self.api_username = data.api_username
        self.carrier_kind = data.carrier_kind
        self.carrier_username = data.carrier_username
        self.has_carrier_secret = data.has_carrier_secret

    async def _run(self, actor: Actor, fn: Callable[..., object], *args: object, notice: str) -> None:
        self.errors = {}
        self.notice = ""
        try:
            await asyncio.to_thread(fn, actor, *args)
        except ValidationFailed as e:
            self.errors = dict(e.errors)
            return
        except Forbidden:
            return
        self.notice = notice
        self._show(await asyncio.to_thread(api_access.get_settings, actor))

    @rx.event
    @signed_in
    async def load(self, actor: Actor) -> Answer:
        """Read the settings when the page opens."""
        self.errors = {}
        self.notice = ""
        self._show(await asyncio.to_thread(api_access.get_settings, actor))
        return None

    @rx.event
    def set_carrier_kind(self, value: str) -> None:
        """Pick the carrier in the form (saved with the carrier form)."""
        self.carrier_kind = value if value in api_access.CARRIER_KINDS else "sandbox"

    @rx.event
    @signed_in
    async def save_access(self, actor: Actor, form: dict) -> Answer:
        """Save the API switch and the IP allow-list."""
        enabled = str(form.get("enabled", "")).lower() in ("on", "true", "1")
        ip_allowlist = str(form.get("ip_allowlist", ""))
        await self._run(actor, api_access.set_access, enabled, ip_allowlist, notice="API access saved.")
        return None

    @rx.event
    @signed_in
    async def save_password(self, actor: Actor, form: dict) -> Answer:
        """Set a new API password."""
        await self._run(
            actor,
            api_access.set_password,
            str(form.get("api_password", "")),
            str(form.get("api_password_confirm", "")),
            notice="API password saved.",
        )
        return None

    @rx.event
    @signed_in
    async def save_carrier(self, actor: Actor, form: dict) -> Answer:
        """Save the carrier choice and, for VoIP.ms, its API login."""
        await self._run(
            actor,
            api_access.set_carrier,
            self.carrier_kind,
            str(form.get("carrier_username", "")),
            str(form.get("carrier_password", "")),
            notice="Carrier saved.",
        )
        return None
