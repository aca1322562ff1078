"""Settings read once from the environment. Nothing else in the app (or rxconfig.py) reads os.environ.

(Reflex itself also reads its own variables, e.g. GRANIAN_WORKERS for its worker count and API_URL.)
"""

from __future__ import annotations

import base64
import binascii
import os
from dataclasses import dataclass, field
from pathlib import Path

PLACEHOLDER_SECRET = "changethis"  # noqa: S105 - the value that is refused
# ARGON2_PROFILE: "default" is the production cost; "test" is the cheapest argon2 allows, for the test suite only.
ARGON2_PROFILES = ("default", "test")
ROOT = Path(__file__).resolve().parent.parent


def _default_db_url() -> str:
    data = ROOT / "data"
    data.mkdir(exist_ok=True)
    return f"sqlite:///{data / 'portal.db'}"


@dataclass(frozen=True)
class Settings:
    """Runtime configuration (see README, Configuration)."""

    database_url: str = field(default_factory=lambda: os.environ.get("DATABASE_URL") or _default_db_url())
    redis_url: str | None = field(default_factory=lambda: os.environ.get("REDIS_URL") or None)
    secret_key: str = field(default_factory=lambda: os.environ.get("SECRET_KEY", PLACEHOLDER_SECRET))
    # Encrypts the two-factor (TOTP) secrets at rest (services/access/sealing.py): one Fernet key, or several
    # separated by commas (the first encrypts, each decrypts: a new key goes first). Empty: in dev mode a key
    # derived from SECRET_KEY; refused outside dev.
    two_factor_key: str = field(default_factory=lambda: os.environ.get("TWO_FACTOR_KEY", ""))
    app_env: str = field(default_factory=lambda: os.environ.get("APP_ENV", "dev"))
    port: int = field(default_factory=lambda: int(os.environ.get("PORT", "3000")))
    public_url: str = field(
        default_factory=lambda: os.environ.get("PUBLIC_URL", f"http://localhost:{os.environ.get('PORT', '3000')}")
    )
    # The address a reseller's custom hostname must point to (its DNS A record); checked by the scheduler.
    portal_ip: str = field(default_factory=lambda: os.environ.get("PORTAL_IP", "184.172.106.205"))
    smtp_host: str = field(default_factory=lambda: os.environ.get("SMTP_HOST", "localhost"))
    smtp_port: int = field(default_factory=lambda: int(os.environ.get("SMTP_PORT", "25")))
    smtp_user: str | None = field(default_factory=lambda: os.environ.get("SMTP_USER") or None)
    smtp_password: str | None = field(default_factory=lambda: os.environ.get("SMTP_PASSWORD") or None)
    smtp_starttls: bool = field(default_factory=lambda: os.environ.get("SMTP_STARTTLS", "0") == "1")
    smtp_from: str = field(default_factory=lambda: os.environ.get("SMTP_FROM", "no-reply@localhost"))
    session_hours: int = field(default_factory=lambda: int(os.environ.get("SESSION_HOURS", "12")))
    # Failed sign-ins (wrong passwords or codes, on every login form) one address may make in 15 minutes before its
    # sign-ins are refused unchecked for the rest of the window (services/access/abuse.py); 0 turns the limit off.
    login_failures_per_ip: int = field(default_factory=lambda: int(os.environ.get("LOGIN_FAILURES_PER_IP", "30")))
    # The cost of password hashes (reseller_app/services/access/security.py); see check_argon2.
    argon2_profile: str = field(default_factory=lambda: os.environ.get("ARGON2_PROFILE", "default"))
    # Scheduled jobs (reseller_app/services/jobs/scheduler.py)
    scheduler_enabled: bool = field(default_factory=lambda: os.environ.get("SCHEDULER", "1") == "1")
    cdr_sync_seconds: int = field(default_factory=lambda: int(os.environ.get("CDR_SYNC_SECONDS", "300")))
    billing_hour_utc: int = field(default_factory=lambda: int(os.environ.get("BILLING_HOUR_UTC", "2")))
    sandbox_traffic: bool = field(default_factory=lambda: os.environ.get("SANDBOX_TRAFFIC", "0") == "1")
    traffic_calls_per_minute: int = field(default_factory=lambda: int(os.environ.get("TRAFFIC_CALLS_PER_MINUTE", "4")))
    # PayPal deposits (reseller_app/services/accounting/payments.py)
    paypal_client_id: str = field(default_factory=lambda: os.environ.get("PAYPAL_CLIENT_ID", ""))
    paypal_secret: str = field(default_factory=lambda: os.environ.get("PAYPAL_SECRET", ""))
    paypal_mode: str = field(default_factory=lambda: os.environ.get("PAYPAL_MODE", "sandbox"))
    # Reflex (rxconfig.py): backend worker processes, and the address the browser's websocket goes to.
    granian_workers: int = field(default_factory=lambda: int(os.environ.get("GRANIAN_WORKERS", "1") or "1"))
    api_url: str = field(
        default_factory=lambda: os.environ.get("API_URL") or f"http://localhost:{os.environ.get('PORT', '3000')}"
    )
    deploy_url: str = field(
        default_factory=lambda: os.environ.get("DEPLOY_URL") or f"http://localhost:{os.environ.get('PORT', '3000')}"
    )
    # The locale amounts are formatted in (services/common/format.py), and where Reflex keeps uploads (its own
    # variable; invoices read logos from there).
    portal_locale: str = field(default_factory=lambda: os.environ.get("PORTAL_LOCALE", "en_US"))
    uploaded_files_dir: str = field(
        default_factory=lambda: os.environ.get("REFLEX_UPLOADED_FILES_DIR", "uploaded_files")
    )
    # Fault-test hook of the billing run (tests/reliability/test_faults.py); never set in production.
    billing_test_pause_after: int = field(
        default_factory=lambda: int(os.environ.get("BILLING_TEST_PAUSE_AFTER", "0") or "0")
    )
    billing_test_pause_file: str = field(default_factory=lambda: os.environ.get("BILLING_TEST_PAUSE_FILE", ""))
    # Card payments (reseller_app/services/accounting/cards.py): each reseller's own Stripe keys; this is only where
    # the Stripe library sends its calls (tests point it at a local fake).
    stripe_api_base: str = field(
        default_factory=lambda: os.environ.get("STRIPE_API_BASE", "https://api.stripe.com").rstrip("/")
    )

    @property
    def is_dev(self) -> bool:
        """Development mode allows the placeholder secret."""
        return self.app_env == "dev"

    def check(self) -> None:
        """Refuse to run outside dev mode with the placeholder secret or cheap password hashes."""
        if not self.is_dev and (self.secret_key == PLACEHOLDER_SECRET or len(self.secret_key) < 16):
            raise RuntimeError(
                "SECRET_KEY is the placeholder (or shorter than 16 characters); "
                "set a real one when APP_ENV is not 'dev'."
            )
        self.check_two_factor_key()
        self.check_argon2()

    def check_two_factor_key(self) -> None:
        """Refuse a missing TWO_FACTOR_KEY outside dev mode, and a value that is not Fernet keys in any mode."""
        if not self.two_factor_key.strip():
            if not self.is_dev:
                raise RuntimeError(
                    "TWO_FACTOR_KEY is not set; set it when APP_ENV is not 'dev' (it encrypts the two-factor secrets). "
                    "Make one with: python -m reseller_app two-factor-key"
                )
            return
        for key in self.two_factor_key.split(","):
            try:
                raw = base64.urlsafe_b64decode(key.strip().encode())
            except (ValueError, binascii.Error):
                raw = b""
            if len(raw) != 32:
                raise RuntimeError(
                    "TWO_FACTOR_KEY must be Fernet keys (32 bytes in URL-safe base64), separated by commas. "
                    "Make one with: python -m reseller_app two-factor-key"
                )

    def check_argon2(self) -> None:
        """Refuse an unknown ARGON2_PROFILE, and the cheap test profile when APP_ENV is not 'dev'."""
        if self.argon2_profile not in ARGON2_PROFILES:
            raise RuntimeError(
                f"ARGON2_PROFILE must be one of {', '.join(ARGON2_PROFILES)}, not {self.argon2_profile!r}."
            )
        if self.argon2_profile == "test" and not self.is_dev:
            raise RuntimeError("ARGON2_PROFILE=test (cheap password hashes, for the test suite) needs APP_ENV=dev.")


settings = Settings()


def _origin(url: str) -> str | None:
    from urllib.parse import urlsplit

    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def own_origins() -> list[str]:
    """The portal's own web origins: PUBLIC_URL, API_URL and DEPLOY_URL (with rxconfig.py's defaults)."""
    default = f"http://localhost:{settings.port}"
    urls = (settings.public_url, os.environ.get("API_URL") or default, os.environ.get("DEPLOY_URL") or default)
    return sorted({o for o in map(_origin, urls) if o})
