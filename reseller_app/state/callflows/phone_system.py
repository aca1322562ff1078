"""The client's Phone system page: a tab per building block the client's view allows, its list and its form."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import reflex as rx

from reseller_app import i18n, routes
from reseller_app.i18n import _
from reseller_app.services.access.actor import Actor
from reseller_app.services.callflows import audio
from reseller_app.services.callflows import objects as callflows
from reseller_app.services.common.errors import ServiceError
from reseller_app.state.i18n import tab_language
from reseller_app.state.messages import field_errors
from reseller_app.state.portal.shell import PortalState
from reseller_app.state.session import Answer, ClientPage, page_rid, signed_in

# Every field a kind's form shows, with its value for a new object (the form's inputs read them as defaults).
_MEMBERS = {f"member_{i}": "" for i in range(1, callflows.MAX_MEMBERS + 1)} | {
    f"ring_{i}": "25" for i in range(1, callflows.MAX_MEMBERS + 1)
}
_AGENTS = {f"agent_{i}": "" for i in range(1, callflows.MAX_MEMBERS + 1)} | {
    f"priority_{i}": "0" for i in range(1, callflows.MAX_MEMBERS + 1)
}
_RULES = {f"rule_{i}_{p}": "" for i in range(1, callflows.MAX_RULES + 1) for p in ("from", "to", "start", "end")}
NEW_VALUES: dict[str, dict[str, str]] = {
    "tc": {"name": "", "match": "", "nomatch": "", "holidays": ""}
    | _RULES
    | {"rule_1_from": "mon", "rule_1_to": "fri", "rule_1_start": "09:00", "rule_1_end": "17:00"},
    "ivr": {"name": "", "recording_id": "", "timeout": "5", "language": "en", "timeout_dest": "", "invalid_dest": ""}
    | {field: "" for field in callflows.KEY_FIELD.values()},
    "grp": {"name": "", "voicemail_id": "", "music_on_hold_id": "", "language": "en"} | _MEMBERS,
    "hunt": {"name": "", "order": "follow", "music_on_hold_id": "", "recording_id": "", "language": "en"} | _MEMBERS,
    "queue": {
        "name": "",
        "number": "",
        "strategy": "ringall",
        "music_on_hold_id": "",
        "max_wait": "0",
        "join_when_empty": "yes",
        "leave_when_empty": "no",
        "failover": "",
        "language": "en",
    }
    | _AGENTS,
    "conf": {"name": "", "description": "", "pin": "", "max_members": "0"},
    "cb": {
        "name": "",
        "number": "",
        "delay_before": "1",
        "response_timeout": "10",
        "digit_timeout": "5",
        "callerid_number": "",
    },
    "disa": {"name": "", "pin": "", "digit_timeout": "5", "callerid_override": "", "language": "en"},
    "filter": {"name": "", "mode": "block", "entries": "", "did_id": "", "dest": "sys:hangup"},
    "moh": {"name": "", "sort": "alpha", "quiet": ""},
    "phonebook": {"name": "", "number": "", "speed_dial": "", "callerid": "", "note": "", "group": ""},
    "recording": {"name": ""},
}


PICK_LISTS = ("dests", "members", "agents", "recordings", "moh", "voicemails", "numbers")


class PhoneSystemState(ClientPage, rx.State):
    """The building blocks: which kinds the client has, the open tab's rows, the open form and its messages."""

    kinds: list[str] = []
    titles: dict[str, str] = {}
    tab: str = "tc"  # the open building block (the first kind until the page loads the client's)
    # Every key present from the start: the page reads the open tab's list and every pick list before loading.
    rows: dict[str, list[dict[str, str]]] = {kind: [] for kind in callflows.KIND_ORDER}
    choices: dict[str, list[dict[str, str]]] = {key: [] for key in PICK_LISTS}
    form_open: bool = False
    editing: str = ""  # the id of the object in the form ("" for a new one)
    values: dict[str, str] = {}
    form_key: int = 0  # bumped to redraw the form's inputs with new values
    moh_picked: list[str] = []  # the recordings ticked in the music-on-hold form
    errors: dict[str, str] = {}
    message: str = ""
    refused: bool = False

    def _show(self, data: dict) -> None:
        self.kinds = list(data["kinds"])
        self.titles = dict(data["titles"])
        self.rows = {kind: list(data["rows"].get(kind, [])) for kind in callflows.KIND_ORDER}
        self.choices = {key: list(data["choices"].get(key, [])) for key in PICK_LISTS}
        if self.tab not in self.kinds:
            self.tab = self.kinds[0] if self.kinds else ""

    def _blank(self) -> None:
        self.form_open, self.editing, self.errors = False, "", {}
        self.values = dict(NEW_VALUES.get(self.tab, {}))
        self.moh_picked = []
        self.form_key += 1

    async def _run(self, actor: Actor, fn: Callable[..., object], *args: object, ok: str = "") -> bool:
        """Call a service; its refusal becomes the messages beside the fields. True when it went through."""
        self.errors, self.message = {}, ""
        try:
            await asyncio.to_thread(fn, actor, *args)
        except ServiceError as e:
            self.errors = field_errors(e)
            return False
        self.message = ok
        await self._refresh(actor)
        return True

    async def _refresh(self, actor: Actor) -> None:
        try:
            self._show(await asyncio.to_thread(callflows.overview, actor))
        except ServiceError:
            self.refused, self.kinds = True, []
            self.rows = {kind: [] for kind in callflows.KIND_ORDER}

    @rx.event
    async def load(self) -> Answer:
        """Open the page: the tabs the client's view allows (none in "Simple view (hide services page)")."""
        portal = await self.get_state(PortalState)
        opened = await portal._open()
        if opened is None:
            return self._to_login()
        self.message, self.refused = "", False
        if portal.services_hidden:
            portal.page_refused = True
            return rx.redirect(routes.client_path(page_rid(self) or 0, "dashboard"))
        with i18n.use_language(await tab_language(self)):  # settled by the page's opening
            await self._refresh(opened.actor)
        self._blank()
        return None

    @rx.event
    def set_tab(self, kind: str) -> None:
        """Show another building block (only the kinds listed)."""
        if str(kind) in self.kinds:
            self.tab = str(kind)
            self.message = ""
            self._blank()

    @rx.event
    def new(self) -> None:
        """An empty form for a new object of the open tab."""
        self._blank()
        self.form_open = True

    @rx.event
    def cancel(self) -> None:
        """Close the form."""
        self._blank()

    @rx.event
    @signed_in
    async def edit(self, actor: Actor, object_id: str) -> Answer:
        """The form of one of the client's objects, filled with its values."""
        self.errors, self.message = {}, ""
        try:
            found = await asyncio.to_thread(callflows.form_values, actor, self.tab, object_id)
        except ServiceError as e:
            self.errors = field_errors(e)
            return None
        self.values = {**NEW_VALUES.get(self.tab, {}), **found}
        self.moh_picked = [k.removeprefix("rec_") for k in found if k.startswith("rec_")]
        self.editing, self.form_open = str(object_id), True
        self.form_key += 1
        return None

    @rx.event
    def toggle_recording(self, recording_id: str, on: bool) -> None:
        """Tick or untick a recording of the music-on-hold form."""
        rid = str(recording_id)
        picked = [r for r in self.moh_picked if r != rid]
        self.moh_picked = [*picked, rid] if on else picked

    @rx.event
    @signed_in
    async def save(self, actor: Actor, form: dict) -> Answer:
        """Create or change the object of the form; the messages of a refusal go beside its fields."""
        values = {str(k): v for k, v in form.items()}
        if self.tab == "moh":
            values.update({f"rec_{r}": "on" for r in self.moh_picked})
        if self.tab == "recording":
            ok = await self._run(
                actor,
                callflows.save_recording,
                str(values.get("name", "")),
                None,
                rx.get_upload_dir(),
                self.editing or None,
                ok=_("Recording renamed."),
            )
        else:
            ok = await self._run(actor, callflows.save, self.tab, values, self.editing or None, ok=_("Saved."))
        if ok:
            self._blank()
        else:
            self.values = {**self.values, **{k: str(v) for k, v in values.items() if not k.startswith("rec_")}}
        return None

    @rx.event
    @signed_in
    async def delete(self, actor: Actor, object_id: str) -> Answer:
        """Delete one of the client's objects (refused, naming them, while something uses it)."""
        if await self._run(actor, callflows.delete, self.tab, object_id, rx.get_upload_dir(), ok=_("Deleted.")):
            self._blank()
        return None

    @rx.event
    @signed_in
    async def upload_recording(self, actor: Actor, files: list[rx.UploadFile]) -> Answer:
        """Upload a new recording (WAV or MP3) under the name typed beside it."""
        name = self.values.get("name", "")
        if not files:
            self.errors = {"file": _("Choose a WAV or MP3 file.")}
            return None
        for f in files[:1]:
            # No name typed: the file's own name (the server never uses it for the stored file).
            name = name or Path(str(getattr(f, "filename", "") or "recording")).stem[:80]
            # One byte past the limit, so an oversized file is refused without reading all of it.
            data = await f.read(audio.MAX_AUDIO_BYTES + 1)
            if await self._run(
                actor, callflows.save_recording, name, data, rx.get_upload_dir(), None, ok=_("Recording uploaded.")
            ):
                self._blank()
        return None

    @rx.event
    def set_value(self, key: str, value: str) -> None:
        """A typed value kept in the form's values (the recording's name before its upload)."""
        if str(key) in NEW_VALUES.get(self.tab, {}):
            self.values = {**self.values, str(key): str(value)[:200]}
