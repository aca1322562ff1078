"""The wizard's "Profit simulator" tab: re-rate real (or uploaded) calls under the draft, with a progress bar."""

from __future__ import annotations

import asyncio
import os
import tempfile

import reflex as rx

from reseller_app.services.access.actor import Actor
from reseller_app.services.catalog import packages
from reseller_app.services.common.errors import ServiceError
from reseller_app.state.catalog.package_draft import PackageDraftState
from reseller_app.state.messages import error_text
from reseller_app.state.session import Answer, ResellerPage


class SimulatorTab(ResellerPage, rx.State):
    """How many days to re-rate, the run's progress and its outcome (current package against the draft)."""

    days: str = "30"
    running: bool = False
    progress: int = 0
    status: str = ""
    result: dict[str, str] = {}
    error: str = ""
    _file: str = ""

    def _show_package(self, actor: Actor, draft: PackageDraftState) -> None:
        """A package was opened: no outcome shown yet."""
        self.result, self.error = {}, ""

    @rx.event
    def set_days(self, value: str) -> None:
        """How many days of real calls to re-rate."""
        self.days = str(value)[:4]

    @rx.event
    def simulate_recent(self) -> Answer:
        """Re-rate the last N days of the package's real calls."""
        if self.running:
            return None
        self._file = ""
        return SimulatorTab.run_simulation

    @rx.event
    async def simulate_upload(self, files: list[rx.UploadFile]) -> Answer:
        """Keep an uploaded CDR file on the server (never in the state) and simulate with it."""
        if self.running or not files:
            return None
        data = await files[0].read(packages.MAX_UPLOAD_BYTES + 1)
        fd, path = tempfile.mkstemp(prefix="sim-", suffix=".csv")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        self._file = path
        return SimulatorTab.run_simulation

    @rx.event(background=True)
    async def run_simulation(self) -> None:
        """Run the simulator off the event queue, step by step in a worker thread, with a progress bar."""
        async with self:
            actor = await self._actor()
            path, self._file = self._file, ""
            if actor is None or self.running:
                if path:
                    os.unlink(path)
                return
            self.running, self.progress, self.error, self.result = True, 0, "", {}
            self.status = "Starting…"
            draft = await self.get_state(PackageDraftState)
            args = (actor, draft.package_id, draft._values(), self.days)
        upload = None
        if path:
            upload = await asyncio.to_thread(_read_and_remove, path)
        steps = packages.simulate(*args, upload=upload)
        try:
            while True:
                step = await asyncio.to_thread(next, steps, None)
                if step is None:
                    break
                done, total, result = step
                async with self:
                    self.progress = 100 if not total else int(100 * done / total)
                    self.status = f"{done} of {total} calls"
                    if result is not None:
                        self.result = result
        except ServiceError as e:
            async with self:
                self.error = error_text(e, "\n")
        finally:
            async with self:
                self.running = False


def _read_and_remove(path: str) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read()
    finally:
        os.unlink(path)
