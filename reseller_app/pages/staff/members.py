"""The reseller's Staff page and the invitee's "Choose your password" page."""

from __future__ import annotations

import reflex as rx

from reseller_app import routes
from reseller_app.components.forms import field_error
from reseller_app.components.layout import reseller_layout
from reseller_app.components.two_factor import two_factor_panel
from reseller_app.state.staff.members import InviteState, StaffState
from reseller_app.state.staff.two_factor import TwoFactorState

ROLE_OPTIONS = [("admin", "Admin"), ("support", "Support"), ("billing", "Billing"), ("readonly", "Read-only")]


def _role_menu(row: rx.Var) -> rx.Component:
    return rx.el.select(
        *[rx.el.option(label, value=v) for v, label in ROLE_OPTIONS],
        value=row["role"],
        on_change=lambda v: StaffState.change_role(row["id"], v),
        id="staff-role-" + row["id"],
    )


def _row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["name"]),
        rx.table.cell(row["email"]),
        rx.table.cell(_role_menu(row)),
        rx.table.cell(row["status"]),
        rx.table.cell(
            rx.hstack(
                rx.cond(
                    row["status"] == "disabled",
                    rx.button("Enable", size="1", variant="soft", on_click=StaffState.enable(row["id"])),
                    rx.button("Disable", size="1", variant="soft", on_click=StaffState.disable(row["id"])),
                ),
                rx.button(
                    "Remove", size="1", color_scheme="red", variant="soft", on_click=StaffState.remove(row["id"])
                ),
            )
        ),
    )


def _invite_form() -> rx.Component:
    return rx.form(
        rx.flex(
            rx.input(name="name", placeholder="Name", id="invite-name"),
            rx.input(name="email", type="email", placeholder="Email", required=True, id="invite-email"),
            rx.el.select(
                *[rx.el.option(label, value=v) for v, label in ROLE_OPTIONS],
                name="role",
                default_value="support",
                id="invite-role",
            ),
            rx.button("Invite", type="submit", id="invite-send"),
            spacing="2",
            wrap="wrap",
            align="center",
        ),
        on_submit=StaffState.invite,
        reset_on_submit=True,
    )


def _two_factor() -> rx.Component:
    """This login's own two-factor sign-in (every role has one)."""
    return rx.card(
        rx.vstack(rx.heading("Your two-factor sign-in", size="3"), two_factor_panel(TwoFactorState), spacing="3"),
        width="100%",
    )


def staff_page() -> rx.Component:
    """The staff list and the invitation form."""
    return reseller_layout(
        "Staff",
        rx.vstack(
            rx.text(
                "Owner: everything. Admin: everything but staff and API settings. Support: clients, sub-accounts, "
                "numbers, login as client. Billing: payments, charges, reversals, invoices, reports. "
                "Read-only: every page, no change.",
                size="2",
                color="gray",
            ),
            rx.hstack(
                rx.switch(checked=StaffState.require_2fa, on_change=StaffState.set_require_2fa, id="staff-require-2fa"),
                rx.text("Require two-factor sign-in for all staff", size="2"),
                align="center",
            ),
            _invite_form(),
            *[field_error(StaffState.errors, k) for k in ("email", "role", "form")],
            rx.cond(StaffState.notice != "", rx.callout(StaffState.notice, id="staff-notice")),
            rx.table.root(
                rx.table.header(
                    rx.table.row(*[rx.table.column_header_cell(h) for h in ("Name", "Email", "Role", "Status", "")])
                ),
                rx.table.body(rx.foreach(StaffState.rows, _row)),
                variant="surface",
                size="1",
                width="100%",
                id="staff-table",
            ),
            _two_factor(),
            rx.link("Audit log", href=routes.RESELLER_AUDIT, size="2"),
            spacing="4",
            width="100%",
        ),
    )


def _pw(label: str, name: str) -> rx.Component:
    return rx.vstack(
        rx.text(label, as_="label", size="2", html_for=name),
        rx.input(name=name, id=name, type="password", required=True, width="100%"),
        rx.cond(InviteState.errors.contains(name), rx.text(InviteState.errors[name], size="1", color="#b91c1c")),
        spacing="1",
        width="100%",
    )


def accept_page() -> rx.Component:
    """The invitee chooses a password (the link works once, for 72 hours)."""
    return rx.center(
        rx.box(
            rx.vstack(
                rx.heading("Join the reseller portal", size="6"),
                rx.cond(
                    InviteState.done,
                    rx.vstack(
                        rx.text("Your password is set. Sign in with your email and it.", id="invite-done"),
                        rx.link("Sign in", href=routes.RESELLER_LOGIN, id="to-login"),
                    ),
                    rx.cond(
                        InviteState.found,
                        rx.form(
                            rx.vstack(
                                rx.text(
                                    InviteState.company, " invites ", InviteState.email, " as ", InviteState.role, "."
                                ),
                                _pw("Password", "password"),
                                _pw("Confirm password", "confirm"),
                                rx.button("Set my password", type="submit", width="100%", id="invite-accept"),
                                spacing="3",
                                width="100%",
                            ),
                            on_submit=InviteState.accept,
                        ),
                        rx.text(
                            rx.cond(
                                InviteState.error != "",
                                InviteState.error,
                                "This invitation is not valid or has expired. Ask the account owner for a new one.",
                            ),
                            id="invite-bad",
                        ),
                    ),
                ),
                rx.cond(InviteState.error != "", rx.text(InviteState.error, color="#b91c1c", size="2")),
                spacing="4",
            ),
            padding="2em",
            max_width="420px",
            width="100%",
        ),
        min_height="100vh",
    )
