"""The wizard's "Profit simulator" tab: re-rate real (or uploaded) calls and text messages under the draft, with a
progress bar."""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from pathlib import Path

import reflex as rx

from reseller_app.services.access.actor import Actor
from reseller_app.services.catalog import fields, simulator
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
    _file_kind: str = ""  # "calls" (a CDR file) or "messages" (a MESSAGES.csv)

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
        return await self._keep_upload(files, "calls")

    @rx.event
    async def simulate_messages_upload(self, files: list[rx.UploadFile]) -> Answer:
        """Keep an uploaded MESSAGES.csv on the server (never in the state) and re-price its messages."""
        return await self._keep_upload(files, "messages")

    async def _keep_upload(self, files: list[rx.UploadFile], kind: str) -> Answer:
        if await self._actor() is None:  # the session first: nothing is read for a visitor
            return self._to_login()
        if self.running or not files:
            return None
        data = await files[0].read(fields.MAX_UPLOAD_BYTES + 1)  # never more than the limit (+1 to tell)
        if len(data) > fields.MAX_UPLOAD_BYTES:
            self.error = "The file is larger than 20 MB."
            return None
        fd, path = tempfile.mkstemp(prefix=SIM_PREFIX, suffix=".csv")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
        except BaseException:
            os.unlink(path)
            raise
        if self._file:
            _remove(self._file)  # an earlier file no simulation took
        self._file, self._file_kind = path, kind
        return SimulatorTab.run_simulation

    @rx.event(background=True)
    async def run_simulation(self) -> None:
        """Run the simulator off the event queue, step by step in a worker thread, with a progress bar."""
        path, kind = "", ""
        try:
            async with self:
                path, kind, self._file = self._file, self._file_kind, ""
                actor = await self._actor()
                if actor is None or self.running:
                    return
                self.running, self.progress, self.error, self.result = True, 0, "", {}
                self.status = "Starting…"
                draft = await self.get_state(PackageDraftState)
                args = (actor, draft.package_id, draft._values(), self.days)
            upload = await asyncio.to_thread(_read, path) if path else None
        finally:
            if path:
                _remove(path)  # whatever happened above, the uploaded file does not outlive this task
        noun = "messages" if path and kind == "messages" else "calls"
        steps = (
            simulator.simulate(*args, messages_upload=upload)
            if noun == "messages"
            else simulator.simulate(*args, upload=upload)
        )
        try:
            while True:
                step = await asyncio.to_thread(next, steps, None)
                if step is None:
                    break
                done, total, result = step
                async with self:
                    self.progress = 100 if not total else int(100 * done / total)
                    self.status = f"{done} of {total} {noun}"
                    if result is not None:
                        self.result = result
        except ServiceError as e:
            async with self:
                self.error = error_text(e, "\n")
        finally:
            async with self:
                self.running = False


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
