"""The Reflex app: builds `app` and registers pages. Nothing else lives here."""

import reflex as rx

from reseller_app import notify, routes
from reseller_app.api import create_api
from reseller_app.config import settings
from reseller_app.pages import api_settings, client, login, reseller
from reseller_app.services import scheduler
from reseller_app.state.api_settings import ApiSettingsState
from reseller_app.state.client import ClientState
from reseller_app.state.lists import ClientListState, PackageListState
from reseller_app.state.login import LoginState
from reseller_app.state.reseller import ResellerState


def index() -> rx.Component:
    """The root sends visitors to the reseller login."""
    return rx.center(rx.spinner(), min_height="100vh")


settings.check()

app = rx.App(
    head_components=[rx.el.link(rel="icon", href="/favicon.svg", type="image/svg+xml")],
    api_transformer=create_api(),
)
# Deliver queued email in the background of every worker (rows are claimed, so never twice).
app.register_lifespan_task(notify.run_forever)
# CDR sync, the daily billing run and optional sandbox traffic; a lease row keeps each job to one worker.
app.register_lifespan_task(scheduler.run_forever)
# Every page names its title: the client pages take the reseller's, so no framework default shows.
CLIENT_TITLE = ClientState.brand["title"]
app.add_page(index, route="/", title="Reseller portal", on_load=rx.redirect(routes.RESELLER_LOGIN))
app.add_page(
    login.reseller_login, route=routes.RESELLER_LOGIN, title="Sign in · Reseller portal", on_load=LoginState.clear
)
app.add_page(
    reseller.overview, route=routes.RESELLER_HOME, title="Overview · Reseller portal", on_load=ResellerState.guard
)
app.add_page(
    reseller.configuration,
    route=routes.RESELLER_CONFIG,
    title="Reseller configuration · Reseller portal",
    on_load=ResellerState.guard,
)
app.add_page(
    reseller.packages,
    route=routes.RESELLER_PACKAGES,
    title="Manage rates & packages · Reseller portal",
    on_load=[ResellerState.guard, PackageListState.load],
)
app.add_page(
    reseller.clients,
    route=routes.RESELLER_CLIENTS,
    title="Manage client's accounts · Reseller portal",
    on_load=[ResellerState.guard, ClientListState.load],
)
app.add_page(
    reseller.reports, route=routes.RESELLER_REPORTS, title="Reports · Reseller portal", on_load=ResellerState.guard
)
app.add_page(
    api_settings.api_settings,
    route="/reseller/api",
    title="API & carrier · Reseller portal",
    on_load=[ResellerState.guard, ApiSettingsState.load],
)
app.add_page(
    login.client_login, route=routes.CLIENT_LOGIN, title=LoginState.brand["title"], on_load=LoginState.load_portal
)
app.add_page(client.dashboard, route=routes.CLIENT_DASHBOARD, title=CLIENT_TITLE, on_load=ClientState.load_dashboard)
app.add_page(client.balance, route=routes.CLIENT_BALANCE, title=CLIENT_TITLE, on_load=ClientState.load_balance)
app.add_page(client.calls, route=routes.CLIENT_CALLS, title=CLIENT_TITLE, on_load=ClientState.load_calls)
app.add_page(client.services, route=routes.CLIENT_SERVICES, title=CLIENT_TITLE, on_load=ClientState.load_services)
