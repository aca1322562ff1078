"""Calling the REST API in tests: every answer is HTTP 200 and a JSON object of strings."""

from __future__ import annotations

API_PW = "api-secret-123"
PATH = "/api/v1/rest.php"


def all_strings(value: object) -> bool:
    """Every scalar in a JSON value is a string (VoIP.ms convention)."""
    if isinstance(value, dict):
        return all(isinstance(k, str) and all_strings(v) for k, v in value.items())
    if isinstance(value, list):
        return all(all_strings(v) for v in value)
    return isinstance(value, str)


def call(api: dict, method: str, user: str = "ra@example.com", http_method: str = "GET", **params: str) -> dict:
    """One API call as reseller `user`; asserts the envelope and answers the JSON body."""
    data = {"api_username": user, "api_password": API_PW, "method": method, **params}
    if http_method == "GET":
        r = api["http"].get(PATH, params=data)
    else:
        r = api["http"].post(PATH, data=data)
    assert r.status_code == 200
    body = r.json()
    assert all_strings(body), body
    assert body["status"] == "success" or set(body) == {"status"}, body  # errors carry nothing but status
    return body
