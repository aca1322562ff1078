"""The sub-account configuration page: account, password, device, auth, caller ID, codecs, DTMF, NAT, package."""

from __future__ import annotations

import reflex as rx

from reseller_app import routes
from reseller_app.components.forms import field_error, form_grid
from reseller_app.components.layout import reseller_layout
from reseller_app.state.clients.subaccount import (
    AUTH_TYPES,
    CODECS,
    DEVICE_TYPES,
    DTMF_MODES,
    NAT_MODES,
    SubAccountState,
)

CLIENTS = routes.RESELLER_CLIENTS


def _select(label: str, key: str, options: dict[str, str] | tuple[str, ...]) -> rx.Component:
    pairs = options.items() if isinstance(options, dict) else [(o, o) for o in options]
    return rx.box(
        rx.text(label, size="2", weight="medium"),
        rx.select.root(
            rx.select.trigger(width="100%", id=f"s-{key}"),
            rx.select.content(*[rx.select.item(text, value=value) for value, text in pairs]),
            value=SubAccountState.values[key],
            on_change=SubAccountState.set_field(key),
        ),
        field_error(SubAccountState.errors, key),
        width="100%",
    )


def _sub_input(label: str, key: str) -> rx.Component:
    return rx.box(
        rx.text(label, size="2", weight="medium"),
        rx.input(value=SubAccountState.values[key], on_change=SubAccountState.set_field(key), id=f"s-{key}"),
        field_error(SubAccountState.errors, key),
        width="100%",
    )


def _password() -> rx.Component:
    s = SubAccountState
    return rx.box(
        rx.text("SIP password", size="2", weight="medium", as_="label", html_for="s-password"),
        rx.hstack(
            rx.input(
                value=s.values["password"],
                on_change=s.set_field("password"),
                id="s-password",
                type=rx.cond(s.show_password, "text", "password"),
                auto_complete="new-password",
                flex="1",
                min_width="0",
            ),
            rx.button(
                rx.cond(s.show_password, "Hide", "Show"),
                variant="soft",
                color_scheme="gray",
                on_click=s.toggle_show_password,
                id="s-password-show",
            ),
            rx.button("Generate", variant="soft", on_click=s.generate_password, id="s-password-generate"),
            spacing="2",
            width="100%",
        ),
        field_error(s.errors, "password"),
        width="100%",
    )


def subaccount_config() -> rx.Component:
    """The sub-account configuration page: account, password, device, auth, caller ID, codecs, DTMF, NAT, package."""
    s = SubAccountState
    return reseller_layout(
        "Sub-account configuration",
        rx.card(
            rx.vstack(
                rx.cond(
                    s.sid == "new",
                    rx.box(
                        rx.text("Sub-account name", size="2", weight="medium"),
                        rx.hstack(
                            rx.code(s.values["prefix"]),
                            rx.input(
                                value=s.values["name"],
                                on_change=s.set_field("name"),
                                id="s-name",
                                placeholder="office",
                            ),
                            align="center",
                        ),
                        field_error(s.errors, "name"),
                    ),
                    rx.text("Sub-account ", rx.code(s.values["account"]), size="3"),
                ),
                form_grid(
                    _sub_input("Description", "description"),
                    _password(),
                    _select("Device type", "device_type", DEVICE_TYPES),
                    _select("Authentication type", "auth_type", AUTH_TYPES),
                    _sub_input("Caller ID number", "callerid"),
                    _select("DTMF mode", "dtmf_mode", DTMF_MODES),
                    _select("NAT", "nat", NAT_MODES),
                ),
                rx.box(
                    rx.text("Codecs", size="2", weight="medium"),
                    rx.flex(
                        *[
                            rx.checkbox(
                                c,
                                checked=s.codecs.contains(c),
                                on_change=lambda on, c=c: SubAccountState.toggle_codec(c, on),
                            )
                            for c in CODECS
                        ],
                        gap="1em",
                        wrap="wrap",
                    ),
                    field_error(s.errors, "codecs"),
                ),
                rx.divider(),
                rx.text("Reseller configuration", weight="bold"),
                rx.box(
                    rx.text("Package", size="2", weight="medium"),
                    rx.select.root(
                        rx.select.trigger(id="s-package", min_width="240px"),
                        rx.select.content(
                            rx.select.item("No package", value="none"),
                            rx.foreach(s.packages, lambda p: rx.select.item(p["label"], value=p["id"])),
                        ),
                        value=s.values["package_id"],
                        on_change=s.set_field("package_id"),
                    ),
                ),
                rx.checkbox(
                    "Charge the package's setup fee",
                    checked=s.charge_setup,
                    on_change=s.set_charge_setup,
                    id="charge-setup",
                ),
                field_error(s.errors, "form"),
                field_error(s.errors, "carrier"),
                rx.hstack(
                    rx.button("Update account", on_click=s.save, id="save-subaccount"),
                    rx.link(rx.button("Cancel", variant="soft", color_scheme="gray"), href=CLIENTS + "/" + s.cid),
                ),
                spacing="3",
                width="100%",
            ),
            width="100%",
        ),
    )
