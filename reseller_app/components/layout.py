"""The two shells: the reseller's workspace and the client's white-label portal."""

from __future__ import annotations

import reflex as rx

from reseller_app import routes
from reseller_app.state.portal.shell import PortalState
from reseller_app.state.reporting.overview import ResellerState
from reseller_app.state.session import SessionState

RESELLER_NAV = [
    ("Overview", routes.RESELLER_HOME, "layout-dashboard"),
    ("Reseller configuration", routes.RESELLER_CONFIG, "palette"),
    ("Manage rates & packages", routes.RESELLER_PACKAGES, "package"),
    ("Manage client's accounts", routes.RESELLER_CLIENTS, "users"),
    ("Invoices", routes.RESELLER_INVOICES, "receipt"),
    ("Reports", routes.RESELLER_REPORTS, "chart-bar"),
    ("API & carrier", "/reseller/api", "plug"),
    ("Staff", routes.RESELLER_STAFF, "user-cog"),
    ("Audit log", routes.RESELLER_AUDIT, "scroll-text"),
]


def _nav_link(label: str, href: str, icon: str) -> rx.Component:
    active = rx.State.router.page.path == href
    return rx.link(
        rx.hstack(rx.icon(icon, size=16), rx.text(label, size="2"), align="center", spacing="2"),
        href=href,
        underline="none",
        padding_x="0.75em",
        padding_y="0.5em",
        border_radius="6px",
        color=rx.cond(active, "white", "#d1d5db"),
        background=rx.cond(active, "#374151", "transparent"),
        _hover={"background": "#374151", "color": "white"},
        width="100%",
    )


def reseller_layout(heading: str, *children: rx.Component) -> rx.Component:
    """The reseller workspace: a side navigation (a top bar on narrow screens) and the page."""
    nav = [_nav_link(*item) for item in RESELLER_NAV]
    return rx.box(
        rx.flex(
            rx.box(
                rx.vstack(
                    rx.heading("Reseller portal", size="4", color="white", padding="0.5em 0.75em"),
                    *nav,
                    rx.spacer(),
                    rx.text(ResellerState.name, size="1", color="#9ca3af", padding_x="0.75em"),
                    rx.button(
                        rx.icon("log-out", size=14),
                        "Log out",
                        on_click=SessionState.reseller_logout,
                        variant="outline",
                        color_scheme="gray",
                        size="2",
                        id="logout",
                        style={"color": "#e5e7eb", "box-shadow": "inset 0 0 0 1px #6b7280"},
                        width="100%",
                    ),
                    height="100%",
                    spacing="1",
                    align="stretch",
                ),
                background="#1f2937",
                padding="1em",
                width=["100%", "100%", "260px"],
                min_height=["auto", "auto", "100vh"],
            ),
            rx.box(
                rx.heading(heading, size="6", margin_bottom="0.75em"),
                *children,
                padding=["1em", "1.5em", "2em"],
                flex="1",
                min_width="0",
            ),
            direction=rx.breakpoints(initial="column", md="row"),
            width="100%",
        ),
        background="#f3f4f6",
        min_height="100vh",
    )


def stat_card(label: str, value: rx.Var | str, color: rx.Var | str | None = None) -> rx.Component:
    """A figure with its label."""
    return rx.card(
        rx.text(label, size="1", color="gray"),
        rx.text(value, size="6", weight="bold", color=color)
        if color is not None
        else rx.text(value, size="6", weight="bold"),
        min_width="150px",
        flex="1",
    )


def empty_state(title: str, detail: str) -> rx.Component:
    """An honest empty state: what is missing and how to get some."""
    return rx.card(
        rx.vstack(
            rx.icon("inbox", size=28, color="gray"),
            rx.text(title, weight="bold"),
            rx.text(detail, size="2", color="gray"),
            align="center",
            padding="1.5em",
        ),
        width="100%",
    )


def _brand(key: str) -> rx.Var:
    return PortalState.brand[key]


def client_button(label: str, kind: str = "primary", **props) -> rx.Component:  # noqa: ANN003
    """A button in the reseller's colours (primary, success, exit or delete)."""
    return rx.button(
        label,
        background=_brand(f"btn_{kind}_bg"),
        color=_brand(f"btn_{kind}_fg"),
        **props,
    )


def client_panel(title: str, *children: rx.Component, **props) -> rx.Component:  # noqa: ANN003
    """A panel in the reseller's panel colours."""
    return rx.box(
        rx.box(rx.text(title, weight="bold", size="2"), background=_brand("panel_header_bg"), padding="0.5em 1em"),
        rx.box(*children, padding="1em"),
        background=_brand("panel_bg"),
        color=_brand("panel_fg"),
        border_radius="8px",
        overflow="hidden",
        box_shadow="0 1px 2px rgba(0,0,0,0.08)",
        **props,
    )


def client_layout(*children: rx.Component) -> rx.Component:
    """The white-label client portal: only the reseller's title, colours and images."""
    rid = rx.State.rid

    def link(label: str, page: str) -> rx.Component:
        return rx.link(label, href=f"/r/{rid}/{page}", color=_brand("color_navbar_text"), size="2", weight="medium")

    return rx.box(
        rx.flex(
            rx.hstack(
                rx.cond(
                    _brand("img_header") != "",
                    rx.image(src=_brand("img_header"), height="32px", alt="", id="brand-logo"),
                ),
                rx.text(_brand("title"), weight="bold", size="4", color=_brand("color_navbar_text")),
                align="center",
            ),
            rx.spacer(),
            rx.flex(
                link("Dashboard", "dashboard"),
                rx.cond(PortalState.show_balance, link("Balance", "balance")),
                rx.cond(PortalState.show_balance, link("Invoices", "invoices")),
                rx.cond(PortalState.show_calls, link("Call history", "calls")),
                rx.cond(PortalState.show_messages, link("Messages", "messages")),
                rx.cond(~PortalState.services_hidden, link("Services", "services")),
                rx.cond(PortalState.show_phone_system, link("Phone system", "phone-system")),
                rx.cond(PortalState.show_call_flows, link("Call flows", "call-flows")),
                client_button("Log out", "exit", size="1", on_click=SessionState.client_logout, id="client-logout"),
                gap="1em",
                align="center",
                wrap="wrap",
            ),
            background=_brand("color_navbar"),
            padding="0.75em 1.5em",
            align="center",
            wrap="wrap",
            gap="0.75em",
        ),
        rx.cond(
            PortalState.impersonated,
            rx.callout(
                rx.hstack(
                    rx.text("You are viewing this portal as the client."),
                    rx.link("Back to client's accounts", href=routes.RESELLER_CLIENTS, id="back-to-reseller"),
                    spacing="3",
                    wrap="wrap",
                ),
                icon="eye",
                size="1",
                margin="0.5em 1.5em",
            ),
        ),
        rx.box(
            rx.cond(
                _brand("img_content_logo") != "",
                rx.image(src=_brand("img_content_logo"), max_height="60px", alt="", margin_bottom="1em"),
            ),
            *children,
            padding=["1em", "1.5em", "2em"],
            max_width="1100px",
            margin="0 auto",
            style={"& a": {"color": _brand("color_link")}},
        ),
        background=_brand("color_background"),
        color=_brand("color_text"),
        min_height="100vh",
    )
