"""Manage rates & packages: the package list, the wizard's form values and one page of each table.

Every handler resolves the reseller from the session cookie and passes that Actor to services/catalog/packages.py,
which checks that each id it is given is the reseller's own. Nothing here computes money.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from typing import Any

import reflex as rx

from reseller_app import routes
from reseller_app.services.access.actor import Actor
from reseller_app.services.catalog import packages
from reseller_app.services.common.errors import ServiceError, ValidationFailed
from reseller_app.state.session import ResellerPage

TABS = ("details", "fees", "free", "system", "services", "rates", "zones", "lookup", "simulator")
FORM_TEXT = ("name", "markup_fixed", "markup_percent", "pulse", "monthly_fee", "setup_fee", "free_minutes")
FORM_CHOICE = {
    "canada_route": packages.ROUTES,
    "international_route": packages.ROUTES,
    "service_config": packages.SERVICE_CONFIGS,
    "view_setting": packages.VIEW_SETTINGS,
    "pulse": packages.PULSES,
}
FORM_FLAGS = ("onnet_free", "allow_did_purchase")
FORM_LISTS = {"subaccount_editable": packages.EDITABLE_FIELDS, "services": packages.SERVICES}


def _message(err: ServiceError) -> str:
    if isinstance(err, ValidationFailed):
        return " ".join(err.errors.values())
    return str(err)


class PackagesState(ResellerPage, rx.State):
    """The package list, the open wizard and its per-package tables."""

    rows: list[dict[str, str]] = []
    notice: str = ""
    error: str = ""
    confirm_delete: str = ""

    editing: bool = False
    package_id: str = ""
    tab: str = "details"
    form: dict[str, str] = {}
    flags: dict[str, bool] = {}
    lists: dict[str, list[str]] = {}
    errors: dict[str, str] = {}
    saved_message: str = ""

    sample_destination: str = "442071234567"
    sample_cost: str = ""
    example: dict[str, str] = {}

    area_rows: list[dict[str, str]] = []
    area_search: str = ""
    area_page: int = 1
    area_pages: int = 1
    area_total: str = "0"
    area_kind: str = "country"
    area_target: str = ""
    area_rate: str = ""
    area_errors: dict[str, str] = {}
    import_message: str = ""
    import_error: str = ""

    zone_rows: list[dict[str, str]] = []
    zone_kind: str = "country"
    zone_value: str = ""
    zone_error: str = ""

    lookup_number: str = ""
    lookup: dict[str, str] = {}
    lookup_error: str = ""

    sim_days: str = "30"
    sim_running: bool = False
    sim_progress: int = 0
    sim_status: str = ""
    sim_result: dict[str, str] = {}
    sim_error: str = ""
    _sim_file: str = ""

    def _form_values(self) -> dict[str, Any]:
        return {**self.form, **self.flags, **self.lists}

    # --- the list ---------------------------------------------------------------------------

    def _load_rows(self, actor: Actor) -> None:
        self.rows = packages.list_packages(actor)

    @rx.event
    async def load(self):  # noqa: ANN201
        """Open the page: the package list, wizard closed."""
        actor = await self._actor()
        if actor is None:
            return rx.redirect(routes.RESELLER_LOGIN)
        self.editing = False
        self.notice = self.error = self.confirm_delete = ""
        self._load_rows(actor)
        return None

    @rx.event
    async def duplicate(self, package_id: str):  # noqa: ANN201
        """Copy a package with its rates and free zones."""
        actor = await self._actor()
        if actor is None:
            return rx.redirect(routes.RESELLER_LOGIN)
        self.error = self.notice = ""
        try:
            packages.duplicate_package(actor, package_id)
            self.notice = "Package duplicated."
        except ServiceError as e:
            self.error = _message(e)
        self._load_rows(actor)
        return None

    @rx.event
    def ask_delete(self, package_id: str) -> None:
        """Ask before deleting."""
        self.confirm_delete = str(package_id)
        self.error = self.notice = ""

    @rx.event
    def cancel_delete(self) -> None:
        """Keep the package."""
        self.confirm_delete = ""

    @rx.event
    async def delete(self):  # noqa: ANN201
        """Delete the package asked about (refused by the service while it is in use)."""
        actor = await self._actor()
        if actor is None:
            return rx.redirect(routes.RESELLER_LOGIN)
        try:
            packages.delete_package(actor, self.confirm_delete)
            self.notice = "Package deleted."
            if self.package_id == self.confirm_delete:
                self.editing = False
        except ServiceError as e:
            self.error = _message(e)
        self.confirm_delete = ""
        self._load_rows(actor)
        return None

    # --- the wizard -------------------------------------------------------------------------

    def _fill(self, values: dict[str, Any]) -> None:
        self.form = {k: str(values[k]) for k in (*FORM_TEXT, *FORM_CHOICE)}
        self.flags = {k: bool(values[k]) for k in FORM_FLAGS}
        self.lists = {k: list(values[k]) for k in FORM_LISTS}

    async def _open(self, actor: Actor, package_id: str) -> None:
        self.editing = True
        self.package_id = package_id
        self.tab = "details"
        self.errors = {}
        self.saved_message = self.notice = self.error = ""
        self._fill(packages.get_package(actor, package_id) if package_id else packages.FORM_DEFAULTS)
        self.sample_cost = ""
        self.area_search, self.area_page = "", 1
        self.area_target = self.area_rate = self.zone_value = self.lookup_number = ""
        self.area_errors, self.lookup, self.sim_result = {}, {}, {}
        self.import_message = self.import_error = self.zone_error = self.lookup_error = self.sim_error = ""
        self._refresh_example(actor)
        if package_id:
            self._refresh_tables(actor)

    @rx.event
    async def new_package(self):  # noqa: ANN201
        """Open an empty wizard."""
        actor = await self._actor()
        if actor is None:
            return rx.redirect(routes.RESELLER_LOGIN)
        await self._open(actor, "")
        return None

    @rx.event
    async def edit(self, package_id: str):  # noqa: ANN201
        """Open the wizard on a saved package (the service refuses another reseller's id)."""
        actor = await self._actor()
        if actor is None:
            return rx.redirect(routes.RESELLER_LOGIN)
        try:
            await self._open(actor, str(package_id))
        except ServiceError as e:
            self.editing = False
            self.error = _message(e)
        return None

    @rx.event
    def close(self) -> None:
        """Close the wizard without saving."""
        self.editing = False

    @rx.event
    def set_tab(self, tab: str) -> None:
        """Switch wizard tab."""
        if tab in TABS:
            self.tab = tab

    def _refresh_example(self, actor: Actor) -> None:
        self.example = packages.example_line(actor, self._form_values(), self.sample_destination, self.sample_cost)

    async def _revalidate(self):  # noqa: ANN202
        actor = await self._actor()
        if actor is None:
            return rx.redirect(routes.RESELLER_LOGIN)
        self.saved_message = ""
        try:
            self.errors = packages.validate_package(actor, self._form_values(), self.package_id or None)
            self._refresh_example(actor)
        except ServiceError as e:
            self.errors = {"name": _message(e)}
        return None

    @rx.event
    async def set_form(self, field: str, value: str):  # noqa: ANN201
        """A text or choice field changed: validate live and refresh the example line."""
        if field not in FORM_TEXT and field not in FORM_CHOICE:
            return None
        self.form[field] = str(value)[:200]
        return await self._revalidate()

    @rx.event
    async def set_flag(self, field: str, value: bool):  # noqa: ANN201
        """A yes/no option changed."""
        if field in FORM_FLAGS:
            self.flags[field] = bool(value)
        return await self._revalidate()

    @rx.event
    async def toggle(self, field: str, item: str, on: bool):  # noqa: ANN201
        """Tick or untick one editable sub-account setting or one service."""
        if field not in FORM_LISTS or item not in FORM_LISTS[field]:
            return None
        chosen = set(self.lists.get(field, []))
        chosen.add(item) if on else chosen.discard(item)
        self.lists[field] = [x for x in FORM_LISTS[field] if x in chosen]
        return await self._revalidate()

    @rx.event
    async def set_sample_destination(self, value: str):  # noqa: ANN201
        """The example's destination number."""
        self.sample_destination = str(value)[:32]
        return await self._revalidate()

    @rx.event
    async def set_sample_cost(self, value: str):  # noqa: ANN201
        """A typed carrier cost for the example (overrides the destination)."""
        self.sample_cost = str(value)[:20]
        return await self._revalidate()

    @rx.event
    async def save(self):  # noqa: ANN201
        """Save the wizard; messages appear beside the fields and nothing is saved when any is bad."""
        actor = await self._actor()
        if actor is None:
            return rx.redirect(routes.RESELLER_LOGIN)
        try:
            pid = packages.save_package(actor, self._form_values(), self.package_id or None)
        except ValidationFailed as e:
            self.errors = e.errors
            self.saved_message = ""
            return None
        except ServiceError as e:
            self.error = _message(e)
            return None
        created = not self.package_id
        self.package_id = str(pid)
        self.errors = {}
        self.saved_message = "Package saved." + (" You can now add per-area rates and free zones." if created else "")
        self._load_rows(actor)
        self._refresh_tables(actor)
        return None

    # --- per-area rates and free zones --------------------------------------------------------

    def _refresh_tables(self, actor: Actor) -> None:
        if not self.package_id:
            return  # no package open: nothing to show (a hand-made event)
        try:
            data = packages.list_area_rates(actor, self.package_id, self.area_search, self.area_page)
        except ServiceError as e:  # the open package is gone (deleted in another tab) or was never this reseller's
            self.area_rows, self.zone_rows, self.area_total, self.area_pages = [], [], "0", 1
            self.error = _message(e)
            return
        self.area_rows = data["items"]
        self.area_total = data["total"]
        self.area_pages = data["pages"]
        self.area_page = data["page"]
        self.zone_rows = packages.list_free_zones(actor, self.package_id)

    async def _tables(self):  # noqa: ANN202
        actor = await self._actor()
        if actor is None:
            return rx.redirect(routes.RESELLER_LOGIN)
        self._refresh_tables(actor)
        return None

    @rx.event
    async def set_area_search(self, value: str):  # noqa: ANN201
        """Search the area rates (in SQL)."""
        self.area_search = str(value)[:40]
        self.area_page = 1
        return await self._tables()

    @rx.event
    async def turn_area_page(self, delta: int):  # noqa: ANN201
        """Next or previous page of area rates."""
        self.area_page = max(1, min(self.area_pages, self.area_page + int(delta)))
        return await self._tables()

    @rx.event
    def set_area_kind(self, value: str) -> None:
        """Country or prefix."""
        self.area_kind = value if value in ("country", "prefix") else "country"

    @rx.event
    def set_area_target(self, value: str) -> None:
        """The country or prefix typed."""
        self.area_target = str(value)[:60]

    @rx.event
    def set_area_rate(self, value: str) -> None:
        """The rate typed."""
        self.area_rate = str(value)[:20]

    @rx.event
    async def add_area_rate(self):  # noqa: ANN201
        """Add a per-area rate to the open package."""
        actor = await self._actor()
        if actor is None:
            return rx.redirect(routes.RESELLER_LOGIN)
        try:
            packages.add_area_rate(actor, self.package_id, self.area_kind, self.area_target, self.area_rate)
        except ValidationFailed as e:
            self.area_errors = e.errors
            return None
        except ServiceError as e:
            self.area_errors = {"target": _message(e)}
            return None
        self.area_errors = {}
        self.area_target = self.area_rate = ""
        self._refresh_tables(actor)
        return None

    @rx.event
    async def delete_area_rate(self, area_rate_id: str):  # noqa: ANN201
        """Remove a per-area rate."""
        actor = await self._actor()
        if actor is None:
            return rx.redirect(routes.RESELLER_LOGIN)
        try:
            packages.delete_area_rate(actor, area_rate_id)
        except ServiceError as e:
            self.area_errors = {"target": _message(e)}
        self._refresh_tables(actor)
        return None

    @rx.event
    async def import_csv(self, files: list[rx.UploadFile]):  # noqa: ANN201
        """Import area rates from an uploaded CSV: all rows or none, errors by line."""
        actor = await self._actor()
        if actor is None:
            return rx.redirect(routes.RESELLER_LOGIN)
        self.import_message = self.import_error = ""
        if not files:
            return None
        data = await files[0].read(packages.MAX_UPLOAD_BYTES + 1)
        try:
            n = packages.import_area_rates(actor, self.package_id, data)
            self.import_message = f"Imported {n} rates."
        except ServiceError as e:
            self.import_error = _message(e) if not isinstance(e, ValidationFailed) else "\n".join(e.errors.values())
        self._refresh_tables(actor)
        return None

    @rx.event
    async def export_csv(self):  # noqa: ANN201
        """Download the open package's area rates as CSV."""
        actor = await self._actor()
        if actor is None:
            return rx.redirect(routes.RESELLER_LOGIN)
        try:
            text = packages.export_area_rates(actor, self.package_id)
        except ServiceError as e:
            self.import_error = _message(e)
            return None
        return rx.download(data=text, filename="area-rates.csv", mime_type="text/csv")

    @rx.event
    def set_zone_kind(self, value: str) -> None:
        """Country, prefix or maximum cost rate."""
        self.zone_kind = value if value in ("country", "prefix", "max_rate") else "country"

    @rx.event
    def set_zone_value(self, value: str) -> None:
        """The zone's country, prefix or rate."""
        self.zone_value = str(value)[:60]

    @rx.event
    async def add_zone(self):  # noqa: ANN201
        """Add a free zone to the open package."""
        actor = await self._actor()
        if actor is None:
            return rx.redirect(routes.RESELLER_LOGIN)
        try:
            packages.add_free_zone(actor, self.package_id, self.zone_kind, self.zone_value)
        except ServiceError as e:
            self.zone_error = _message(e)
            return None
        self.zone_error = self.zone_value = ""
        self._refresh_tables(actor)
        return None

    @rx.event
    async def delete_zone(self, zone_id: str):  # noqa: ANN201
        """Remove a free zone."""
        actor = await self._actor()
        if actor is None:
            return rx.redirect(routes.RESELLER_LOGIN)
        try:
            packages.delete_free_zone(actor, zone_id)
        except ServiceError as e:
            self.zone_error = _message(e)
        self._refresh_tables(actor)
        return None

    # --- rate lookup ------------------------------------------------------------------------

    @rx.event
    def set_lookup_number(self, value: str) -> None:
        """The number to look up."""
        self.lookup_number = str(value)[:40]

    @rx.event
    async def run_lookup(self):  # noqa: ANN201
        """Price the typed number under the saved package."""
        actor = await self._actor()
        if actor is None:
            return rx.redirect(routes.RESELLER_LOGIN)
        try:
            self.lookup = packages.rate_lookup(actor, self.package_id, self.lookup_number)
            self.lookup_error = ""
        except ServiceError as e:
            self.lookup, self.lookup_error = {}, _message(e)
        return None

    # --- profit simulator -------------------------------------------------------------------

    @rx.event
    def set_sim_days(self, value: str) -> None:
        """How many days of real calls to re-rate."""
        self.sim_days = str(value)[:4]

    @rx.event
    def simulate_recent(self):  # noqa: ANN201
        """Re-rate the last N days of the package's real calls."""
        if self.sim_running:
            return None
        self._sim_file = ""
        return PackagesState.run_simulation

    @rx.event
    async def simulate_upload(self, files: list[rx.UploadFile]):  # noqa: ANN201
        """Keep an uploaded CDR file on the server (never in the state) and simulate with it."""
        if await self._actor() is None:  # the session first: nothing is read for a visitor
            return rx.redirect(routes.RESELLER_LOGIN)
        if self.sim_running or not files:
            return None
        data = await files[0].read(packages.MAX_UPLOAD_BYTES + 1)  # never more than the limit (+1 to tell)
        if len(data) > packages.MAX_UPLOAD_BYTES:
            self.sim_error = "The file is larger than 20 MB."
            return None
        fd, path = tempfile.mkstemp(prefix=SIM_PREFIX, suffix=".csv")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
        except BaseException:
            os.unlink(path)
            raise
        if self._sim_file:
            _remove(self._sim_file)  # an earlier file no simulation took
        self._sim_file = path
        return PackagesState.run_simulation

    @rx.event(background=True)
    async def run_simulation(self):  # noqa: ANN201
        """Run the simulator off the event queue, step by step in a worker thread, with a progress bar."""
        path = ""
        try:
            async with self:
                path, self._sim_file = self._sim_file, ""
                actor = await self._actor()
                if actor is None or self.sim_running:
                    return
                self.sim_running, self.sim_progress, self.sim_error, self.sim_result = True, 0, "", {}
                self.sim_status = "Starting…"
                args = (actor, self.package_id, self._form_values(), self.sim_days)
            upload = await asyncio.to_thread(_read, path) if path else None
        finally:
            if path:
                _remove(path)  # whatever happened above, the uploaded file does not outlive this task
        if actor is None:
            return
        steps = packages.simulate(*args, upload=upload)
        try:
            while True:
                step = await asyncio.to_thread(next, steps, None)
                if step is None:
                    break
                done, total, result = step
                async with self:
                    self.sim_progress = 100 if not total else int(100 * done / total)
                    self.sim_status = f"{done} of {total} calls"
                    if result is not None:
                        self.sim_result = result
        except ServiceError as e:
            async with self:
                self.sim_error = _message(e) if not isinstance(e, ValidationFailed) else "\n".join(e.errors.values())
        finally:
            async with self:
                self.sim_running = False


SIM_PREFIX = "sim-"
SIM_LEFTOVER_AGE = 3600  # seconds: a simulation's file older than this belongs to no running simulation


def _read(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def clean_leftovers(folder: str | None = None, max_age: float = SIM_LEFTOVER_AGE) -> int:
    """Remove simulator upload files older than `max_age` (left by a crash or a kill); returns how many."""
    import time
    from pathlib import Path

    cutoff = time.time() - max_age
    removed = 0
    for p in Path(folder or tempfile.gettempdir()).glob(f"{SIM_PREFIX}*.csv"):
        try:
            if p.is_file() and p.stat().st_mtime < cutoff:
                p.unlink()
                removed += 1
        except OSError:
            continue
    return removed
