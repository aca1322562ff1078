"""The reseller's Staff page (the owner invites, changes roles, disables, removes) and the invitation page."""

from __future__ import annotations

import asyncio

import reflex as rx

from reseller_app.services.access.actor import Actor
from reseller_app.services.common.errors import ServiceError, ValidationFailed
from reseller_app.services.staff import members
from reseller_app.state.messages import error_text, field_errors
from reseller_app.state.session import Answer, ResellerPage, signed_in


class StaffState(ResellerPage, rx.State):
    """The staff list; the service refuses every change to a role other than the owner's."""

    rows: list[dict[str, str]] = []
    errors: dict[str, str] = {}
    notice: str = ""
    require_2fa: bool = False

    def _reload(self, actor: Actor) -> None:
        self.rows = members.list_staff(actor)
        self.require_2fa = members.two_factor_required(actor)

    @rx.event
    @signed_in
    async def load(self, actor: Actor) -> Answer:
        """Open the page: the reseller's staff."""
        self.errors, self.notice = {}, ""
        self._reload(actor)
        return None

    @rx.event
    @signed_in
    async def invite(self, actor: Actor, form: dict) -> Answer:
        """Send an invitation by email."""
        self.errors, self.notice = {}, ""
        try:
            members.invite(actor, str(form.get("email", "")), str(form.get("role", "")), str(form.get("name", "")))
        except ServiceError as e:
            self.errors = field_errors(e, "form")
            return None
        self.notice = "Invitation sent: the link works once, for 72 hours."
        self._reload(actor)
        return None

    @rx.event
    @signed_in
    async def change_role(self, actor: Actor, staff_id: str, role: str) -> Answer:
        """Give a staff member another role."""
        return self._do(actor, lambda: members.change_role(actor, staff_id, role), "Role changed.")

    @rx.event
    @signed_in
    async def disable(self, actor: Actor, staff_id: str) -> Answer:
        """Disable a staff member: their sessions end at once."""
        return self._do(actor, lambda: members.set_enabled(actor, staff_id, False), "Disabled; signed out.")

    @rx.event
    @signed_in
    async def enable(self, actor: Actor, staff_id: str) -> Answer:
        """Let a disabled staff member sign in again."""
        return self._do(actor, lambda: members.set_enabled(actor, staff_id, True), "Enabled.")

    @rx.event
    @signed_in
    async def remove(self, actor: Actor, staff_id: str) -> Answer:
        """Remove a staff member."""
        return self._do(actor, lambda: members.remove(actor, staff_id), "Removed.")

    @rx.event
    @signed_in
    async def set_require_2fa(self, actor: Actor, on: bool) -> Answer:
        """Require (or not) two-factor sign-in for all staff."""
        return self._do(actor, lambda: members.require_two_factor(actor, bool(on)), "Saved.")

    def _do(self, actor: Actor, change, done: str) -> None:  # noqa: ANN001 - a callable
        self.errors, self.notice = {}, ""
        try:
            change()
        except ServiceError as e:
            self.errors = field_errors(e, "form")
            return
        self.notice = done
        self._reload(actor)


class InviteState(rx.State):
    """The invitation page (no session): the invitee chooses a password."""

    found: bool = False
    email: str = ""
    role: str = ""
    company: str = ""
    errors: dict[str, str] = {}
    error: str = ""
    done: bool = False

    def _token(self) -> str:
        return str(self.router.url.query_parameters.get("token", ""))[:200]

    @rx.event
    def load(self) -> None:
        """Open the page: who is invited, or that the link no longer works."""
        self.errors, self.error, self.done = {}, "", False
        info = members.invitation(self._token())
        self.found = info is not None
        self.email, self.role, self.company = (info["email"], info["role"], info["company"]) if info else ("", "", "")

    @rx.event
    async def accept(self, form: dict) -> None:
        """Set the password with the link (once)."""
        self.errors, self.error = {}, ""
        try:
            await asyncio.to_thread(
                members.accept,
                self._token(),
                str(form.get("password", "")),
                str(form.get("confirm", "")),
                self.router.session.client_ip,
            )
        except ValidationFailed as e:
            self.errors = dict(e.errors)
            self.error = self.errors.pop("form", "")
            return
        except ServiceError as e:
            self.error = error_text(e)
            return
        self.done = True
        self.found = False
