"""src/cors.py: for a request without Origin, the same answer as Starlette's CORS middleware.

Both wrap one small app whose answers carry no, one or two Vary headers; the answers must be
byte for byte the same. Requests with an Origin go to Starlette's middleware itself (tested
through the app in test_errors_cors_openapi).
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from src.cors import OriginCORSMiddleware

VARIES = {
    "none": [],
    "one": [("Vary", "Accept")],
    "two": [("Vary", "Accept"), ("X-Other", "1"), ("Vary", "Accept-Encoding")],
}


def answer(request: Request) -> Response:
    response = PlainTextResponse("ok", headers={"X-First": "1"})
    for name, value in VARIES[request.path_params["varies"]]:
        response.raw_headers.append((name.lower().encode(), value.encode()))
    return response


def client_with(middleware: type[CORSMiddleware]) -> TestClient:
    app = Starlette(
        routes=[Route("/{varies}", answer)],
        middleware=[Middleware(middleware, allow_origins=["http://localhost:5173"])],
    )
    return TestClient(app)


@pytest.mark.parametrize("varies", list(VARIES))
def test_a_request_without_origin_is_answered_as_starlette_answers_it(varies: str) -> None:
    ours = client_with(OriginCORSMiddleware).get(f"/{varies}")
    starlettes = client_with(CORSMiddleware).get(f"/{varies}")

    assert ours.headers.raw == starlettes.headers.raw
    assert ours.content == starlettes.content
    assert ours.headers.get_list("vary")[-1].endswith("Origin")


def test_the_apps_answers_vary_on_origin(client: TestClient) -> None:
    for origin in ({}, {"Origin": "http://localhost:5173"}, {"Origin": "http://evil.example"}):
        assert client.get("/tasks", headers=origin).headers["vary"] == "Origin"
