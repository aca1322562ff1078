"""Create a new client account, or edit one: details, balance management, low-balance email, activate, delete."""

from __future__ import annotations

import reflex as rx

from reseller_app import routes
from reseller_app.components.forms import field_error, form_grid
from reseller_app.components.layout import reseller_layout
from reseller_app.pages.clients.parts import status_badge
from reseller_app.state.clients.client_form import PASSWORD_RULE, ClientFormState

CLIENTS = routes.RESELLER_CLIENTS


def _field(label: str, key: str, kind: str = "text", placeholder: str = "", hint: str = "") -> rx.Component:
    return rx.box(
        rx.text(label, size="2", weight="medium", as_="label", html_for=f"f-{key}"),
        rx.input(
            value=ClientFormState.values[key],
            on_change=ClientFormState.set_field(key),
            type=kind,
            id=f"f-{key}",
            placeholder=placeholder,
            width="100%",
            # Until the page's data is in: what is typed before would be replaced by the load.
            disabled=~ClientFormState.ready,
        ),
        rx.text(hint, size="1", color="gray", id=f"hint-{key}") if hint else rx.fragment(),
        field_error(ClientFormState.errors, key),
        width="100%",
    )


def _client_form(submit_label: str) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text("Client information", weight="bold"),
            form_grid(
                _field("First name *", "firstname"),
                _field("Last name", "lastname"),
                _field("Company", "company"),
                _field("Address", "address"),
                _field("City", "city"),
                _field("State", "state"),
                _field("Country (2 letters)", "country", placeholder="CA"),
                _field("Zip", "zip"),
                _field("Email (username)", "email", "email"),
                _field(
                    rx.cond(ClientFormState.cid != "", "New password (leave empty to keep)", "Password"),
                    "password",
                    "password",
                    hint=PASSWORD_RULE,
                ),
                _field("Phone number", "phone_number", "tel", placeholder="+1 514 555 0142"),
                _field("Next billing date", "next_billing_date", "date"),
            ),
            rx.box(
                rx.text("Balance management", size="2", weight="medium"),
                rx.radio_group(
                    ["SOFT", "HARD"],
                    value=ClientFormState.values["balance_management"],
                    on_change=ClientFormState.set_field("balance_management"),
                    direction="row",
                    id="f-balance_management",
                ),
                rx.text(
                    "HARD suspends the client and blocks its sub-accounts when the balance reaches 0; "
                    "a payment restores them. SOFT lets the balance go negative.",
                    size="1",
                    color="gray",
                ),
                field_error(ClientFormState.errors, "balance_management"),
            ),
            rx.cond(ClientFormState.cid == "", _create_subaccount()),
            field_error(ClientFormState.errors, "form"),
            rx.hstack(
                rx.button(
                    submit_label, on_click=ClientFormState.save, id="save-client", disabled=~ClientFormState.ready
                ),
                rx.link(rx.button("Cancel", variant="soft", color_scheme="gray"), href=CLIENTS),
                rx.cond(
                    ClientFormState.notice != "",
                    rx.text(ClientFormState.notice, color="green", size="2", id="form-notice", role="status"),
                ),
                align="center",
                wrap="wrap",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        on_unmount=ClientFormState.leave,
    )


def _create_subaccount() -> rx.Component:
    f = ClientFormState
    return rx.vstack(
        rx.divider(),
        rx.text("Sub-account", weight="bold"),
        rx.text(
            "A package is linked to a sub-account. Create one now or connect an unconnected one; "
            "you can also do it later from the client's manage page.",
            size="1",
            color="gray",
        ),
        rx.flex(
            rx.select.root(
                rx.select.trigger(id="f-sub-choice", min_width="220px"),
                rx.select.content(
                    rx.select.item("No sub-account now", value="none"),
                    rx.select.item("Create a new sub-account", value="new"),
                    rx.foreach(f.loose_subs, lambda o: rx.select.item("Connect " + o["label"], value=o["id"])),
                ),
                value=f.sub_choice,
                on_change=f.set_sub_choice,
            ),
            rx.cond(
                f.sub_choice == "new",
                rx.box(
                    rx.input(
                        value=f.sub_name, on_change=f.set_sub_name, placeholder="name, e.g. office", id="f-sub-name"
                    ),
                    field_error(f.errors, "sub_name"),
                ),
            ),
            rx.cond(
                f.sub_choice != "none",
                rx.select.root(
                    rx.select.trigger(id="f-sub-package", min_width="220px"),
                    rx.select.content(
                        rx.select.item("No package", value="none"),
                        rx.foreach(f.packages, lambda p: rx.select.item(p["label"], value=p["id"])),
                    ),
                    value=f.sub_package,
                    on_change=f.set_sub_package,
                ),
            ),
            gap="0.75em",
            wrap="wrap",
            align="start",
        ),
        rx.cond(
            f.sub_choice != "none",
            rx.checkbox("Charge setup fees", checked=f.charge_setup, on_change=f.set_charge_setup, id="f-charge-setup"),
        ),
        spacing="2",
        width="100%",
    )


def client_new() -> rx.Component:
    """Create a new client account."""
    return reseller_layout("Create a new client account", _client_form("Create client"))


def client_edit() -> rx.Component:
    """Edit client: details, balance management, low-balance email, activate and delete."""
    s = ClientFormState
    return reseller_layout(
        "Edit client",
        rx.vstack(
            rx.hstack(
                rx.text(s.name, weight="bold", size="4"),
                status_badge(s.status),
                rx.text("Balance ", s.balance, size="2", color="gray"),
                rx.spacer(),
                rx.link(rx.button("Manage client", variant="soft"), href=CLIENTS + "/" + s.cid),
                align="center",
                wrap="wrap",
                width="100%",
            ),
            rx.cond(
                s.status == "WAIT",
                rx.callout(
                    rx.hstack(
                        rx.text("This client signed up and awaits activation; it cannot sign in yet."),
                        rx.button("Activate client", on_click=s.activate, color_scheme="green", id="activate"),
                        align="center",
                        wrap="wrap",
                    ),
                    color_scheme="orange",
                    width="100%",
                ),
            ),
            field_error(s.errors, "status"),
            _client_form("Save"),
            rx.card(
                rx.vstack(
                    rx.text("Low balance email", weight="bold"),
                    rx.text(
                        "An email goes to the client when the balance falls below the threshold (10 to 500). "
                        "Leave the threshold empty to turn it off.",
                        size="1",
                        color="gray",
                    ),
                    form_grid(
                        rx.box(
                            rx.text("Threshold", size="2", weight="medium"),
                            rx.input(value=s.threshold, on_change=s.set_threshold, id="threshold", width="100%"),
                            field_error(s.errors, "threshold"),
                        ),
                        rx.box(
                            rx.text("Send to (empty: the client's email)", size="2", weight="medium"),
                            rx.input(
                                value=s.threshold_email,
                                on_change=s.set_threshold_email,
                                id="threshold-email",
                                width="100%",
                            ),
                            field_error(s.errors, "low_balance_email"),
                        ),
                    ),
                    rx.button("Save low balance email", on_click=s.save_low_balance, id="save-threshold"),
                    spacing="2",
                    width="100%",
                ),
                width="100%",
            ),
            rx.card(
                rx.vstack(
                    rx.text("Delete client", weight="bold"),
                    rx.text(
                        "Removes the person (details, logins, sessions) for good; its transactions and calls "
                        "stay in your reports as a deleted client. Unconnect its sub-accounts, DIDs and fax "
                        "numbers first.",
                        size="1",
                        color="gray",
                    ),
                    rx.alert_dialog.root(
                        rx.alert_dialog.trigger(rx.button("Delete client", color_scheme="red", id="delete-client")),
                        rx.alert_dialog.content(
                            rx.alert_dialog.title("Delete this client?"),
                            rx.alert_dialog.description(
                                "The client's details and logins are removed for good. Its transactions, calls and "
                                "faxes stay in your books and reports as a deleted client."
                            ),
                            rx.hstack(
                                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", color_scheme="gray")),
                                rx.alert_dialog.action(
                                    rx.button("Delete for good", color_scheme="red", on_click=s.delete, id="confirm")
                                ),
                                justify="end",
                                spacing="3",
                                margin_top="1em",
                            ),
                        ),
                    ),
                    field_error(s.errors, "delete"),
                    spacing="2",
                ),
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
    )
