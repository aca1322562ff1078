"""The Billing tab of Reseller configuration: a draft of currency, business details, taxes, numbering and the
invoice email; the service validates and saves it whole."""

from __future__ import annotations

import reflex as rx

from reseller_app.billing.invoice import CATEGORIES
from reseller_app.services.access.actor import Actor
from reseller_app.services.common.errors import ServiceError, ValidationFailed
from reseller_app.services.invoicing import profile
from reseller_app.state.messages import field_errors
from reseller_app.state.session import Answer, ResellerPage, signed_in

CURRENCIES = [{"code": c, "label": label} for c, label in profile.currencies()]
CATEGORY_CHOICES = profile.CATEGORY_CHOICES
FORM_KEYS = (*profile.PROFILE_FIELDS, "currency", "next_number", "email_subject", "email_body")
TAX_KEYS = ("name", "rate", "country", "region", "compound", "applies_to")


def _blank_tax() -> dict[str, str]:
    return {"name": "", "rate": "", "country": "", "region": "", "compound": "", "applies_to": ",".join(CATEGORIES)}


class BillingSettingsState(ResellerPage, rx.State):
    """The tab's draft: `form` and `taxes` as strings, a message per bad field (taxes: tax_<i>_<field>)."""

    form: dict[str, str] = {}
    taxes: list[dict[str, str]] = []
    errors: dict[str, str] = {}
    notice: str = ""
    numbering_locked: bool = False
    email_preview: str = ""
    loaded_for: str = ""  # the reseller whose values the draft holds (a tab switch keeps the draft as typed)

    def _apply(self, data: dict) -> None:
        self.form = data["form"]
        self.taxes = data["taxes"]
        self.numbering_locked = bool(data["numbering_locked"])
        self._preview()

    def _preview(self) -> None:
        self.email_preview = profile.preview_email(
            self.form.get("email_subject", ""), self.form.get("email_body", ""), self.form.get("currency", "USD")
        )

    @rx.event
    @signed_in
    async def load(self, actor: Actor) -> Answer:
        """The saved values, unless the draft already holds this reseller's (opening the tab again keeps it)."""
        if self.loaded_for == str(actor.reseller_id):
            return None
        self._apply(profile.load(actor))
        self.loaded_for = str(actor.reseller_id)
        self.errors, self.notice = {}, ""
        return None

    @rx.event
    @signed_in
    async def set_field(self, actor: Actor, key: str, value: str) -> Answer:
        """One draft value (nothing is saved)."""
        if key in FORM_KEYS:
            self.form[key] = str(value)[:10000]
            self._preview()
        return None

    @rx.event
    @signed_in
    async def set_tax(self, actor: Actor, index: int, key: str, value: str) -> Answer:
        """One value of a tax row of the draft."""
        self._set_tax(int(index), key, str(value))
        return None

    def _set_tax(self, i: int, key: str, value: str) -> None:
        if key in TAX_KEYS and 0 <= i < len(self.taxes):
            row = dict(self.taxes[i])
            row[key] = value[:200]
            self.taxes[i] = row

    @rx.event
    @signed_in
    async def set_compound(self, actor: Actor, index: int, value: bool) -> Answer:
        """The compound switch of a tax row."""
        self._set_tax(int(index), "compound", "1" if value else "")
        return None

    @rx.event
    @signed_in
    async def set_applies(self, actor: Actor, index: int, category: str, on: bool) -> Answer:
        """Tick or untick what a tax applies to."""
        i = int(index)
        if category not in CATEGORIES or not 0 <= i < len(self.taxes):
            return None
        now = [c for c in self.taxes[i].get("applies_to", "").split(",") if c in CATEGORIES]
        wanted = [c for c in CATEGORIES if (c in now and c != category) or (c == category and on)]
        row = dict(self.taxes[i])
        row["applies_to"] = ",".join(wanted)
        self.taxes[i] = row
        return None

    @rx.event
    @signed_in
    async def add_tax(self, actor: Actor) -> Answer:
        """A new empty tax row."""
        if len(self.taxes) < 50:
            self.taxes = [*self.taxes, _blank_tax()]
        return None

    @rx.event
    @signed_in
    async def remove_tax(self, actor: Actor, index: int) -> Answer:
        """Drop a tax row from the draft."""
        i = int(index)
        self.taxes = [t for j, t in enumerate(self.taxes) if j != i]
        self.errors = {}
        return None

    @rx.event
    @signed_in
    async def save(self, actor: Actor) -> Answer:
        """Save the whole tab; bad input shows a message beside each field and nothing changes."""
        try:
            self._apply(profile.save(actor, self.form, self.taxes))
        except ValidationFailed as e:
            self.errors = field_errors(e)
            self.notice = "Not saved: correct the fields marked in red."
            return None
        except ServiceError as e:
            self.notice = str(e)
            return None
        self.errors = {}
        self.notice = "Saved."
        return None
