"""Connect phone or fax numbers to a client: one, or several at once (Advanced)."""

from __future__ import annotations

import reflex as rx

from reseller_app import routes
from reseller_app.components.forms import field_error, form_grid
from reseller_app.components.layout import reseller_layout
from reseller_app.state.clients.numbers import NumbersState

CLIENTS = routes.RESELLER_CLIENTS


def _rate_input(label: str, key: str) -> rx.Component:
    return rx.box(
        rx.text(label, size="2", weight="medium"),
        rx.input(value=NumbersState.rates[key], on_change=NumbersState.set_rate(key), id=f"rate-{key}"),
        field_error(NumbersState.errors, key),
    )


def connect_numbers() -> rx.Component:
    """Connect phone or fax numbers to a client: one, or several at once (Advanced)."""
    n = NumbersState
    return reseller_layout(
        "Connect numbers",
        rx.vstack(
            rx.hstack(
                rx.text("For ", rx.text.strong(n.client_label), size="3", id="numbers-client"),
                rx.link("Back to the client", href=CLIENTS + "/" + n.cid, size="2"),
                spacing="3",
                align="center",
                wrap="wrap",
            ),
            rx.card(
                rx.vstack(
                    rx.text("Connect a DID for charging", weight="bold"),
                    rx.flex(
                        rx.input(
                            value=n.search,
                            on_change=n.set_search,
                            placeholder="Search: digits or a rate centre",
                            id="did-search",
                            width="260px",
                            max_width="100%",
                        ),
                        rx.text(n.offer_count, size="1", color="gray", id="did-count"),
                        gap="0.75em",
                        align="center",
                        wrap="wrap",
                    ),
                    rx.hstack(
                        rx.select(["voice", "fax"], value=n.kind, on_change=n.set_kind, id="did-kind"),
                        rx.checkbox(
                            "Advanced: several numbers at once",
                            checked=n.advanced,
                            on_change=n.set_advanced,
                            id="advanced",
                        ),
                        align="center",
                        wrap="wrap",
                    ),
                    rx.cond(
                        n.offers.length() == 0,
                        rx.text("No number is available right now.", size="2"),
                        rx.cond(
                            n.advanced,
                            rx.box(
                                rx.foreach(
                                    n.shown_offers,
                                    lambda o: rx.checkbox(
                                        o["label"],
                                        checked=n.picked.contains(o["number"]),
                                        on_change=lambda on: NumbersState.toggle(o["number"], on),
                                        class_name="did-pick",
                                        display="flex",
                                        margin_bottom="0.25em",
                                    ),
                                ),
                                max_height="260px",
                                overflow_y="auto",
                                width="100%",
                                padding="0.5em",
                                border="1px solid #e5e7eb",
                                border_radius="6px",
                            ),
                            rx.select.root(
                                rx.select.trigger(id="did-single", min_width="0", max_width="100%"),
                                rx.select.content(
                                    rx.foreach(n.shown_offers, lambda o: rx.select.item(o["label"], value=o["number"]))
                                ),
                                value=n.single,
                                on_change=n.set_single,
                            ),
                        ),
                    ),
                    rx.cond(n.advanced, rx.text(n.picked.length(), " selected", size="1", color="gray")),
                    field_error(n.errors, "numbers"),
                    rx.cond(
                        n.kind == "voice",
                        rx.box(
                            rx.text("Ring sub-account", size="2", weight="medium"),
                            rx.cond(
                                n.subs.length() > 0,
                                rx.select.root(
                                    rx.select.trigger(id="did-sub"),
                                    rx.select.content(
                                        rx.foreach(n.subs, lambda s: rx.select.item(s["label"], value=s["id"]))
                                    ),
                                    value=n.sub,
                                    on_change=n.set_sub,
                                ),
                                rx.text("Connect a sub-account to the client first.", size="2", color="red"),
                            ),
                            field_error(n.errors, "sub_account"),
                        ),
                    ),
                    spacing="3",
                    width="100%",
                ),
                width="100%",
            ),
            rx.card(
                rx.vstack(
                    rx.text("Charges for these numbers (each)", weight="bold"),
                    rx.text(
                        "Each number gets its own setup fee and monthly charge: connecting several multiplies them.",
                        size="1",
                        color="gray",
                    ),
                    form_grid(
                        _rate_input("Setup fee", "setup"),
                        _rate_input("Monthly", "monthly"),
                        _rate_input("Per minute (incoming)", "per_minute"),
                    ),
                    spacing="2",
                    width="100%",
                ),
                width="100%",
            ),
            rx.card(
                rx.vstack(
                    rx.checkbox(
                        "Forward these numbers to a local number",
                        checked=n.forward,
                        on_change=n.set_forward,
                        id="forward",
                    ),
                    rx.cond(
                        n.forward,
                        rx.box(
                            rx.input(
                                value=n.forward_to,
                                on_change=n.set_forward_to,
                                placeholder="+1 514 555 0100",
                                id="forward-to",
                            ),
                            rx.text(
                                "Both legs are billed: the incoming call on the number and the outgoing call to "
                                "the local number.",
                                size="1",
                                color="orange",
                            ),
                            field_error(n.errors, "forward_to"),
                        ),
                    ),
                    rx.checkbox("Add a voicemail for these numbers", checked=n.vm_on, on_change=n.set_vm_on, id="vm"),
                    rx.cond(
                        n.vm_on,
                        form_grid(
                            rx.box(
                                rx.text("Name", size="2"),
                                rx.input(value=n.vm["name"], on_change=n.set_vm("name")),
                                field_error(n.errors, "vm_name"),
                            ),
                            rx.box(
                                rx.text("PIN", size="2"),
                                rx.input(value=n.vm["pin"], on_change=n.set_vm("pin")),
                                field_error(n.errors, "vm_pin"),
                            ),
                            rx.box(
                                rx.text("Email for messages", size="2"),
                                rx.input(value=n.vm["email"], on_change=n.set_vm("email")),
                                field_error(n.errors, "vm_email"),
                            ),
                        ),
                    ),
                    spacing="3",
                    width="100%",
                ),
                width="100%",
            ),
            rx.hstack(
                rx.button("Connect DID(s) to client", on_click=n.connect, id="connect-dids"),
                rx.link(rx.button("Cancel", variant="soft", color_scheme="gray"), href=CLIENTS + "/" + n.cid),
            ),
            spacing="3",
            width="100%",
        ),
    )
