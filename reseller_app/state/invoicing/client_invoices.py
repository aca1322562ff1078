"""The client portal's Invoices page: the client's invoices and credit notes, and its statement of account."""

from __future__ import annotations

import reflex as rx

from reseller_app.services.access.actor import Actor
from reseller_app.services.common.errors import ServiceError, ValidationFailed
from reseller_app.services.invoicing import queries
from reseller_app.services.portal import account as client_portal
from reseller_app.state.messages import error_text
from reseller_app.state.portal.shell import PortalState
from reseller_app.state.session import Answer, ClientPage, page_rid


class ClientInvoicesState(ClientPage, rx.State):
    """The client's invoices (with links to their PDF and HTML) and a statement for a period."""

    invoices: list[dict[str, str]] = []
    statement: dict[str, str] = {}
    statement_rows: list[dict[str, str]] = []
    st_from: str = ""
    st_to: str = ""
    st_error: str = ""

    def _show_statement(self, data: dict) -> None:
        self.statement_rows = data.pop("items")
        self.statement = {k: str(v) for k, v in data.items()}
        self.st_from, self.st_to = self.statement["date_from"], self.statement["date_to"]

    @rx.var
    def base(self) -> str:
        """Where this portal's invoice files are."""
        return f"/api/client/{page_rid(self) or 0}/invoices/"

    @rx.event
    async def load(self) -> Answer:
        """The page: the invoices and this month's statement."""

        def fill(actor: Actor, _view: client_portal.PortalView) -> dict:
            return {"invoices": queries.client_invoices(actor), "statement": queries.statement(actor, None, "", "")}

        portal = await self.get_state(PortalState)
        opened = await portal._open(fill)
        if opened is None:
            return self._to_login()
        self.invoices = opened.extra["invoices"]
        self._show_statement(opened.extra["statement"])
        self.st_error = ""
        return None

    @rx.event
    def set_st_from(self, value: str) -> None:
        """The statement's first day (typed)."""
        self.st_from = str(value)[:10]

    @rx.event
    def set_st_to(self, value: str) -> None:
        """The statement's last day (typed)."""
        self.st_to = str(value)[:10]

    @rx.event
    async def show_statement(self) -> Answer:
        """The statement for the chosen days."""
        portal = await self.get_state(PortalState)
        want_from, want_to = self.st_from, self.st_to
        try:
            opened = await portal._open(
                lambda actor, _view: {"statement": queries.statement(actor, None, want_from, want_to)}, brand=False
            )
        except ValidationFailed as e:
            self.st_error = error_text(e)
            return None
        except ServiceError as e:
            self.st_error = str(e)
            return None
        if opened is None:
            return self._to_login()
        self.st_error = ""
        self._show_statement(opened.extra["statement"])
        return None
