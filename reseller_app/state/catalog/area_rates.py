"""The wizard's "Edit rates (per area)" tab: one page of the open package's area rates, add, remove, CSV."""

from __future__ import annotations

import reflex as rx

from reseller_app.services.access.actor import Actor
from reseller_app.services.catalog import area_rates, fields
from reseller_app.services.common.errors import ServiceError
from reseller_app.state.catalog.package_draft import PackageDraftState
from reseller_app.state.messages import error_text, field_errors
from reseller_app.state.session import Answer, ResellerPage, signed_in, turn_page


class AreaRatesTab(ResellerPage, rx.State):
    """A page of area rates (searched in SQL), the add form and the CSV import's outcome."""

    rows: list[dict[str, str]] = []
    search: str = ""
    page: int = 1
    pages: int = 1
    total: str = "0"
    kind: str = "country"
    target: str = ""
    rate: str = ""
    errors: dict[str, str] = {}
    error: str = ""
    import_message: str = ""
    import_error: str = ""

    @rx.var
    def count_label(self) -> str:
        """How many rates match, in words ("1 rate", "12 rates")."""
        return f"{self.total} rate" if self.total == "1" else f"{self.total} rates"

    def _show_package(self, actor: Actor, draft: PackageDraftState) -> None:
        """A package was opened: its first page of rates, an empty form."""
        self.search, self.page, self.target, self.rate = "", 1, "", ""
        self.errors, self.import_message, self.import_error = {}, "", ""
        self._refresh(actor, draft)

    def _refresh(self, actor: Actor, draft: PackageDraftState, *, keep_import: bool = False) -> None:
        self.error = ""
        if not keep_import:  # the outcome of an import is news once: the next action on the list replaces it
            self.import_message = self.import_error = ""
        if not draft.package_id:
            self.rows, self.total, self.page, self.pages = [], "0", 1, 1  # nothing saved yet (or a hand-made event)
            return
        try:
            data = area_rates.list_area_rates(actor, draft.package_id, self.search, self.page)
        except ServiceError as e:  # the open package is gone (deleted in another tab) or was never this reseller's
            self.rows, self.total, self.page, self.pages = [], "0", 1, 1
            self.error = error_text(e)
            return
        self.rows = data["items"]
        self.total = data["total"]
        self.pages = data["pages"]
        self.page = data["page"]

    @rx.event
    @signed_in
    async def set_search(self, actor: Actor, value: str) -> Answer:
        """Search the area rates (in SQL)."""
        self.search = str(value)[:40]
        self.page = 1
        self._refresh(actor, await self.get_state(PackageDraftState))
        return None

    @rx.event
    @signed_in
    async def turn(self, actor: Actor, delta: int) -> Answer:
        """Next or previous page of area rates."""
        self.page = turn_page(self.page, self.pages, delta)
        self._refresh(actor, await self.get_state(PackageDraftState))
        return None

    @rx.event
    def set_kind(self, value: str) -> None:
        """Country or prefix."""
        self.kind = value if value in ("country", "prefix") else "country"

    @rx.event
    def set_target(self, value: str) -> None:
        """The country or prefix typed."""
        self.target = str(value)[:60]
        self.errors.pop("target", None)

    @rx.event
    def set_rate(self, value: str) -> None:
        """The rate typed."""
        self.rate = str(value)[:20]
        self.errors.pop("rate", None)

    @rx.event
    @signed_in
    async def add(self, actor: Actor) -> Answer:
        """Add a per-area rate to the open package."""
        self.import_message = self.import_error = ""
        draft = await self.get_state(PackageDraftState)
        try:
            area_rates.add_area_rate(actor, draft.package_id, self.kind, self.target, self.rate)
        except ServiceError as e:
            self.errors = field_errors(e, "target")
            return None
        self.errors = {}
        self.target = self.rate = ""
        self._refresh(actor, draft)
        return None

    @rx.event
    @signed_in
    async def delete(self, actor: Actor, area_rate_id: str) -> Answer:
        """Remove a per-area rate."""
        try:
            area_rates.delete_area_rate(actor, area_rate_id)
        except ServiceError as e:
            self.errors = {"target": error_text(e)}
        self._refresh(actor, await self.get_state(PackageDraftState))
        return None

    @rx.event
    @signed_in
    async def import_csv(self, actor: Actor, files: list[rx.UploadFile]) -> Answer:
        """Import area rates from an uploaded CSV: all rows or none, errors by line."""
        self.import_message = self.import_error = ""
        if not files:
            return None
        data = await files[0].read(fields.MAX_UPLOAD_BYTES + 1)
        draft = await self.get_state(PackageDraftState)
        try:
            n = area_rates.import_area_rates(actor, draft.package_id, data)
            self.import_message = f"Imported {n} rate." if n == 1 else f"Imported {n} rates."
        except ServiceError as e:
            self.import_error = error_text(e, "\n")
        self._refresh(actor, draft, keep_import=True)
        return None

    @rx.event
    @signed_in
    async def export_csv(self, actor: Actor) -> Answer:
        """Download the open package's area rates as CSV."""
        try:
            text = area_rates.export_area_rates(actor, (await self.get_state(PackageDraftState)).package_id)
        except ServiceError as e:
            self.import_error = error_text(e)
            return None
        return rx.download(data=text, filename="area-rates.csv", mime_type="text/csv")
