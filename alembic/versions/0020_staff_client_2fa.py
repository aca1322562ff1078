"""Staff (issue 22), the rest: clients' two-factor sign-in offered by a Display elements switch, and the TOTP secrets
encrypted at rest.

- `resellersettings.client_two_factor`: the reseller offers clients TOTP on their portal's Security page (off);
- `twofactor.secret`: a Fernet token under TWO_FACTOR_KEY (services/access/sealing.py) instead of the base32 secret
  in clear, so 255 characters; the rows already there are encrypted here with the key the app is configured with
  (and decrypted again by the downgrade).

Revision ID: 0020_staff_client_2fa
Revises: 0019_polish
Create Date: 2026-12-01 19:40:00
"""

import re
from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

import reseller_app.models.types as rt

revision: str = "0020_staff_client_2fa"
down_revision: str | None = "0019_polish"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A secret in clear, as pyotp makes them (base32); a Fernet token never looks like this (it starts with "gAAAAA").
CLEAR = re.compile(r"^[A-Z2-7]+=*$")
TWOFACTOR = sa.table("twofactor", sa.column("id", sa.Integer), sa.column("secret", sa.String))


def _rewrite(change: Callable[[str], str]) -> None:
    conn = op.get_bind()
    for row_id, secret in conn.execute(sa.select(TWOFACTOR.c.id, TWOFACTOR.c.secret)).all():
        new = change(secret)
        if new != secret:
            conn.execute(sa.update(TWOFACTOR).where(TWOFACTOR.c.id == row_id).values(secret=new))


def upgrade() -> None:
    from reseller_app.services.access.sealing import seal

    with op.batch_alter_table("resellersettings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("client_two_factor", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("twofactor", schema=None) as batch_op:
        batch_op.alter_column(
            "secret", existing_type=rt.AutoString(length=64), type_=rt.AutoString(length=255), existing_nullable=False
        )
    _rewrite(lambda s: seal(s) if CLEAR.match(s or "") else s)


def downgrade() -> None:
    from reseller_app.services.access.sealing import open_sealed

    _rewrite(lambda s: s if CLEAR.match(s or "") else open_sealed(s))
    with op.batch_alter_table("twofactor", schema=None) as batch_op:
        batch_op.alter_column(
            "secret", existing_type=rt.AutoString(length=255), type_=rt.AutoString(length=64), existing_nullable=False
        )
    with op.batch_alter_table("resellersettings", schema=None) as batch_op:
        batch_op.drop_column("client_two_factor")
