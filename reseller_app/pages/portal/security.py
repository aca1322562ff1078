"""The client portal's Security page: the client's own two-factor sign-in."""

from __future__ import annotations

import reflex as rx

from reseller_app.components.layout import client_button, client_layout, client_panel
from reseller_app.components.two_factor import two_factor_panel
from reseller_app.pages.portal.parts import refused
from reseller_app.state.i18n import t
from reseller_app.state.portal.security import SecurityState
from reseller_app.state.portal.shell import PortalState


def security() -> rx.Component:
    """Two-factor sign-in: set it up, see the recovery codes once, turn it off."""
    return client_layout(
        rx.vstack(
            rx.heading(t("Security"), size="6"),
            rx.cond(
                PortalState.page_refused,
                refused(),
                client_panel(
                    t("Two-factor sign-in"),
                    rx.vstack(
                        rx.text(
                            t(
                                "With two-factor sign-in, signing in asks for a code from an authenticator app on "
                                "your phone after your password, so a stolen password alone is not enough."
                            ),
                            size="2",
                        ),
                        rx.cond(
                            ~SecurityState.offered & ~SecurityState.on,
                            rx.text(
                                t("Two-factor sign-in is not offered on this portal."), size="2", id="tfa-not-offered"
                            ),
                            two_factor_panel(SecurityState, client_button),
                        ),
                        spacing="3",
                    ),
                    width="100%",
                ),
            ),
            spacing="4",
            width="100%",
        )
    )
