"""The client's Messages page: conversations, the open thread, a new text or picture, the numbers' SMS settings.

Message bodies are shown as text (never as HTML); pictures are the data: URLs of images checked by their bytes.
"""

from __future__ import annotations

import reflex as rx

from reseller_app.components.forms import field_error
from reseller_app.components.layout import client_button, client_layout, client_panel
from reseller_app.pages.portal.parts import SELECT_STYLE, empty, labelled, portal_pager, refused
from reseller_app.state.i18n import t, t_format
from reseller_app.state.messaging.inbox import MessagesState as M
from reseller_app.state.portal.shell import PortalState

# The CSS classes of a sent and a received message (the browser tests find them).
SENT_CLASS, RECEIVED_CLASS = "message sent", "message received"


def _conversation(c: rx.Var) -> rx.Component:
    return rx.box(
        rx.flex(
            rx.text(c["shown"], weight="bold", size="2"),
            rx.cond(c["unread"] != "0", rx.badge(t_format("{n} new", n=c["unread"]), color_scheme="red")),
            rx.spacer(),
            rx.text(c["last"], size="1", color="gray"),
            align="center",
            spacing="2",
        ),
        rx.text(c["preview"], size="2", color="gray", trim="end"),
        rx.text(t_format("via {number}", number=c["via"]), size="1", color="gray"),
        on_click=M.open_conversation(c["did"], c["contact"]),
        cursor="pointer",
        padding="0.5em",
        border_bottom="1px solid #e5e7eb",
        width="100%",
        class_name="conversation",
    )


def _bubble(m: rx.Var) -> rx.Component:
    mine = m["direction"] == "out"
    return rx.flex(
        rx.box(
            rx.cond(m["image"] != "", rx.image(src=m["image"], max_width="220px", alt=t("picture"))),
            rx.text(m["body"], size="2", white_space="pre-wrap", class_name="message-body"),
            rx.text(
                m["when"],
                rx.cond(m["price"] != "", rx.fragment(" · ", m["price"])),
                size="1",
                color="gray",
            ),
            background=rx.cond(mine, "#dbeafe", "#f3f4f6"),
            padding="0.5em 0.75em",
            border_radius="10px",
            max_width="75%",
        ),
        justify=rx.cond(mine, "end", "start"),
        width="100%",
        class_name=rx.cond(mine, SENT_CLASS, RECEIVED_CLASS),
    )


def _thread() -> rx.Component:
    return client_panel(
        t("Conversation"),
        rx.flex(
            rx.text(
                t_format("With +{contact} on +{number}", contact=M.open_contact, number=M.open_did),
                weight="bold",
                size="2",
                id="thread-title",
            ),
            rx.spacer(),
            client_button(t("Export CSV"), "success", on_click=M.export_csv, id="export-conversation"),
            client_button(t("Close"), "exit", on_click=M.close_conversation, id="close-conversation"),
            spacing="2",
            align="center",
            wrap="wrap",
        ),
        rx.vstack(rx.foreach(M.thread, _bubble), spacing="2", width="100%", id="thread", padding_top="0.5em"),
        width="100%",
    )


def _compose() -> rx.Component:
    return client_panel(
        t("New message"),
        rx.cond(
            M.sms_numbers.length() == 0,
            rx.text(t("Turn on text messages on one of your numbers below to send."), size="2", id="no-sms-number"),
            rx.vstack(
                rx.flex(
                    labelled(
                        t("Send from"),
                        rx.el.select(
                            rx.foreach(M.sms_numbers, lambda n: rx.el.option(n["shown"], value=n["id"])),
                            value=M.from_did,
                            on_change=M.set_from_did,
                            id="msg-from",
                            style=SELECT_STYLE,
                        ),
                    ),
                    rx.vstack(
                        labelled(
                            t("Send to"),
                            rx.input(value=M.to, on_change=M.set_to, placeholder="+1 514 555 0100", id="msg-to"),
                        ),
                        field_error(M.errors, "to"),
                        spacing="1",
                    ),
                    gap="1em",
                    wrap="wrap",
                    align="start",
                ),
                rx.text_area(value=M.text, on_change=M.set_text, rows="4", width="100%", id="msg-text"),
                rx.text(M.counter, size="1", color=rx.cond(M.too_long, "red", "gray"), id="msg-counter"),
                field_error(M.errors, "text"),
                field_error(M.errors, "did"),
                rx.flex(
                    rx.upload.root(
                        client_button(t("Attach picture"), "exit", type="button", id="msg-attach"),
                        id="msg-image",
                        accept={"image/jpeg": [".jpg", ".jpeg"], "image/png": [".png"], "image/gif": [".gif"]},
                        max_files=1,
                        on_drop=M.attach(rx.upload_files(upload_id="msg-image")),
                    ),
                    rx.cond(
                        M.image_name != "",
                        rx.flex(
                            rx.text(M.image_name, size="2", id="msg-image-name"),
                            rx.button("×", size="1", variant="ghost", on_click=M.clear_image),
                            spacing="1",
                            align="center",
                        ),
                    ),
                    rx.spacer(),
                    client_button(t("Send"), on_click=M.send, id="msg-send"),
                    spacing="2",
                    align="center",
                    width="100%",
                ),
                field_error(M.errors, "image"),
                spacing="2",
                width="100%",
            ),
        ),
        width="100%",
    )


def _number_row(n: rx.Var) -> rx.Component:
    return rx.flex(
        rx.text(n["shown"], size="2", min_width="140px"),
        rx.badge(
            rx.cond(n["sms"] == "on", t("SMS on"), t("SMS off")),
            color_scheme=rx.cond(n["sms"] == "on", "green", "gray"),
        ),
        rx.text(
            rx.cond(n["forward"] != "", t_format("forwards to +{number}", number=n["forward"].to(str)), ""),
            size="1",
            color="gray",
        ),
        rx.spacer(),
        rx.button(t("Settings"), size="1", variant="soft", on_click=M.edit_number(n["id"]), id="sms-edit-" + n["id"]),
        align="center",
        spacing="2",
        width="100%",
    )


def _numbers() -> rx.Component:
    return client_panel(
        t("Your numbers"),
        rx.cond(
            M.numbers.length() == 0,
            empty(t("You have no phone numbers.")),
            rx.vstack(rx.foreach(M.numbers, _number_row), spacing="2", width="100%"),
        ),
        rx.cond(
            M.edit_did != "",
            rx.vstack(
                rx.checkbox(t("Text messages on this number"), checked=M.edit_on, on_change=M.set_edit_on, id="sms-on"),
                labelled(
                    t("Copy incoming texts to (email)"),
                    rx.input(value=M.edit_email, on_change=M.set_edit_email, id="sms-email"),
                ),
                field_error(M.errors, "email"),
                labelled(
                    t("Forward incoming texts to (number)"),
                    rx.input(value=M.edit_forward, on_change=M.set_edit_forward, id="sms-forward"),
                ),
                field_error(M.errors, "forward"),
                field_error(M.errors, "did"),
                rx.flex(
                    client_button(t("Save"), on_click=M.save_number, id="sms-save"),
                    client_button(t("Cancel"), "exit", on_click=M.cancel_edit),
                    spacing="2",
                ),
                spacing="2",
                padding_top="1em",
                width="100%",
            ),
        ),
        width="100%",
    )


def _list() -> rx.Component:
    return client_panel(
        t("Conversations"),
        rx.flex(
            rx.input(
                value=M.search,
                on_change=M.set_search,
                placeholder=t("Search text or number"),
                id="msg-search",
                width="20em",
                max_width="100%",
            ),
            rx.el.select(
                rx.el.option(t("All numbers"), value="all"),
                rx.foreach(M.numbers, lambda n: rx.el.option(n["shown"], value=n["id"])),
                value=M.f_did,
                on_change=M.set_filter_did,
                id="msg-filter-did",
                style=SELECT_STYLE,
            ),
            client_button(t("Search"), on_click=M.apply_search, id="msg-search-go"),
            spacing="2",
            wrap="wrap",
            align="center",
        ),
        rx.text(t_format("Conversations: {n}", n=M.conv_total), size="1", color="gray", id="conv-total"),
        rx.cond(
            M.conversations.length() == 0,
            empty(t("No messages yet.")),
            rx.vstack(rx.foreach(M.conversations, _conversation), spacing="0", width="100%", id="conversations"),
        ),
        portal_pager(M.conv_page, M.conv_pages, M.turn, "conversations"),
        width="100%",
    )


def messages_page() -> rx.Component:
    """Conversations, the open thread, a new message and the numbers' SMS settings."""
    return client_layout(
        rx.vstack(
            rx.heading(t("Messages"), size="6"),
            rx.cond(
                PortalState.page_refused,
                refused(),
                rx.vstack(
                    rx.cond(M.notice != "", rx.callout(M.notice, icon="info", id="msg-notice")),
                    rx.cond(M.open_contact != "", _thread()),
                    _compose(),
                    _list(),
                    _numbers(),
                    spacing="4",
                    width="100%",
                ),
            ),
            spacing="4",
            width="100%",
        )
    )
