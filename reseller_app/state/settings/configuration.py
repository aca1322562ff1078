"""Reseller configuration: the form (a draft of every tab) and its messages. Services validate and save."""

from __future__ import annotations

import reflex as rx

from reseller_app import routes
from reseller_app.services.common.errors import ServiceError, ValidationFailed
from reseller_app.services.settings import configuration as config
from reseller_app.state.session import ResellerPage

_COMPOSER = {"cmp_text": "", "cmp_font": "Arial", "cmp_color": "#111827", "cmp_size": "16px", "cmp_img": ""}


def _blank_errors() -> dict[str, str]:
    return {k: "" for k in (*config.ALL_FIELDS, "hostname", "cmp_img")}


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
    hostname_input: str = ""
    hostname: str = ""
    hostname_status: str = "none"
    hostname_fee: str = ""
    hostname_proof: str = ""
    client_url: str = ""
    snippet: str = ""
    tab: str = "activation"

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
        self.hostname = data["hostname"]
        self.hostname_status = data["hostname_status"]
        self.hostname_fee = data["hostname_fee"]
        self.hostname_proof = data["hostname_proof"]
        self.client_url = config.client_url(data["portal_base"], self.reseller_id)
        self.snippet = config.autoconnect_snippet(data["portal_base"], self.reseller_id)
        self._refresh_derived()

    @rx.event
    async def load(self):  # noqa: ANN201
        """Open the page with the saved values of every tab."""
        actor = await self._actor()
        if actor is None:
            return rx.redirect(routes.RESELLER_LOGIN)
        self._apply(config.load(actor))
        self.errors = _blank_errors()
        self.notice = {}
        return None

    @rx.event
    async def set_tab(self, tab: str):  # noqa: ANN201
        """Remember the open tab."""
        if await self._actor() is None:
            return rx.redirect(routes.RESELLER_LOGIN)
        self.tab = str(tab)
        return None

    @rx.event
    async def set_field(self, key: str, value: str):  # noqa: ANN201
        """Change one draft value; the previews and contrast warnings follow at once (nothing is saved)."""
        if await self._actor() is None:
            return rx.redirect(routes.RESELLER_LOGIN)
        if key in config.ALL_FIELDS:
            self.form[key] = str(value)[:20000]
            self._refresh_derived()
        return None

    @rx.event
    async def set_flag(self, key: str, value: bool):  # noqa: ANN201
        """A switch or checkbox of the draft."""
        return await self.set_field(key, "1" if value else "")

    @rx.event
    async def save(self, section: str):  # noqa: ANN201
        """Publish one tab; bad input shows a message beside each field and nothing changes."""
        actor = await self._actor()
        if actor is None:
            return rx.redirect(routes.RESELLER_LOGIN)
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
        return None

    @rx.event
    async def reset_branding(self):  # noqa: ANN201
        """Put the default branding in the draft (Save publishes it)."""
        if await self._actor() is None:
            return rx.redirect(routes.RESELLER_LOGIN)
        for k, v in config.default_branding().items():
            self.form[k] = v
        self._refresh_derived()
        self.notice = {"branding": "Defaults loaded in the preview. Save to publish them."}
        return None

    @rx.event
    async def set_active(self, active: bool):  # noqa: ANN201
        """The Activate (or Deactivate) button."""
        actor = await self._actor()
        if actor is None:
            return rx.redirect(routes.RESELLER_LOGIN)
        self.portal_active = config.set_active(actor, bool(active))
        self.notice = {"activation": "Your client portal is active." if self.portal_active else "Portal turned off."}
        return None

    async def _upload(self, slot: str, files: list[rx.UploadFile]):  # noqa: ANN202
        actor = await self._actor()
        if actor is None:
            return rx.redirect(routes.RESELLER_LOGIN)
        self.errors[slot] = ""
        for f in files[:1]:
            # Read one byte past the limit so an oversized file is refused without reading all of it.
            data = await f.read(config.MAX_UPLOAD_BYTES + 1)
            try:
                url = config.store_upload(actor, slot, data, rx.get_upload_dir())
            except ValidationFailed as e:
                self.errors[slot] = e.errors.get(slot, str(e))
                return None
            except ServiceError as e:
                self.errors[slot] = str(e)
                return None
            self.form[slot] = url
            self.notice = {"branding": "Image uploaded to the preview. Save to publish it."}
        return None

    @rx.event
    async def upload_login_background(self, files: list[rx.UploadFile]):  # noqa: ANN201
        """Upload the login background image into the draft."""
        return await self._upload("img_login_background", files)

    @rx.event
    async def upload_login_logo(self, files: list[rx.UploadFile]):  # noqa: ANN201
        """Upload the login logo into the draft."""
        return await self._upload("img_login_logo", files)

    @rx.event
    async def upload_header(self, files: list[rx.UploadFile]):  # noqa: ANN201
        """Upload the header image into the draft."""
        return await self._upload("img_header", files)

    @rx.event
    async def upload_content_logo(self, files: list[rx.UploadFile]):  # noqa: ANN201
        """Upload the content logo into the draft."""
        return await self._upload("img_content_logo", files)

    @rx.event
    async def set_composer(self, key: str, value: str):  # noqa: ANN201
        """A value of the welcome-text toolbar (text, font, colour, size or image URL)."""
        if await self._actor() is None:
            return rx.redirect(routes.RESELLER_LOGIN)
        if key in _COMPOSER:
            self.composer[key] = str(value)[:2000]
        return None

    @rx.event
    async def add_paragraph(self):  # noqa: ANN201
        """Append the toolbar's text to the welcome text in the chosen font, colour and size."""
        if await self._actor() is None:
            return rx.redirect(routes.RESELLER_LOGIN)
        c = self.composer
        html = config.compose_paragraph(c["cmp_text"], c["cmp_font"], c["cmp_color"], c["cmp_size"])
        self.form["welcome_html"] = self.form.get("welcome_html", "") + html
        self.composer["cmp_text"] = ""
        self._refresh_derived()
        return None

    @rx.event
    async def add_image(self):  # noqa: ANN201
        """Append an https image to the welcome text."""
        if await self._actor() is None:
            return rx.redirect(routes.RESELLER_LOGIN)
        try:
            html = config.compose_image(self.composer["cmp_img"])
        except ValidationFailed as e:
            self.errors["cmp_img"] = e.errors["cmp_img"]
            return None
        self.errors["cmp_img"] = ""
        self.form["welcome_html"] = self.form.get("welcome_html", "") + html
        self.composer["cmp_img"] = ""
        self._refresh_derived()
        return None

    @rx.event
    async def set_hostname_input(self, value: str):  # noqa: ANN201
        """The hostname being typed."""
        if await self._actor() is None:
            return rx.redirect(routes.RESELLER_LOGIN)
        self.hostname_input = str(value)[:300]
        return None

    @rx.event
    async def request_hostname(self):  # noqa: ANN201
        """Request the custom hostname (the one-time fee is recorded against the reseller)."""
        actor = await self._actor()
        if actor is None:
            return rx.redirect(routes.RESELLER_LOGIN)
        try:
            config.request_hostname(actor, self.hostname_input)
        except ValidationFailed as e:
            self.errors["hostname"] = e.errors.get("hostname", str(e))
            return None
        self.errors["hostname"] = ""
        data = config.load(actor)
        self.hostname = data["hostname"]
        self.hostname_status = data["hostname_status"]
        self.hostname_fee = data["hostname_fee"]
        self.hostname_proof = data["hostname_proof"]
        self.notice = {"hostname": f"Requested {self.hostname}."}
        return None

    @rx.event
    async def copy_snippet(self):  # noqa: ANN201
        """Copy the auto-connect HTML to the clipboard."""
        if await self._actor() is None:
            return rx.redirect(routes.RESELLER_LOGIN)
        self.notice = {"snippet": "Copied to the clipboard."}
        return rx.set_clipboard(self.snippet)
