"""The two shells: the reseller's workspace and the client's white-label portal."""

from __future__ import annotations

import reflex as rx

from reseller_app import routes
from reseller_app.components.language import language_picker
from reseller_app.state.i18n import t
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


NEUTRAL_ICON = "/favicon.ico"  # the portal's own neutral icon (assets/favicon.ico)


def favicon(href: rx.Var | str = NEUTRAL_ICON) -> rx.Component:
    """The browser tab's icon; React places the <link> in the document's head wherever it is drawn."""
    return rx.el.link(rel="icon", href=href)


def brand_favicon(brand: rx.Var) -> rx.Component:
    """A client portal's icon: the reseller's uploaded favicon, else the neutral one."""
    return favicon(rx.cond(brand["img_favicon"] != "", brand["img_favicon"], NEUTRAL_ICON))


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


def _logout_button(elem_id: str = "logout") -> rx.Component:
    return rx.button(
        rx.icon("log-out", size=14),
        "Log out",
        on_click=SessionState.reseller_logout,
        variant="outline",
        color_scheme="gray",
        size="2",
        id=elem_id,
        style={"color": "#e5e7eb", "box-shadow": "inset 0 0 0 1px #6b7280"},
        width="100%",
    )


def _phone_menu() -> rx.Component:
    """On a phone the navigation folds into a menu button, so the page itself starts on the first screen."""
    return rx.el.details(
        rx.el.summary(
            rx.hstack(
                rx.text("Reseller portal", weight="bold", color="white", size="3"),
                rx.spacer(),
                rx.hstack(rx.icon("menu", size=18), rx.text("Menu", size="2"), align="center", spacing="1"),
                align="center",
                width="100%",
            ),
            id="nav-menu-button",
            style={"list_style": "none", "cursor": "pointer", "color": "white", "padding": "0.25em 0"},
        ),
        rx.vstack(
            *[_nav_link(*item) for item in RESELLER_NAV],
            rx.text(ResellerState.name, size="1", color="#9ca3af", padding_x="0.75em"),
            _logout_button("logout-menu"),
            spacing="1",
            align="stretch",
            padding_top="0.5em",
        ),
        id="nav-menu",
        background="#1f2937",
        padding="0.75em 1em",
        width="100%",
        display=["block", "block", "none"],
        style={"& summary::-webkit-details-marker": {"display": "none"}},
    )


def reseller_layout(heading: str, *children: rx.Component) -> rx.Component:
    """The reseller workspace: a side navigation (a menu button on narrow screens) and the page."""
    nav = [_nav_link(*item) for item in RESELLER_NAV]
    return rx.box(
        favicon(),
        rx.flex(
            rx.box(
                rx.vstack(
                    rx.heading("Reseller portal", size="4", color="white", padding="0.5em 0.75em"),
                    *nav,
                    rx.spacer(),
                    rx.text(ResellerState.name, size="1", color="#9ca3af", padding_x="0.75em"),
                    _logout_button(),
                    height="100%",
                    spacing="1",
                    align="stretch",
                ),
                background="#1f2937",
                padding="1em",
                width="260px",
                flex_shrink="0",
                min_height="100vh",
                display=["none", "none", "block"],
                id="sidebar",
            ),
            # After the sidebar in the page's order (read first on a desktop), above the page on a phone.
            _phone_menu(),
            rx.box(
                rx.heading(heading, size="6", margin_bottom="0.75em"),
                *children,
                padding=["1em", "1.5em", "2em"],
                flex="1",
                min_width="0",
            ),
            direction=rx.breakpoints(initial="column", sm="row"),
            width="100%",
        ),
        background="#f3f4f6",
        min_height="100vh",
    )


# A row of tabs wider than a phone scrolls sideways inside itself; its right edge fades to say there is more.
SCROLL_CUE = {
    "overflow_x": "auto",
    "mask_image": ["linear-gradient(to right, black 80%, transparent)", "none"],
    "-webkit-mask-image": ["linear-gradient(to right, black 80%, transparent)", "none"],
}

# The reseller's welcome text keeps the look of its own markup (the page's CSS reset would draw an <h3> like a <p>
# and lists without bullets): headings, paragraphs, lists, links and images inside a `rich_text` box.
RICH_TEXT_STYLE = {
    "& h1": {"font_size": "2em", "font_weight": "700", "line_height": "1.2", "margin": "0.5em 0 0.3em"},
    "& h2": {"font_size": "1.5em", "font_weight": "700", "line_height": "1.25", "margin": "0.5em 0 0.3em"},
    "& h3": {"font_size": "1.25em", "font_weight": "700", "line_height": "1.3", "margin": "0.5em 0 0.3em"},
    "& h4": {"font_size": "1.1em", "font_weight": "700", "margin": "0.5em 0 0.3em"},
    "& p": {"margin": "0.4em 0"},
    "& ul": {"list_style": "disc", "padding_left": "1.5em", "margin": "0.4em 0"},
    "& ol": {"list_style": "decimal", "padding_left": "1.5em", "margin": "0.4em 0"},
    "& blockquote": {"border_left": "3px solid #d1d5db", "padding_left": "0.75em", "margin": "0.4em 0"},
    "& a": {"text_decoration": "underline"},
    "& img": {"max_width": "100%", "height": "auto"},
    "overflow_wrap": "anywhere",
}


def rich_text(html: rx.Var | str, **props: object) -> rx.Component:
    """Sanitized HTML (the welcome text) drawn with its headings, lists and links."""
    return rx.box(rx.html(html), style=RICH_TEXT_STYLE, width="100%", **props)


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


def client_button(label: str | rx.Var, kind: str = "primary", **props) -> rx.Component:  # noqa: ANN003
    """A button in the reseller's colours (primary, success, exit or delete)."""
    return rx.button(
        label,
        background=_brand(f"btn_{kind}_bg"),
        color=_brand(f"btn_{kind}_fg"),
        # Disabled (a pager at its first page, Buy with nothing to buy) reads as disabled, in the brand's colours.
        _disabled={"opacity": "0.4", "cursor": "not-allowed", "filter": "saturate(0.3)"},
        **props,
    )


def client_panel(title: str | rx.Var, *children: rx.Component, **props) -> rx.Component:  # noqa: ANN003
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

    def link(label: rx.Var, page: str) -> rx.Component:
        return rx.link(label, href=f"/r/{rid}/{page}", color=_brand("color_navbar_text"), size="2", weight="medium")

    return rx.box(
        brand_favicon(PortalState.brand),
        rx.flex(
            rx.hstack(
                rx.cond(
                    _brand("img_header") != "",
                    rx.image(src=_brand("img_header"), height="32px", alt="", id="brand-logo"),
                ),
                rx.text(
                    _brand("title"),
                    weight="bold",
                    size="4",
                    color=_brand("color_navbar_text"),
                    overflow_wrap="anywhere",
                ),
                align="center",
            ),
            rx.spacer(),
            rx.flex(
                link(t("Dashboard"), "dashboard"),
                rx.cond(PortalState.show_balance, link(t("Balance"), "balance")),
                rx.cond(PortalState.show_balance, link(t("Invoices"), "invoices")),
                rx.cond(PortalState.show_calls, link(t("Call history"), "calls")),
                rx.cond(PortalState.show_messages, link(t("Messages"), "messages")),
                rx.cond(~PortalState.services_hidden, link(t("Services"), "services")),
                rx.cond(PortalState.show_phone_system, link(t("Phone system"), "phone-system")),
                rx.cond(PortalState.show_call_flows, link(t("Call flows"), "call-flows")),
                rx.cond(PortalState.show_security, link(t("Security"), "security")),
                language_picker(_brand("color_navbar_text"), PortalState.choose_language),
                client_button(t("Log out"), "exit", size="1", on_click=SessionState.client_logout, id="client-logout"),
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
                    rx.text(t("You are viewing this portal as the client.")),
                    rx.link(t("Back to client's accounts"), href=routes.RESELLER_CLIENTS, id="back-to-reseller"),
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
