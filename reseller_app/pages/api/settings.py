"""`/reseller/api`: switch on the REST API, set its password and IP allow-list, and choose the carrier."""

from __future__ import annotations

import reflex as rx

from reseller_app.components.layout import reseller_layout
from reseller_app.state.api.settings import ApiSettingsState as S


def _error(field: str) -> rx.Component:
    return rx.cond(S.errors.contains(field), rx.text(S.errors[field], color="red", size="2", id=f"error-{field}"))


def _label(text: str, html_for: str) -> rx.Component:
    return rx.text(text, as_="label", size="2", weight="medium", html_for=html_for)


def _card(title: str, *children: rx.Component) -> rx.Component:
    return rx.card(rx.vstack(rx.heading(title, size="4"), *children, spacing="3", width="100%"), width="100%")


def _access() -> rx.Component:
    return _card(
        "REST API",
        rx.text(
            "A VoIP.ms-compatible API at /api/v1/rest.php. Use your account email as api_username and the API "
            "password below as api_password (your login password does not work there).",
            size="2",
            color="gray",
        ),
        rx.text("API username: ", rx.code(S.api_username), size="2"),
        rx.form(
            rx.vstack(
                rx.hstack(
                    rx.checkbox(name="enabled", id="enabled", default_checked=S.enabled, key=S.enabled.to_string()),
                    _label("Enable the API", "enabled"),
                    align="center",
                ),
                _error("enabled"),
                _label("Allowed IP addresses (comma separated; empty allows any)", "ip_allowlist"),
                rx.text_area(
                    name="ip_allowlist",
                    id="ip_allowlist",
                    default_value=S.ip_allowlist,
                    key=S.ip_allowlist,
                    placeholder="203.0.113.7, 198.51.100.0/24",
                    width="100%",
                ),
                _error("ip_allowlist"),
                rx.button("Save API access", type="submit", id="save-access"),
                spacing="2",
                width="100%",
            ),
            on_submit=S.save_access,
            reset_on_submit=False,
        ),
    )


def _password() -> rx.Component:
    return _card(
        "API password",
        rx.text(
            rx.cond(S.has_password, "An API password is set. Enter a new one to replace it.", "No API password yet."),
            size="2",
            color="gray",
            id="api-password-status",
        ),
        rx.form(
            rx.vstack(
                _label("New API password", "api_password"),
                rx.input(name="api_password", id="api_password", type="password", auto_complete="new-password"),
                _error("password"),
                _label("Repeat it", "api_password_confirm"),
                rx.input(
                    name="api_password_confirm",
                    id="api_password_confirm",
                    type="password",
                    auto_complete="new-password",
                ),
                _error("confirm"),
                rx.button("Save API password", type="submit", id="save-password"),
                spacing="2",
                width="100%",
                max_width="400px",
            ),
            on_submit=S.save_password,
            reset_on_submit=True,
        ),
    )


def _choice(value: str, label: str) -> rx.Component:
    return rx.text(
        rx.flex(rx.radio_group.item(value=value, id=f"carrier-{value}"), label, spacing="2", align="center"),
        as_="label",
        size="2",
    )


def _carrier() -> rx.Component:
    return _card(
        "Carrier",
        rx.text(
            "The sandbox carrier needs no account (numbers, sub-accounts and calls are simulated). "
            "VoIP.ms uses your VoIP.ms API login.",
            size="2",
            color="gray",
        ),
        rx.form(
            rx.vstack(
                rx.radio_group.root(
                    rx.flex(
                        _choice("sandbox", "Sandbox (simulated)"),
                        _choice("voipms", "VoIP.ms"),
                        spacing="5",
                        wrap="wrap",
                    ),
                    value=S.carrier_kind,
                    on_change=S.set_carrier_kind,
                    id="carrier_kind",
                    name="carrier_kind",
                ),
                _error("carrier_kind"),
                rx.cond(
                    S.carrier_kind == "voipms",
                    rx.vstack(
                        _label("VoIP.ms API username (email)", "carrier_username"),
                        rx.input(
                            name="carrier_username",
                            id="carrier_username",
                            default_value=S.carrier_username,
                            key=S.carrier_username,
                            width="100%",
                        ),
                        _error("carrier_username"),
                        _label("VoIP.ms API password", "carrier_password"),
                        rx.input(
                            name="carrier_password",
                            id="carrier_password",
                            type="password",
                            auto_complete="off",
                            placeholder=rx.cond(S.has_carrier_secret, "saved (leave empty to keep)", ""),
                            width="100%",
                        ),
                        _error("carrier_password"),
                        spacing="2",
                        width="100%",
                    ),
                ),
                rx.button("Save carrier", type="submit", id="save-carrier"),
                spacing="2",
                width="100%",
                max_width="400px",
            ),
            on_submit=S.save_carrier,
            reset_on_submit=True,
        ),
    )


def api_settings() -> rx.Component:
    """The page."""
    return reseller_layout(
        "API & carrier",
        rx.vstack(
            rx.cond(
                S.notice != "", rx.callout(S.notice, icon="check", color_scheme="green", id="notice", width="100%")
            ),
            _access(),
            _password(),
            _carrier(),
            spacing="4",
            width="100%",
            max_width="760px",
        ),
    )
