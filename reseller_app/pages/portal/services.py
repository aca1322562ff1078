"""The client's Services page: the services the package or the reseller allows, each in its panel."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from reseller_app.components.forms import field_error
from reseller_app.components.layout import client_button, client_layout, client_panel
from reseller_app.pages.portal.parts import (
    SELECT_STYLE,
    STACKED,
    empty,
    labelled,
    portal_pager,
    portal_table,
    scroll,
)
from reseller_app.state.i18n import t, t_format
from reseller_app.state.portal.services import (
    AUTH_CHOICES,
    CODECS,
    DEVICE_CHOICES,
    DTMF_CHOICES,
    FIELD_LABELS,
    NAT_CHOICES,
)
from reseller_app.state.portal.services import ServicesState as SV  # noqa: N814 - short alias used in every field of the page

ERROR_COLOR = "#b91c1c"


def _on(service: str) -> rx.Var:
    return SV.services.contains(service)


def _err(key: str) -> rx.Component:
    return field_error(SV.errors, key, color=ERROR_COLOR)


def _field(label: rx.Var, name: str, **props: object) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", weight="medium", as_="label", html_for=name),
        rx.input(name=name, id=name, size="2", **props),
        _err(name),
        spacing="1",
        min_width="140px",
        flex="1",
    )


def _action_table(
    headers: list[rx.Var], rows: rx.Var, cells: list[str], action: Callable[[rx.Var], rx.Component], empty_text: rx.Var
) -> rx.Component:
    return rx.cond(
        rows.length() > 0,
        scroll(
            rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in [*headers, ""]])),
                rx.table.body(
                    rx.foreach(
                        rows,
                        lambda r: rx.table.row(
                            *[
                                rx.table.cell(r[c], custom_attrs={"data-label": h})
                                for h, c in zip(headers, cells, strict=True)
                            ],
                            rx.table.cell(action(r), custom_attrs={"data-label": ""}),
                        ),
                    )
                ),
                size="1",
                width="100%",
                style=STACKED,  # one card per row on a phone
            )
        ),
        empty(empty_text),
    )


def _sub_select(name: str, choices: dict[str, str]) -> rx.Component:
    return rx.el.select(
        *[rx.el.option(t(text), value=value) for value, text in choices.items()],
        name=name,
        default_value=SV.edit_values[name],
        id=f"sub-{name}",
        style=SELECT_STYLE,
    )


def _sub_control(name: str) -> rx.Component:
    """The control of one sub-account setting: a labelled input, a select of its choices, or codec ticks."""
    if name == "password":
        return rx.vstack(
            rx.input(
                name=name,
                id="sub-password",
                type=rx.cond(SV.show_password, "text", "password"),
                default_value=SV.edit_values[name],
                auto_complete="new-password",
                size="2",
            ),
            rx.hstack(
                client_button(
                    rx.cond(SV.show_password, t("Hide"), t("Show")), "exit", type="button", size="1",
                    on_click=SV.toggle_show_password, id="sub-password-show",
                ),
                client_button(t("Generate"), "primary", type="button", size="1", on_click=SV.generate_password),
                spacing="2",
            ),
            spacing="1",
        )  # fmt: skip
    if name == "codecs":
        return rx.flex(
            *[
                rx.checkbox(
                    codec,
                    checked=SV.edit_codecs.contains(codec),
                    on_change=lambda on, c=codec: SV.toggle_edit_codec(c, on),
                    # No id: inside the form it would be submitted too; the state holds the ticks.
                    class_name=f"sub-codec sub-codec-{codec}",
                )
                for codec in CODECS
            ],
            gap="0.75em",
            wrap="wrap",
            id="sub-codecs",
        )
    choices = {"device_type": DEVICE_CHOICES, "auth_type": AUTH_CHOICES, "dtmf": DTMF_CHOICES, "nat": NAT_CHOICES}
    if name in choices:
        return _sub_select(name, choices[name])
    placeholder = "+1 514 555 0100" if name == "callerid" else ""
    return rx.input(name=name, id=f"sub-{name}", default_value=SV.edit_values[name], placeholder=placeholder, size="2")


def _sub_field(name: str) -> rx.Component:
    return rx.vstack(
        rx.text(t(FIELD_LABELS[name]), size="1", weight="medium", as_="label", html_for=f"sub-{name}"),
        _sub_control(name),
        _err(name),
        spacing="1",
        min_width="160px",
    )


def _subaccounts() -> rx.Component:
    def edit(r: rx.Var) -> rx.Component:
        return rx.cond(
            r["editable"] != "",
            client_button(t("Edit"), size="1", on_click=SV.open_edit(r["id"]), id=f"edit-{r['account']}"),
        )

    headers = [t("Sub-account"), t("Description"), t("Package"), t("Status")]
    cells = ["account", "description", "package", "status"]
    edit_form = rx.cond(
        SV.edit_sub != "",
        rx.form(
            rx.flex(
                *[rx.cond(SV.edit_fields.contains(name), _sub_field(name)) for name in FIELD_LABELS],
                gap="1em",
                wrap="wrap",
                align="start",
                width="100%",
            ),
            rx.hstack(
                client_button(t("Save"), "success", type="submit", id="save-sub"),
                client_button(t("Cancel"), "exit", type="button", on_click=SV.close_forms),
                margin_top="0.75em",
            ),
            on_submit=SV.save_edit,
            reset_on_submit=False,
            margin_top="1em",
            id="sub-form",
        ),
    )
    return client_panel(
        t("Sub-accounts"),
        rx.cond(
            SV.show_sip_password,
            _action_table(
                [*headers, t("SIP/IAX password")], SV.subaccounts, [*cells, "password"], edit, t("None yet.")
            ),
            _action_table(headers, SV.subaccounts, cells, edit, t("No sub-accounts yet.")),
        ),
        edit_form,
        width="100%",
    )


def _numbers() -> rx.Component:
    def e911_button(r: rx.Var) -> rx.Component:
        return rx.cond(
            _on("e911") & (r["e911_set"] == ""),
            client_button(t("Add e911"), size="1", on_click=SV.open_e911(r["id"]), id=f"e911-{r['number']}"),
        )

    buy = rx.cond(
        SV.did_purchase,
        rx.box(
            rx.heading(t("Buy a number"), size="3", margin_top="1em"),
            rx.cond(
                SV.suspended,
                rx.text(
                    t("Your account is suspended: add funds before buying numbers."),
                    color=ERROR_COLOR,
                    id="buy-suspended",
                ),
                rx.flex(
                    labelled(
                        t("Number"),
                        rx.el.select(
                            rx.foreach(
                                SV.offers,
                                lambda o: rx.el.option(o["number"], " · ", o["rate_center"], value=o["number"]),
                            ),
                            value=SV.buy_number,
                            on_change=SV.set_buy_number,
                            id="buy-number",
                            style=SELECT_STYLE,
                        ),
                    ),
                    labelled(
                        t("Rings"),
                        rx.el.select(
                            rx.foreach(SV.subaccounts, lambda s: rx.el.option(s["account"], value=s["id"])),
                            rx.el.option(t("No sub-account (not ringing yet)"), value="none"),
                            value=rx.cond(SV.buy_sub != "", SV.buy_sub, "none"),
                            on_change=SV.set_buy_sub,
                            id="buy-sub",
                            style=SELECT_STYLE,
                        ),
                    ),
                    rx.text(
                        t_format(
                            "Setup fee {setup} (taken from your balance now), then {monthly} a month.",
                            setup=SV.data["did_setup"],
                            monthly=SV.data["did_monthly"],
                        ),
                        size="2",
                        id="did-fees",
                    ),
                    client_button(
                        t("Buy"),
                        "success",
                        on_click=SV.buy(SV.buy_token),
                        id="buy-did",
                        disabled=(SV.buy_number == "") | (SV.buy_token == ""),
                    ),
                    gap="1em",
                    wrap="wrap",
                    align="end",
                ),
            ),
            _err("number"),
        ),
    )
    return client_panel(
        t("Phone numbers"),
        _action_table(
            [t("Number"), t("Rate centre"), t("Rings"), t("Monthly"), "e911"],
            SV.dids,
            ["number", "rate_center", "routes_to", "monthly", "e911"],
            e911_button,
            t("No numbers yet."),
        ),
        buy,
        width="100%",
    )


def _e911() -> rx.Component:
    form = rx.cond(
        SV.e911_did != "",
        rx.form(
            rx.flex(
                _field(t("Full name"), "full_name"),
                _field(t("Address"), "address"),
                _field(t("City"), "city"),
                _field(t("State / province"), "state"),
                _field(t("ZIP / postal code"), "zip"),
                _field(t("Country (US or CA)"), "country", default_value="US", max_length=2),
                gap="1em",
                wrap="wrap",
            ),
            _err("did"),
            rx.hstack(
                client_button(t("Save e911 record"), "success", type="submit", id="save-e911"),
                client_button(t("Cancel"), "exit", type="button", on_click=SV.close_forms),
                margin_top="0.75em",
            ),
            on_submit=SV.add_e911,
            reset_on_submit=False,
            margin_top="1em",
        ),
    )
    return client_panel(
        "e911",
        rx.text(
            t_format(
                "Emergency address records: {setup} setup, {monthly} a month per number.",
                setup=SV.data["e911_setup"],
                monthly=SV.data["e911_monthly"],
            ),
            size="2",
        ),
        _action_table(
            [t("Number"), t("Name"), t("Address"), t("Monthly")],
            SV.e911,
            ["number", "name", "address", "monthly"],
            lambda r: client_button(t("Remove"), "delete", size="1", on_click=SV.remove_e911(r["id"])),
            t("No e911 records."),
        ),
        form,
        width="100%",
    )


def _voicemail() -> rx.Component:
    return client_panel(
        t("Voicemail"),
        _action_table(
            [t("Mailbox"), t("Name"), t("Email")],
            SV.voicemails,
            ["mailbox", "name", "email"],
            lambda r: client_button(t("Delete"), "delete", size="1", on_click=SV.delete_voicemail(r["id"])),
            t("No voicemail boxes."),
        ),
        rx.form(
            rx.flex(
                _field(t("Mailbox"), "mailbox"),
                _field(t("Name"), "name"),
                _field(t("PIN"), "pin", type="password"),
                _field(t("Email messages to"), "email", type="email"),
                client_button(t("Add voicemail"), type="submit", id="add-voicemail"),
                gap="1em",
                wrap="wrap",
                align="end",
            ),
            on_submit=SV.add_voicemail,
            reset_on_submit=True,
            margin_top="1em",
        ),
        width="100%",
    )


def _forwarding() -> rx.Component:
    return client_panel(
        t("Call forwarding"),
        _action_table(
            [t("Forward to"), t("Description")],
            SV.forwardings,
            ["phone_number", "description"],
            lambda r: client_button(t("Delete"), "delete", size="1", on_click=SV.delete_forwarding(r["id"])),
            t("No call forwarding."),
        ),
        rx.form(
            rx.flex(
                _field(t("Phone number"), "phone_number"),
                _field(t("Description"), "description"),
                client_button(t("Add forwarding"), type="submit", id="add-forwarding"),
                gap="1em",
                wrap="wrap",
                align="end",
            ),
            on_submit=SV.add_forwarding,
            reset_on_submit=True,
            margin_top="1em",
        ),
        width="100%",
    )


def _fax() -> rx.Component:
    return client_panel(
        t("Fax"),
        portal_table(
            [t("Fax number"), t("Rate centre"), t("Monthly")],
            SV.faxes,
            ["number", "rate_center", "monthly"],
            t("No fax numbers."),
        ),
        rx.heading(t("Fax history"), size="3", margin_top="1em"),
        portal_table(
            [t("Date"), t("Direction"), t("Remote number"), t("Pages"), t("Status"), t("Price")],
            SV.fax_rows,
            ["date", "direction", "remote", "pages", "status", "price"],
            t("No faxes yet."),
        ),
        portal_pager(SV.fax_page, SV.fax_pages, SV.fax_next, "fax"),
        width="100%",
    )


def services() -> rx.Component:
    """The services the package or the reseller allows: sub-accounts, numbers, e911, voicemail, forwarding, fax."""
    return client_layout(
        rx.vstack(
            rx.heading(t("Services"), size="6"),
            rx.cond(SV.message != "", rx.callout(SV.message, icon="check", color_scheme="green", id="svc-message")),
            rx.cond(
                SV.errors.contains("form"),
                rx.callout(SV.errors["form"], icon="triangle-alert", color_scheme="red", id="svc-error"),
            ),
            rx.cond(_on("subaccounts"), _subaccounts()),
            rx.cond(_on("dids"), _numbers()),
            rx.cond(_on("e911"), _e911()),
            rx.cond(_on("voicemail"), _voicemail()),
            rx.cond(_on("forwarding"), _forwarding()),
            rx.cond(_on("fax"), _fax()),
            spacing="4",
            width="100%",
        )
    )
