"""Reseller configuration: the form (a draft of every tab) and its messages. Services validate and save."""

from __future__ import annotations

import reflex as rx

from reseller_app.services.access.actor import Actor
from reseller_app.services.access.signup import FIELD_LABELS
from reseller_app.services.common.errors import ServiceError, ValidationFailed
from reseller_app.services.settings import configuration as config
from reseller_app.state.messages import error_text, field_errors
from reseller_app.state.session import Answer, ResellerPage, signed_in

# The choices and labels the page shows (pages reach the services' constants through their state).
SIGNUP_FIELD_LABELS = FIELD_LABELS
IMAGE_FIELDS = config.IMAGE_FIELDS
IMAGE_LABELS = config.IMAGE_LABELS
SIGNUP_CHOICES = config.SIGNUP_CHOICES
SIGNUP_FIELDS = config.SIGNUP_FIELDS
SERVICE_LABELS = config.SERVICE_LABELS
HOSTNAME_A_RECORD = config.HOSTNAME_A_RECORD

_COMPOSER = {"cmp_img": ""}  # the https image address to insert in the welcome text


def _blank_errors() -> dict[str, str]:
    return {k: "" for k in (*config.ALL_FIELDS, "hostname", "cmp_img", "activation")}


class ConfigState(ResellerPage, rx.State):
    """The draft of every tab; the preview reads it as the designer types, Save publishes one tab."""

    form: dict[str, str] = {}
    errors: dict[str, str] = _blank_errors()
    notice: dict[str, str] = {}
    warnings: list[str] = []
    welcome_preview: str = ""
    message_previews: dict[str, str] = {}
    composer: dict[str, str] = dict(_COMPOSER)
    reseller_id: str = ""
    portal_active: bool = False
    paypal_ready: bool = True  # this server has the PayPal app deposits need
    hostname_input: str = ""
    hostname: str = ""
    hostname_status: str = "none"
    hostname_fee: str = ""
    hostname_proof: str = ""
    client_url: str = ""
    snippet: str = ""
    tab: str = "activation"
    # A new value makes the welcome-text editor start again from the draft (it is not controlled while one types).
    editor_key: int = 0

    def _refresh_derived(self) -> None:
        self.warnings = config.contrast_warnings(self.form)
        self.welcome_preview = config.sanitize_welcome(self.form.get("welcome_html", ""))
        self.message_previews = {
            k: config.preview_message(k, self.form.get(f"{k}_subject", ""), self.form.get(f"{k}_body", ""))
            for k in config.MESSAGE_KINDS
        }

    def _apply(self, data: dict) -> None:
        self.form = data["form"]
        self.reseller_id = data["reseller_id"]
        self.portal_active = bool(data["portal_active"])
        self.paypal_ready = bool(data["paypal_ready"])
        self.hostname = data["hostname"]
        self.hostname_status = data["hostname_status"]
        self.hostname_fee = data["hostname_fee"]
        self.hostname_proof = data["hostname_proof"]
        self.client_url = config.client_url(data["portal_base"], self.reseller_id)
        self.snippet = config.autoconnect_snippet(data["portal_base"], self.reseller_id)
        self._refresh_derived()

    @rx.event
    @signed_in
    async def load(self, actor: Actor) -> Answer:
        """Open the page with the saved values of every tab."""
        self._apply(config.load(actor))
        self.errors = _blank_errors()
        self.notice = {}
        self.editor_key += 1
        return None

    @rx.event
    @signed_in
    async def set_tab(self, actor: Actor, tab: str) -> Answer:
        """Remember the open tab."""
        self.tab = str(tab)
        return None

    @rx.event
    @signed_in
    async def set_field(self, actor: Actor, key: str, value: str) -> Answer:
        """Change one draft value; the previews and contrast warnings follow at once (nothing is saved)."""
        self._set_draft(key, value)
        return None

    @rx.event
    @signed_in
    async def set_flag(self, actor: Actor, key: str, value: bool) -> Answer:
        """A switch or checkbox of the draft."""
        self._set_draft(key, "1" if value else "")
        return None

    def _set_draft(self, key: str, value: str) -> None:
        if key in config.ALL_FIELDS:
            self.form[key] = str(value)[:20000]
            self._refresh_derived()
            if key == "welcome_html":  # typed in the HTML source: the editor shows it
                self.editor_key += 1

    @rx.event
    @signed_in
    async def set_welcome(self, actor: Actor, html: str) -> Answer:
        """The welcome text as the editor has it (Quill writes every space as &nbsp;: plain spaces let lines wrap)."""
        self.form["welcome_html"] = str(html).replace("&nbsp;", " ")[:20000]
        self._refresh_derived()
        return None

    @rx.event
    @signed_in
    async def save(self, actor: Actor, section: str) -> Answer:
        """Publish one tab; bad input shows a message beside each field and nothing changes."""
        errors = _blank_errors()
        try:
            saved = config.save_section(actor, section, self.form)
        except ValidationFailed as e:
            errors.update(e.errors)
            self.errors = errors
            self.notice = {section: "Not saved: correct the fields marked in red."}
            return None
        except ServiceError as e:
            self.notice = {section: str(e)}
            return None
        self.errors = errors
        # Keep other tabs' unsaved drafts; take this tab's values as the service stored them.
        for k in config.SECTIONS[section]:
            self.form[k] = saved[k]
        self._refresh_derived()
        self.notice = {section: "Saved."}
        if section == "payment" and saved.get("paypal_enabled") and not self.paypal_ready:
            self.notice = {section: "Saved, but your clients will not see PayPal deposits: see the note above."}
        return None

    @rx.event
    @signed_in
    async def reset_branding(self, actor: Actor) -> Answer:
        """Put the default branding in the draft (Save publishes it)."""
        for k, v in config.default_branding().items():
            self.form[k] = v
        self._refresh_derived()
        self.notice = {"branding": "Defaults loaded in the preview. Save to publish them."}
        return None

    @rx.event
    @signed_in
    async def set_active(self, actor: Actor, active: bool) -> Answer:
        """The Activate (or Deactivate) button."""
        try:
            self.portal_active = config.set_active(actor, bool(active))
        except ServiceError as e:  # a staff role without configuration rights
            self.errors["activation"] = error_text(e)
            return None
        self.notice = {"activation": "Your client portal is active." if self.portal_active else "Portal turned off."}
        return None

    async def _upload(self, actor: Actor, slot: str, files: list[rx.UploadFile]) -> None:
        self.errors[slot] = ""
        for f in files[:1]:
            # Read one byte past the limit so an oversized file is refused without reading all of it.
            data = await f.read(config.MAX_UPLOAD_BYTES + 1)
            try:
                url = config.store_upload(actor, slot, data, rx.get_upload_dir())
            except ServiceError as e:
                self.errors[slot] = field_errors(e, slot).get(slot, str(e))
                return
            self.form[slot] = url
            self.notice = {"branding": "Image uploaded to the preview. Save to publish it."}

    @rx.event
    @signed_in
    async def upload_login_background(self, actor: Actor, files: list[rx.UploadFile]) -> Answer:
        """Upload the login background image into the draft."""
        await self._upload(actor, "img_login_background", files)
        return None

    @rx.event
    @signed_in
    async def upload_login_logo(self, actor: Actor, files: list[rx.UploadFile]) -> Answer:
        """Upload the login logo into the draft."""
        await self._upload(actor, "img_login_logo", files)
        return None

    @rx.event
    @signed_in
    async def upload_header(self, actor: Actor, files: list[rx.UploadFile]) -> Answer:
        """Upload the header image into the draft."""
        await self._upload(actor, "img_header", files)
        return None

    @rx.event
    @signed_in
    async def upload_content_logo(self, actor: Actor, files: list[rx.UploadFile]) -> Answer:
        """Upload the content logo into the draft."""
        await self._upload(actor, "img_content_logo", files)
        return None

    @rx.event
    @signed_in
    async def upload_favicon(self, actor: Actor, files: list[rx.UploadFile]) -> Answer:
        """Upload the browser tab icon (PNG or ICO) into the draft."""
        await self._upload(actor, "img_favicon", files)
        return None

    @rx.event
    @signed_in
    async def set_composer(self, actor: Actor, key: str, value: str) -> Answer:
        """The image address typed beside the editor."""
        if key in _COMPOSER:
            self.composer[key] = str(value)[:2000]
        return None

    @rx.event
    @signed_in
    async def add_image(self, actor: Actor) -> Answer:
        """Append an https image to the welcome text."""
        try:
            html = config.compose_image(self.composer["cmp_img"])
        except ValidationFailed as e:
            self.errors["cmp_img"] = e.errors["cmp_img"]
            return None
        self.errors["cmp_img"] = ""
        self.form["welcome_html"] = self.form.get("welcome_html", "") + html
        self.composer["cmp_img"] = ""
        self._refresh_derived()
        self.editor_key += 1
        return None

    @rx.event
    @signed_in
    async def set_hostname_input(self, actor: Actor, value: str) -> Answer:
        """The hostname being typed."""
        self.hostname_input = str(value)[:300]
        return None

    @rx.event
    @signed_in
    async def request_hostname(self, actor: Actor) -> Answer:
        """Request the custom hostname (the one-time fee is recorded against the reseller)."""
        try:
            config.request_hostname(actor, self.hostname_input)
        except ValidationFailed as e:
            self.errors["hostname"] = e.errors.get("hostname", str(e))
            return None
        except ServiceError as e:  # a staff role without configuration rights
            self.errors["hostname"] = error_text(e)
            return None
        self.errors["hostname"] = ""
        data = config.load(actor)
        self.hostname = data["hostname"]
        self.hostname_status = data["hostname_status"]
        self.hostname_fee = data["hostname_fee"]
        self.hostname_proof = data["hostname_proof"]
        self.notice = {"hostname": f"Requested {self.hostname}."}
        return None
