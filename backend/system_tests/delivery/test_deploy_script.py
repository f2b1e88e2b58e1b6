"""scripts/deploy.sh against a stand-in for Render's REST API and a real TaskFlow backend.

Render itself cannot be reached from here, so a small HTTP server plays its deploy endpoints
(POST /services/{id}/deploys, GET /services/{id}/deploys/{deployId}) and records what it was
asked. The /health the script polls is the real app, started with RENDER_GIT_COMMIT as Render
starts it and with production's settings (accounts on, a SECRET_KEY, no credential given to the
script), so "the live backend reports the tested commit" is checked against real code, and the
script is shown to need nothing but the public /health.
"""

from __future__ import annotations

import os
import secrets
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.server import AppServer

from .conftest import REPO_ROOT
from .fake_render import API_KEY, RenderHandler, serving

DEPLOY_SH = REPO_ROOT / "scripts" / "deploy.sh"
BACKEND_ID = "srv-backend"
FRONTEND_ID = "srv-frontend"
TESTED = "1" * 40
OTHER = "2" * 40


@dataclass
class FakeRender:
    """What the stand-in answers, and every deploy request it received."""

    statuses: dict[str, str] = field(default_factory=dict)  # service id -> deploy status
    requests: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""


@pytest.fixture
def render_api() -> Iterator[FakeRender]:
    fake = FakeRender()

    class Handler(RenderHandler):
        def do_POST(self) -> None:
            if not self.authorized():
                return
            parts = self.path.strip("/").split("/")  # services/{id}/deploys
            body = self.json_body()
            fake.requests.append({"service": parts[1], "body": body})
            self.answer(201, {"id": f"dep-{parts[1]}", "status": "created"})

        def do_GET(self) -> None:
            if not self.authorized():
                return
            parts = self.path.strip("/").split("/")  # services/{id}/deploys/{deployId}
            self.answer(200, {"id": parts[3], "status": fake.statuses.get(parts[1], "live")})

    with serving(Handler) as fake.url:
        yield fake


def backend_reporting(commit: str, tmp_path: Path) -> Iterator[AppServer]:
    """The real app on SQLite, started with RENDER_GIT_COMMIT as Render starts it, in production:
    accounts on (the app refuses production without them) and a SECRET_KEY as render.yaml's."""
    with AppServer(
        f"sqlite:///{tmp_path / 'deploy.db'}",
        env={
            "RENDER_GIT_COMMIT": commit,
            "ENVIRONMENT": "production",
            "AUTH_REQUIRED": "true",
            "SECRET_KEY": secrets.token_urlsafe(32),
        },
    ) as server:
        yield server


@pytest.fixture(scope="module")
def live_on_tested(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    yield from backend_reporting(TESTED, tmp_path_factory.mktemp("tested"))


@pytest.fixture(scope="module")
def live_on_other(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    yield from backend_reporting(OTHER, tmp_path_factory.mktemp("other"))


def run_deploy(
    render: FakeRender, backend_url: str, **overrides: str
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "RENDER_API_URL": render.url,
        "RENDER_API_KEY": API_KEY,
        "RENDER_BACKEND_SERVICE_ID": BACKEND_ID,
        "RENDER_FRONTEND_SERVICE_ID": FRONTEND_ID,
        "BACKEND_URL": backend_url,
        "DEPLOY_COMMIT": TESTED,
        "DEPLOY_TIMEOUT": "20",
        "POLL_INTERVAL": "1",
        **overrides,
    }
    return subprocess.run(
        ["bash", str(DEPLOY_SH)], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_deploys_the_tested_commit_and_passes_once_health_reports_it(
    render_api: FakeRender, live_on_tested: AppServer
) -> None:
    result = run_deploy(render_api, live_on_tested.url + "/")
    assert result.returncode == 0, result.stderr
    assert sorted(r["service"] for r in render_api.requests) == [BACKEND_ID, FRONTEND_ID]
    assert all(r["body"]["commitId"] == TESTED for r in render_api.requests)
    assert API_KEY not in result.stdout + result.stderr


def test_needs_no_credential_against_a_backend_that_refuses_anonymous_task_calls(
    render_api: FakeRender, live_on_tested: AppServer
) -> None:
    # The live backend is as production runs it: /tasks answers 401 to a caller without a token,
    # and the deploy still passes on the public /health alone (the job holds no TaskFlow token).
    assert httpx.get(live_on_tested.url + "/tasks", timeout=5).status_code == 401
    result = run_deploy(render_api, live_on_tested.url)
    assert result.returncode == 0, result.stderr
    assert "/tasks" not in DEPLOY_SH.read_text(), "deploy.sh calls the task API"


def test_fails_when_the_live_backend_reports_another_commit(
    render_api: FakeRender, live_on_other: AppServer
) -> None:
    result = run_deploy(render_api, live_on_other.url, DEPLOY_TIMEOUT="3")
    assert result.returncode == 1
    assert f"not live on {TESTED}" in result.stderr
    assert OTHER in result.stderr, "the log shows what the live backend reports instead"


def test_fails_when_the_backend_does_not_answer(render_api: FakeRender) -> None:
    from tests.support.postgres import free_port

    result = run_deploy(render_api, f"http://127.0.0.1:{free_port()}", DEPLOY_TIMEOUT="2")
    assert result.returncode == 1
    assert f"not live on {TESTED}" in result.stderr


def test_fails_without_waiting_when_render_reports_the_build_failed(
    render_api: FakeRender, live_on_other: AppServer
) -> None:
    render_api.statuses[BACKEND_ID] = "build_failed"
    result = run_deploy(render_api, live_on_other.url, DEPLOY_TIMEOUT="600")
    assert result.returncode == 1
    assert "ended as build_failed" in result.stderr


def test_fails_when_render_refuses_the_deploy(
    render_api: FakeRender, live_on_tested: AppServer
) -> None:
    result = run_deploy(render_api, live_on_tested.url, RENDER_API_KEY="rnd_wrong")
    assert result.returncode == 1
    assert "refused the deploy" in result.stderr and "HTTP 401" in result.stderr
    assert render_api.requests == []


@pytest.mark.parametrize("missing", ["RENDER_API_KEY", "BACKEND_URL", "DEPLOY_COMMIT"])
def test_refuses_to_start_without_its_configuration(render_api: FakeRender, missing: str) -> None:
    result = run_deploy(render_api, "http://127.0.0.1:9", **{missing: ""})
    assert result.returncode == 2
    assert missing in result.stderr
    assert render_api.requests == []


def test_refuses_an_abbreviated_commit(render_api: FakeRender) -> None:
    result = run_deploy(render_api, "http://127.0.0.1:9", DEPLOY_COMMIT=TESTED[:7])
    assert result.returncode == 2
    assert render_api.requests == []
