"""Reflex configuration: everything comes from the environment, through reseller_app.config (see README)."""

import reflex as rx

from reseller_app.config import own_origins, settings

_extra: dict = {}
if settings.redis_url:
    _extra["redis_url"] = settings.redis_url
    _extra["state_manager_mode"] = "redis"
elif settings.granian_workers > 1:
    # Reflex would start them, each with its own in-memory state: a tab's events would find no state elsewhere.
    raise RuntimeError("GRANIAN_WORKERS > 1 needs REDIS_URL (Reflex's state must be shared by the workers).")
else:
    # One worker keeps the tabs' state in memory. (Reflex's default, the disk manager, lists and stats every state
    # file of every tab every few seconds: with 200 tabs that was a fifth of the worker's time.) Nothing is lost on
    # a restart that matters: the login lives in the session cookie and every page reloads its data.
    _extra["state_manager_mode"] = "memory"

config = rx.Config(
    app_name="reseller_app",
    frontend_port=settings.port,
    backend_port=settings.port,
    api_url=settings.api_url,
    deploy_url=settings.deploy_url,
    db_url=settings.database_url,
    telemetry_enabled=False,
    # Only our own origins (reseller_app/api/cors.py answers CORS; this list also reaches the websocket server).
    cors_allowed_origins=own_origins(),
    show_built_with_reflex=False,
    disable_plugins=[rx.plugins.SitemapPlugin],
    plugins=[rx.plugins.RadixThemesPlugin(theme=rx.theme(appearance="light", accent_color="blue", radius="medium"))],
    **_extra,
)
