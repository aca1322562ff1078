"""A health check for load balancers: the database answers."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import text

from reseller_app.db import session_scope

router = APIRouter()


@router.get("/api/health")
def health() -> dict[str, str]:
    """200 with {"status": "ok"} when the database answers."""
    with session_scope() as session:
        session.exec(text("SELECT 1"))
    return {"status": "ok"}
