"""The API app answers its health check and publishes an OpenAPI description."""

from fastapi.testclient import TestClient

from reseller_app.api import create_api


def test_health_and_openapi(engine):
    client = TestClient(create_api())
    assert client.get("/api/health").json() == {"status": "ok"}
    assert client.get("/api/openapi.json").json()["info"]["title"] == "Reseller portal API"
