"""The reseller's API & carrier settings page: API switch, API password, IP allow-list and the carrier."""

from __future__ import annotations

import asyncio

import reflex as rx

from reseller_app.services.api import access as api_access
from reseller_app.services.common.errors import Forbidden, ValidationFailed
from reseller_app.state.session import ResellerPage


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

    async def _run(self, fn, *args: object, notice: str) -> None:  # noqa: ANN001
        self.errors = {}
        self.notice = ""
        actor = await self._actor()
        if actor is None:
            return
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
    async def load(self) -> None:
        """Read the settings when the page opens."""
        self.errors = {}
        self.notice = ""
        actor = await self._actor()
        if actor is not None:
            self._show(await asyncio.to_thread(api_access.get_settings, actor))

    @rx.event
    def set_carrier_kind(self, value: str) -> None:
        """Pick the carrier in the form (saved with the carrier form)."""
        self.carrier_kind = value if value in api_access.CARRIER_KINDS else "sandbox"

    @rx.event
    async def save_access(self, form: dict) -> None:
        """Save the API switch and the IP allow-list."""
        enabled = str(form.get("enabled", "")).lower() in ("on", "true", "1")
        await self._run(api_access.set_access, enabled, str(form.get("ip_allowlist", "")), notice="API access saved.")

    @rx.event
    async def save_password(self, form: dict) -> None:
        """Set a new API password."""
        await self._run(
            api_access.set_password,
            str(form.get("api_password", "")),
            str(form.get("api_password_confirm", "")),
            notice="API password saved.",
        )

    @rx.event
    async def save_carrier(self, form: dict) -> None:
        """Save the carrier choice and, for VoIP.ms, its API login."""
        await self._run(
            api_access.set_carrier,
            self.carrier_kind,
            str(form.get("carrier_username", "")),
            str(form.get("carrier_password", "")),
            notice="Carrier saved.",
        )
