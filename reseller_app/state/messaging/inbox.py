"""The client's Messages page: conversations, one open thread, sending with a live segment counter, live arrivals."""

from __future__ import annotations

import asyncio

import reflex as rx

from reseller_app import i18n
from reseller_app.billing.messages import MAX_PARTS, count_segments
from reseller_app.i18n import _, ngettext
from reseller_app.services.access import auth
from reseller_app.services.access.actor import Actor
from reseller_app.services.common.errors import ServiceError
from reseller_app.services.messaging import inbox, messages
from reseller_app.services.portal import account as client_portal
from reseller_app.state.i18n import tab_language
from reseller_app.state.messages import error_text, field_errors
from reseller_app.state.portal import dashboard
from reseller_app.state.portal.dashboard import _claim_watch, _release_watch, _tab_open
from reseller_app.state.portal.shell import PortalState, read
from reseller_app.state.session import Answer, ClientPage, page_rid, signed_in, turn_page

TEXT_MAX = 2048


def counter_text(text: str) -> str:
    """What the counter under the text box says (in the current language): characters, encoding and parts."""
    seg = count_segments(text)
    if seg.parts == 0:
        return _("0 characters · up to {max} parts").format(max=MAX_PARTS)
    parts = ngettext("{n} part", "{n} parts", seg.parts).format(n=seg.parts)
    if seg.too_long:
        parts += " " + _("(more than {max}: too long)").format(max=MAX_PARTS)
    return " · ".join(
        (
            ngettext("{n} {encoding} unit", "{n} {encoding} units", seg.units).format(
                n=seg.units, encoding=seg.encoding.value
            ),
            parts,
            _("{n} left in this part").format(n=seg.left),
        )
    )


class MessagesState(ClientPage, rx.State):
    """Conversations, the open thread, the new-message form and the numbers' SMS settings."""

    numbers: list[dict[str, str]] = []
    sms_numbers: list[dict[str, str]] = []
    conversations: list[dict[str, str]] = []
    conv_page: int = 1
    conv_pages: int = 1
    conv_total: str = "0"
    search: str = ""
    f_did: str = "all"
    # The open conversation (our number, the other party) and its newest page of messages.
    open_did: str = ""
    open_contact: str = ""
    thread: list[dict[str, str]] = []
    # The new message.
    from_did: str = ""
    to: str = ""
    text: str = ""
    counter: str = counter_text("")
    too_long: bool = False
    image_name: str = ""
    _image: bytes = b""
    errors: dict[str, str] = {}
    notice: str = ""
    # The settings form of one number.
    edit_did: str = ""
    edit_on: bool = False
    edit_email: str = ""
    edit_forward: str = ""
    _version: str = ""
    _watch_gen: int = 0

    # --- reading ------------------------------------------------------------------------------------------

    def _fill(self, actor: Actor, view: client_portal.PortalView) -> dict:
        if "messages" not in view.services:
            return {"refused": True}
        out: dict = {
            "version": inbox.inbox_version(actor),
            "numbers": inbox.numbers(actor),
            "convs": inbox.conversations(actor, self.f_did, self.search, self.conv_page),
        }
        if self.open_did and self.open_contact:
            out["thread"] = inbox.thread(actor, self.open_did, self.open_contact)
        return out

    def _show(self, extra: dict) -> None:
        self._version = extra["version"]
        self.numbers = extra["numbers"]
        self.sms_numbers = [n for n in self.numbers if n["sms"] == "on"]
        if self.sms_numbers and self.from_did not in {n["id"] for n in self.sms_numbers}:
            self.from_did = self.sms_numbers[0]["id"]
        convs = extra["convs"]
        self.conversations = convs["items"]
        self.conv_page, self.conv_pages, self.conv_total = convs["page"], convs["pages"], convs["total"]
        if "thread" in extra:
            self.thread = extra["thread"]["items"]

    async def _refresh(self, *, brand: bool = False) -> bool:
        portal = await self.get_state(PortalState)
        page = await portal._open(self._fill, brand=brand)
        if page is None:
            return False
        if page.extra.get("refused"):
            portal.page_refused = True
            return True
        self._show(page.extra)
        return True

    @rx.event
    async def load(self) -> Answer:
        """Messages page: the conversations; then watch for new messages while it is open."""
        self.open_did = self.open_contact = self.search = self.text = self.to = ""
        self.thread, self.errors, self.notice, self.f_did, self.conv_page = [], {}, "", "all", 1
        self.too_long, self.image_name, self._image = False, "", b""
        if not await self._refresh(brand=True):
            return self._to_login()
        with i18n.use_language(await tab_language(self)):  # settled by the page's opening
            self.counter = counter_text("")
        self._watch_gen += 1
        return MessagesState.watch

    @rx.event
    async def turn(self, delta: int) -> Answer:
        """Move through the conversations."""
        self.conv_page = turn_page(self.conv_page, self.conv_pages, delta)
        return None if await self._refresh() else self._to_login()

    @rx.event
    def set_search(self, value: str) -> None:
        """The search text (message text or a number)."""
        self.search = str(value)[: inbox.SEARCH_MAX]

    @rx.event
    def set_filter_did(self, value: str) -> None:
        """Conversations of one number, or all."""
        self.f_did = str(value)[:12]

    @rx.event
    async def apply_search(self) -> Answer:
        """Show the conversations matching the search."""
        self.conv_page = 1
        return None if await self._refresh() else self._to_login()

    @rx.event
    @signed_in
    async def open_conversation(self, actor: Actor, did: str, contact: str) -> Answer:
        """Open one conversation (and mark its received messages read)."""
        self.open_did, self.open_contact = str(did)[:20], str(contact)[:20]
        try:
            inbox.mark_read(actor, self.open_did, self.open_contact)
        except ServiceError as e:
            self.notice = error_text(e)
            return None
        match = next((n for n in self.numbers if n["number"] == self.open_did), None)
        if match is not None and match["sms"] == "on":
            self.from_did = match["id"]
        self.to = "+" + self.open_contact if self.open_contact.isdigit() else self.open_contact
        return None if await self._refresh() else self._to_login()

    @rx.event
    def close_conversation(self) -> None:
        """Back to the list."""
        self.open_did = self.open_contact = ""
        self.thread = []

    # --- sending ------------------------------------------------------------------------------------------

    @rx.event
    async def set_text(self, value: str) -> None:
        """The message as typed, with its characters and parts counted at once (in the tab's language)."""
        self.text = str(value)[:TEXT_MAX]
        with i18n.use_language(await tab_language(self)):
            self.counter = counter_text(self.text)
        self.too_long = count_segments(self.text).too_long
        self.errors = {k: v for k, v in self.errors.items() if k != "text"}

    @rx.event
    def set_to(self, value: str) -> None:
        """The destination number."""
        self.to = str(value)[:40]

    @rx.event
    def set_from_did(self, value: str) -> None:
        """Which of the client's numbers sends."""
        self.from_did = str(value)[:12]

    @rx.event
    async def attach(self, files: list[rx.UploadFile]) -> None:
        """Keep a picture for an MMS (checked by its bytes when sent)."""
        self.errors = {k: v for k, v in self.errors.items() if k != "image"}
        if not files:
            return
        data = await files[0].read(messages.MMS_MAX_BYTES + 1)
        self._image, self.image_name = data, str(files[0].name or "picture")[:80]

    @rx.event
    def clear_image(self) -> None:
        """Send a text, not a picture."""
        self._image, self.image_name = b"", ""

    @rx.event
    @signed_in
    async def send(self, actor: Actor) -> Answer:
        """Send the text (or the picture message); errors beside the fields, nothing sent on a refusal."""
        self.errors, self.notice = {}, ""
        try:
            messages.send(actor, self.from_did, self.to, self.text, image=self._image or None)
        except ServiceError as e:
            self.errors = field_errors(e, "text")
            return None
        sent_to = messages.clean_number(self.to)
        self.open_did = next((n["number"] for n in self.numbers if n["id"] == self.from_did), self.open_did)
        self.open_contact = sent_to
        self.text, self.counter, self.too_long, self._image, self.image_name = "", counter_text(""), False, b"", ""
        self.notice = _("Message sent.")
        return None if await self._refresh() else self._to_login()

    # --- settings of a number -----------------------------------------------------------------------------

    @rx.event
    def edit_number(self, did_id: str) -> None:
        """Open the SMS settings of one number."""
        n = next((x for x in self.numbers if x["id"] == str(did_id)), None)
        if n is None:
            return
        self.edit_did, self.edit_on = n["id"], n["sms"] == "on"
        self.edit_email, self.edit_forward, self.errors = n["email"], n["forward"], {}

    @rx.event
    def set_edit_on(self, on: bool) -> None:
        """SMS on or off."""
        self.edit_on = bool(on)

    @rx.event
    def set_edit_email(self, value: str) -> None:
        """Where a copy of incoming texts goes."""
        self.edit_email = str(value)[:254]

    @rx.event
    def set_edit_forward(self, value: str) -> None:
        """The number incoming texts are forwarded to."""
        self.edit_forward = str(value)[:40]

    @rx.event
    @signed_in
    async def save_number(self, actor: Actor) -> Answer:
        """Save the number's SMS settings."""
        self.errors = {}
        try:
            inbox.set_sms(actor, self.edit_did, self.edit_on, self.edit_email, self.edit_forward)
        except ServiceError as e:
            self.errors = field_errors(e, "did")
            return None
        self.edit_did, self.notice = "", _("Settings saved.")
        return None if await self._refresh() else self._to_login()

    @rx.event
    def cancel_edit(self) -> None:
        """Close the settings form."""
        self.edit_did, self.errors = "", {}

    @rx.event
    @signed_in
    async def export_csv(self, actor: Actor) -> Answer:
        """Download the open conversation as CSV."""
        try:
            text = inbox.conversation_csv(actor, self.open_did, self.open_contact)
        except ServiceError as e:
            self.notice = error_text(e)
            return None
        return rx.download(data=text, filename=f"messages-{self.open_contact}.csv", mime_type="text/csv")

    # --- live ---------------------------------------------------------------------------------------------

    @rx.event(background=True)
    async def watch(self) -> None:
        """While the Messages page is open, show new messages as they arrive (one watcher per tab)."""
        async with self:
            tab = "messages:" + self.router.session.client_token
            portal = await self.get_state(PortalState)
            login, rid = await portal._token(), page_rid(self)
        if not _claim_watch(tab):
            return
        try:
            for _ in range(dashboard.LIVE_MAX_POLLS):  # the dashboard's pace and limit
                await asyncio.sleep(dashboard.LIVE_INTERVAL)
                if not _tab_open(tab.split(":", 1)[1]):
                    return
                async with self:
                    if not str(self.rx_router_page.path).endswith("/messages"):
                        return
                    known, gen = self._version, self._watch_gen
                try:
                    version = read(_look, login, rid)
                except ServiceError:
                    return
                if version is None:
                    return
                if version != known:
                    async with self:
                        if gen == self._watch_gen and self.open_did and self.open_contact:
                            actor = read(auth.resolve, login, "client", rid)
                            if actor is not None:  # a write: its own transaction, not the read-only unit
                                inbox.mark_read(actor, self.open_did, self.open_contact)
                        if gen == self._watch_gen:
                            await self._refresh()
        finally:
            _release_watch(tab)


def _look(token: str, rid: int | None) -> str | None:
    """The inbox version of the session's client, or None when the session ended."""
    actor = auth.resolve(token, "client", rid) if rid is not None else None
    return inbox.inbox_version(actor) if actor is not None else None
