"""Reseller configuration: activation, interface & access, branding, display, services, messages, payment, hostname."""

from __future__ import annotations

import reflex as rx
from reflex_base.vars.function import ArgsFunctionOperation, FunctionStringVar

from reseller_app import i18n
from reseller_app.components.brand_preview import brand_preview
from reseller_app.components.layout import SCROLL_CUE, reseller_layout, rich_text
from reseller_app.components.rich_text import rich_text_editor
from reseller_app.pages.invoicing.billing_settings import billing_tab
from reseller_app.pages.settings.stripe_keys import stripe_section
from reseller_app.state.settings.configuration import (
    HOSTNAME_A_RECORD,
    IMAGE_FIELDS,
    IMAGE_LABELS,
    SERVICE_LABELS,
    SIGNUP_CHOICES,
    SIGNUP_FIELD_LABELS,
    SIGNUP_FIELDS,
    ConfigState,
)

F = ConfigState.form
E = ConfigState.errors

TABS = (
    ("activation", "Activation"),
    ("interface", "Interface & Access"),
    ("branding", "Branding"),
    ("display", "Display elements"),
    ("services", "Services"),
    ("languages", "Languages"),
    ("messages", "Messages"),
    ("payment", "Payment"),
    ("hostname", "Hostname"),
    ("billing", "Billing"),
)


def _error(key: str) -> rx.Component:
    return rx.cond(E[key] != "", rx.text(E[key], size="1", color="#b91c1c", id=f"err-{key}", role="alert"))


def _text(label: str, key: str, **props) -> rx.Component:  # noqa: ANN003
    return rx.vstack(
        rx.text(label, as_="label", size="2", weight="medium", html_for=f"f-{key}"),
        rx.input(
            value=F[key],
            on_change=lambda v: ConfigState.set_field(key, v),
            id=f"f-{key}",
            width="100%",
            color_scheme=rx.cond(E[key] != "", "red", "blue"),
            **props,
        ),
        _error(key),
        spacing="1",
        width="100%",
    )


def _area(label: str, key: str, rows: str = "5") -> rx.Component:
    return rx.vstack(
        rx.text(label, as_="label", size="2", weight="medium", html_for=f"f-{key}"),
        rx.text_area(
            value=F[key], on_change=lambda v: ConfigState.set_field(key, v), id=f"f-{key}", rows=rows, width="100%"
        ),
        _error(key),
        spacing="1",
        width="100%",
    )


def _switch(label: str, key: str) -> rx.Component:
    return rx.text(
        rx.flex(
            rx.switch(checked=F[key] == "1", on_change=lambda v: ConfigState.set_flag(key, v), id=f"f-{key}"),
            label,
            spacing="2",
            align="center",
        ),
        as_="label",
        size="2",
    )


def _color(label: str, key: str) -> rx.Component:
    return rx.vstack(
        rx.text(label, as_="label", size="1", weight="medium", html_for=f"f-{key}"),
        rx.hstack(
            rx.el.input(
                type="color",
                value=F[key],
                on_change=lambda v: ConfigState.set_field(key, v),
                aria_label=f"{label} picker",
                style={"width": "36px", "height": "32px", "border": "none", "padding": "0", "background": "none"},
            ),
            rx.input(value=F[key], on_change=lambda v: ConfigState.set_field(key, v), id=f"f-{key}", width="100px"),
            spacing="2",
            align="center",
        ),
        _error(key),
        spacing="1",
    )


def _save(section: str, label: str = "Save") -> rx.Component:
    return rx.hstack(
        rx.button(label, on_click=ConfigState.save(section), id=f"save-{section}"),
        rx.cond(
            ConfigState.notice[section] != "",
            rx.text(
                ConfigState.notice[section],
                size="2",
                id=f"notice-{section}",
                color=rx.cond(ConfigState.notice[section] == "Saved.", "#15803d", "#b91c1c"),
            ),
        ),
        align="center",
        spacing="3",
    )


def _notice(section: str) -> rx.Component:
    return rx.cond(
        ConfigState.notice[section] != "", rx.text(ConfigState.notice[section], size="2", id=f"notice-{section}")
    )


def _section(title: str, *children: rx.Component) -> rx.Component:
    return rx.card(rx.vstack(rx.heading(title, size="3"), *children, spacing="3", width="100%"), width="100%")


def _grid(*children: rx.Component, cols: str = "3") -> rx.Component:
    return rx.grid(*children, columns=rx.breakpoints(initial="1", sm="2", md=cols), gap="0.75em", width="100%")


# ---------------------------------------------------------------- tabs


def _activation() -> rx.Component:
    return _section(
        "Activation",
        rx.text("Your clients can sign in only while the portal is active.", size="2"),
        rx.hstack(
            rx.text("Portal status:", size="2"),
            rx.cond(
                ConfigState.portal_active,
                rx.badge("Active", color_scheme="green", id="portal-status"),
                rx.badge("Not activated", color_scheme="orange", id="portal-status"),
            ),
            align="center",
        ),
        rx.cond(
            ConfigState.portal_active,
            rx.button("Deactivate", color_scheme="gray", variant="outline", on_click=ConfigState.set_active(False)),
            rx.button("Activate", color_scheme="green", on_click=ConfigState.set_active(True), id="activate"),
        ),
        _notice("activation"),
        rx.cond(
            ConfigState.errors["activation"] != "",
            rx.text(ConfigState.errors["activation"], size="2", color="#b91c1c", id="error-activation"),
        ),
    )


# The copy runs in the browser (assets/copy_text.js): a compiled function call, no script text evaluated (the CSP has
# no 'unsafe-eval'), and it says "Copied" only when the clipboard took the text.
_COPY_SNIPPET = rx.call_function(
    ArgsFunctionOperation.create((), FunctionStringVar.create("window.portalCopy").call("snippet", "copy-status"))
)


def _interface() -> rx.Component:
    rate = [
        ("did", "Voice DIDs"),
        ("fax", "Fax numbers"),
    ]
    return rx.vstack(
        _section(
            "Client interface access",
            rx.text("Your clients sign in to their portal at:", size="2"),
            rx.code(ConfigState.client_url, id="client-url", size="3"),
        ),
        _section(
            "Auto-connect form for clients",
            rx.text(
                "Put this form on your website: your client types their email and password and lands in the portal.",
                size="2",
            ),
            rx.el.pre(
                ConfigState.snippet,
                id="snippet",
                style={
                    "white_space": "pre-wrap",
                    "word_break": "break-all",
                    "font_size": "12px",
                    "background": "#111827",
                    "color": "#e5e7eb",
                    "padding": "0.75em",
                    "border_radius": "6px",
                    "width": "100%",
                },
            ),
            rx.hstack(
                rx.script(src="/copy_text.js"),
                rx.button(rx.icon("copy", size=14), "Copy", on_click=_COPY_SNIPPET, id="copy-snippet"),
                # Filled in by the copy script with what happened (copied, or copy by hand).
                rx.text("", size="2", id="copy-status", role="status"),
                align="center",
            ),
        ),
        _section(
            "DID and FAX access (defaults)",
            *[
                rx.vstack(
                    rx.text(title, weight="medium", size="2"),
                    _grid(
                        _text("Setup", f"{k}_setup", input_mode="decimal"),
                        _text("Monthly", f"{k}_monthly", input_mode="decimal"),
                        _text("Per minute (incoming)", f"{k}_minute", input_mode="decimal"),
                    ),
                    width="100%",
                )
                for k, title in rate
            ],
            rx.text("e911 fees", weight="medium", size="2"),
            _grid(
                _text("Setup", "e911_setup", input_mode="decimal"),
                _text("Monthly", "e911_monthly", input_mode="decimal"),
                cols="2",
            ),
            _save("interface"),
        ),
        width="100%",
        spacing="3",
    )


_UPLOAD_HANDLERS = {
    "img_login_background": ConfigState.upload_login_background,
    "img_login_logo": ConfigState.upload_login_logo,
    "img_header": ConfigState.upload_header,
    "img_content_logo": ConfigState.upload_content_logo,
    "img_favicon": ConfigState.upload_favicon,
}


def _image(key: str) -> rx.Component:
    upload_id = f"up-{key}"
    return rx.vstack(
        rx.text(IMAGE_LABELS[key], size="2", weight="medium"),
        rx.input(
            value=F[key],
            on_change=lambda v: ConfigState.set_field(key, v),
            id=f"f-{key}",
            placeholder="https://… or upload",
            width="100%",
        ),
        rx.upload.root(
            rx.hstack(
                rx.icon("upload", size=14),
                rx.text(
                    "Upload PNG or ICO (max 2 MB)" if key == "img_favicon" else "Upload PNG, JPEG or WebP (max 2 MB)",
                    size="1",
                ),
            ),
            id=upload_id,
            # No client-side type filter: the server checks the bytes of every file and says what is wrong.
            multiple=False,
            max_files=1,
            on_drop=_UPLOAD_HANDLERS[key](rx.upload_files(upload_id=upload_id)),
            border="1px dashed #9ca3af",
            border_radius="6px",
            padding="0.5em",
            cursor="pointer",
            width="100%",
        ),
        _error(key),
        spacing="1",
        width="100%",
    )


def _branding() -> rx.Component:
    colors = [
        ("Background", "color_background"),
        ("Navigation bar", "color_navbar"),
        ("Navigation text", "color_navbar_text"),
        ("Links", "color_link"),
        ("Text", "color_text"),
    ]
    buttons = [("Primary", "primary"), ("Success", "success"), ("Exit", "exit"), ("Delete", "delete")]
    panels = [("Panel background", "panel_bg"), ("Panel text", "panel_fg"), ("Panel header", "panel_header_bg")]
    return rx.vstack(
        _section(
            "Preview (updates as you type; not published until you save)",
            brand_preview(F, ConfigState.welcome_preview),
            rx.cond(
                ConfigState.warnings.length() > 0,
                rx.callout(
                    rx.vstack(rx.foreach(ConfigState.warnings, lambda w: rx.text(w, size="2")), spacing="1"),
                    icon="triangle-alert",
                    color_scheme="amber",
                    id="contrast-warnings",
                    width="100%",
                ),
            ),
        ),
        _section("Title", _text("Title (window title and top of the client portal)", "title")),
        _section("Colours", rx.flex(*[_color(lbl, k) for lbl, k in colors], gap="1em", wrap="wrap")),
        _section(
            "Buttons",
            rx.flex(
                *[
                    rx.vstack(
                        rx.text(lbl, weight="medium", size="2"),
                        rx.hstack(_color("Background", f"btn_{k}_bg"), _color("Text", f"btn_{k}_fg")),
                    )
                    for lbl, k in buttons
                ],
                gap="1.5em",
                wrap="wrap",
            ),
        ),
        _section("Panels", rx.flex(*[_color(lbl, k) for lbl, k in panels], gap="1em", wrap="wrap")),
        _section("Images", _grid(*[_image(k) for k in IMAGE_FIELDS], cols="2")),
        rx.hstack(
            _save("branding", "Save and publish"),
            rx.button("Reset to defaults", variant="outline", on_click=ConfigState.reset_branding, id="reset-branding"),
            wrap="wrap",
        ),
        width="100%",
        spacing="3",
    )


def _display() -> rx.Component:
    return _section(
        "Display elements",
        _switch("Show SIP / IAX passwords to clients", "show_sip_password"),
        _switch('Show "Forgot your password?" on the login page', "show_forgot_password"),
        _switch("Let clients sign up (accounts start in WAIT until you activate them)", "signup_enabled"),
        _switch("Offer clients two-factor sign-in (an authenticator app code after the password)", "client_two_factor"),
        rx.text("Signup form fields (email, password and first name are always asked)", size="2", weight="medium"),
        _grid(
            *[
                rx.vstack(
                    rx.text(SIGNUP_FIELD_LABELS[f], size="2"),
                    rx.select(
                        list(SIGNUP_CHOICES),
                        value=F[f"signup_{f}"],
                        on_change=lambda v, f=f: ConfigState.set_field(f"signup_{f}", v),
                        id=f"f-signup_{f}",
                    ),
                    _error(f"signup_{f}"),
                    spacing="1",
                )
                for f in SIGNUP_FIELDS
            ],
            cols="4",
        ),
        _save("display"),
    )


def _services() -> rx.Component:
    return _section(
        "Services (the default when a package does not set its own)",
        rx.text("View setting", size="2", weight="medium"),
        rx.radio_group.root(
            rx.vstack(
                rx.radio_group.item("Standard view", value="standard"),
                rx.radio_group.item("Simple view", value="simple"),
                rx.radio_group.item("Simple view (hide the services page)", value="simple_hide"),
            ),
            value=F["view_setting"],
            on_change=lambda v: ConfigState.set_field("view_setting", v),
            id="f-view_setting",
        ),
        rx.text("Services shown to clients", size="2", weight="medium"),
        _grid(
            *[
                rx.checkbox(
                    label,
                    checked=F[f"svc_{s}"] == "1",
                    on_change=lambda v, s=s: ConfigState.set_flag(f"svc_{s}", v),
                    id=f"f-svc_{s}",
                )
                for s, label in SERVICE_LABELS.items()
            ],
        ),
        _save("services"),
    )


_MESSAGE_TITLES = {
    "low_balance": ("Low balance email", "[firstname], [lastname], [balance], [threshold]"),
    "reset_url": ("Reset password URL email", "[firstname], [lastname], [url] (required)"),
    "reset_done": ("Reset password completed email", "[firstname], [lastname]"),
    "signup_wait": ("Signup: awaiting activation email", "[firstname], [lastname]"),
}


def _welcome_image() -> rx.Component:
    c = ConfigState.composer
    return rx.vstack(
        rx.text("Add an image (https address)", size="2", weight="medium", as_="label", html_for="cmp-img"),
        rx.flex(
            rx.input(
                value=c["cmp_img"],
                on_change=lambda v: ConfigState.set_composer("cmp_img", v),
                placeholder="https://example.com/picture.png",
                id="cmp-img",
                flex="1",
                min_width="0",
            ),
            rx.button("Add image", on_click=ConfigState.add_image, variant="soft", id="cmp-add-image"),
            gap="0.5em",
            width="100%",
        ),
        _error("cmp_img"),
        width="100%",
        spacing="1",
    )


def _messages() -> rx.Component:
    return rx.vstack(
        _section(
            "Welcome text (shown on the client dashboard)",
            rx.text(
                "Headings, bold, italic, lists, links, colours, fonts and sizes from the toolbar; images from an https "
                "address below. Scripts, event attributes and other addresses are removed when it is saved.",
                size="1",
                color="gray",
            ),
            rich_text_editor(F["welcome_html"], ConfigState.set_welcome, ConfigState.editor_key, id="welcome-editor"),
            _welcome_image(),
            rx.el.details(
                rx.el.summary("HTML source", style={"cursor": "pointer", "font_size": "14px"}),
                _area("HTML (unsafe tags, scripts and event attributes are removed)", "welcome_html", "6"),
                id="welcome-html-source",
                width="100%",
            ),
            rx.text("Preview", size="2", weight="medium"),
            rich_text(
                ConfigState.welcome_preview,
                id="welcome-preview",
                border="1px solid #e5e7eb",
                border_radius="6px",
                padding="0.75em",
                background="white",
            ),
        ),
        _section(
            "Payment instructions",
            rx.text(
                "How a client pays you without PayPal (bank transfer, phone, ...): shown to a suspended client "
                "beside the suspension note. Plain text.",
                size="1",
                color="gray",
            ),
            _area("Payment instructions", "payment_instructions", "3"),
        ),
        *[
            _section(
                title,
                rx.text("Variables: ", variables, size="1", color="gray"),
                _text("Title", f"{k}_subject"),
                _area("Body", f"{k}_body"),
                rx.text("Preview with sample values", size="1", weight="medium"),
                rx.el.pre(
                    ConfigState.message_previews[k],
                    id=f"preview-{k}",
                    style={
                        "white_space": "pre-wrap",
                        "font_size": "13px",
                        "background": "#f9fafb",
                        "padding": "0.75em",
                        "border_radius": "6px",
                        "width": "100%",
                    },
                ),
            )
            for k, (title, variables) in _MESSAGE_TITLES.items()
        ],
        _save("messages"),
        width="100%",
        spacing="3",
    )


# The reseller's texts a client reads, as the Languages tab lists them for each language.
_TEXT_LABELS = {
    "welcome_html": "Welcome text (HTML; unsafe tags are removed)",
    "payment_instructions": "Payment instructions",
    **{
        f"{k}_{part}": f"{title}: {part.replace('subject', 'title')}"
        for k, (title, _v) in _MESSAGE_TITLES.items()
        for part in ("subject", "body")
    },
}


def _language_texts(code: str) -> rx.Component:
    """One language's versions of the reseller's texts (shown when the language is enabled, not the default)."""
    name = i18n.english_name(code)
    return rx.cond(
        (F[f"lang_{code}"] == "1") & (F["default_language"] != code),
        rx.box(
            _section(
                f"Your texts in {name}",
                rx.text(
                    "Empty: clients reading the portal in this language get your text of the default language (the "
                    "Messages tab); a text you never changed there comes in this language already.",
                    size="1",
                    color="gray",
                ),
                *[
                    (_area if f.endswith(("_body", "_html", "_instructions")) else _text)(label, f"tr_{code}_{f}")
                    for f, label in _TEXT_LABELS.items()
                ],
            ),
            id=f"texts-{code}",
            width="100%",
        ),
    )


def _languages() -> rx.Component:
    return rx.vstack(
        _section(
            "Languages of the client portal",
            rx.text(
                "Clients pick one of the enabled languages on the login page and in their portal; until they do, "
                "the portal follows their browser's language, else the default one. Your own pages stay in English.",
                size="1",
                color="gray",
            ),
            rx.flex(
                *[_switch(i18n.english_name(c), f"lang_{c}") for c in i18n.languages()],
                gap="1.5em",
                wrap="wrap",
            ),
            _error(f"lang_{i18n.SOURCE}"),
            rx.vstack(
                rx.text("Default language", as_="label", size="2", weight="medium", html_for="f-default_language"),
                rx.el.select(
                    *[rx.el.option(i18n.english_name(c), value=c) for c in i18n.languages()],
                    value=F["default_language"],
                    on_change=lambda v: ConfigState.set_field("default_language", v),
                    id="f-default_language",
                    style={"padding": "0.35em", "border_radius": "4px", "border": "1px solid #d1d5db"},
                ),
                _error("default_language"),
                spacing="1",
            ),
        ),
        *[_language_texts(c) for c in i18n.languages()],
        _save("languages"),
        width="100%",
        spacing="3",
    )


def _payment() -> rx.Component:
    return _section(
        "Payment",
        rx.cond(
            ~ConfigState.paypal_ready,
            rx.callout(
                "This portal's server has no PayPal app set up (its operator sets PAYPAL_CLIENT_ID and PAYPAL_SECRET): "
                "until it has, your clients see no PayPal deposits, even with the switch on. Tell them how to pay "
                "you in Messages → Payment instructions.",
                icon="triangle-alert",
                color_scheme="amber",
                id="paypal-not-configured",
                width="100%",
            ),
        ),
        _switch("Accept PayPal deposits", "paypal_enabled"),
        _text("PayPal business email", "paypal_email", type="email"),
        _text("Deposit amounts (comma-separated, e.g. 10,25,50)", "deposit_amounts"),
        _save("payment"),
    )


def _hostname() -> rx.Component:
    return _section(
        "Custom hostname",
        rx.text(
            "Give your clients your own address for the portal. The request costs a one-time ",
            rx.text.strong("$10.00"),
            ", charged to your reseller account.",
            size="2",
        ),
        rx.callout(
            rx.text(
                "In your DNS, add an A record for the hostname (e.g. interface.yourdomain.com) pointing to ",
                rx.code(HOSTNAME_A_RECORD),
                ".",
            ),
            icon="info",
            width="100%",
        ),
        rx.cond(
            ConfigState.hostname != "",
            rx.vstack(
                rx.hstack(
                    rx.text("Hostname:", size="2"),
                    rx.code(ConfigState.hostname, id="current-hostname"),
                    rx.badge(ConfigState.hostname_status),
                ),
                rx.cond(
                    ConfigState.hostname_fee != "",
                    rx.text("Fee: ", ConfigState.hostname_fee, size="2", id="hostname-fee"),
                ),
                rx.text(
                    "To verify it, also add this TXT record: ",
                    rx.code(ConfigState.hostname_proof, id="hostname-proof"),
                    size="2",
                ),
                spacing="1",
            ),
        ),
        rx.vstack(
            rx.text("Hostname", as_="label", size="2", weight="medium", html_for="f-hostname"),
            rx.input(
                value=ConfigState.hostname_input,
                on_change=ConfigState.set_hostname_input,
                placeholder="interface.yourdomain.com",
                id="f-hostname",
                width="100%",
                max_width="420px",
            ),
            _error("hostname"),
            spacing="1",
            width="100%",
        ),
        rx.hstack(
            rx.button("Request hostname", on_click=ConfigState.request_hostname, id="request-hostname"),
            _notice("hostname"),
            align="center",
        ),
    )


_CONTENT = {
    "activation": _activation,
    "interface": _interface,
    "branding": _branding,
    "display": _display,
    "services": _services,
    "languages": _languages,
    "messages": _messages,
    "payment": lambda: rx.vstack(_payment(), stripe_section(), spacing="3", width="100%"),
    "hostname": _hostname,
    "billing": billing_tab,
}


def configuration() -> rx.Component:
    """Every tab of the guide's Reseller Configuration."""
    return reseller_layout(
        "Reseller configuration",
        rx.tabs.root(
            rx.box(
                rx.tabs.list(
                    *[rx.tabs.trigger(label, value=key, id=f"tab-{key}") for key, label in TABS],
                    style={"flex_wrap": "nowrap"},
                ),
                width="100%",
                style=SCROLL_CUE,
                id="config-tabs",
            ),
            *[rx.tabs.content(_CONTENT[key](), value=key, padding_top="1em", width="100%") for key, _ in TABS],
            value=ConfigState.tab,
            on_change=ConfigState.set_tab,
            width="100%",
        ),
    )
