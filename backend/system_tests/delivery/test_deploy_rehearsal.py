"""render.yaml replayed locally, the way Render runs it, in a clean copy of the repository.

The backend's buildCommand and startCommand run from its rootDir with PORT, RENDER_GIT_COMMIT and
DATABASE_URL in Render's postgres:// form (a throwaway PostgreSQL), SECRET_KEY generated as
Render's generateValue does, and ADMIN_EMAIL/ADMIN_PASSWORD answered as at Blueprint creation.
The service must pass its health check on the database, refuse the task API to anonymous callers,
let the first admin sign in and use it, keep a task (and the session) across a restart, and run
the migrations again harmlessly. The static site's buildCommand runs with VITE_API_URL, and the
published index.html must load a bundle that calls that URL under the site's CSP.

One deliberate difference from Render: the start command's `--host 0.0.0.0` is replayed as
`--host 127.0.0.1`, because test servers on this machine listen on loopback only.
"""

from __future__ import annotations

import base64
import os
import re
import secrets
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.postgres import ThrowawayPostgres, find_bindir, free_port

from .conftest import REPO_ROOT, Service

REHEARSAL_API_URL = "https://taskflow-api-rehearsal.example.test"
REHEARSAL_CORS_ORIGINS = "taskflow-web-rehearsal.example.test"
REHEARSAL_ADMIN_EMAIL = "admin@rehearsal.example.test"
BUILD_TIMEOUT = 600.0
START_TIMEOUT = 90.0


def git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=REPO_ROOT, check=True, capture_output=True, text=True
    ).stdout


def copy_tracked_files(dest: Path) -> None:
    """What Render checks out: the tracked files (as they are in the working tree), nothing else."""
    for name in git("ls-files", "-z").split("\0"):
        source = REPO_ROOT / name
        if not name or not source.exists():
            continue
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target, follow_symlinks=False)


def clean_environment(render_python: Path) -> dict[str, str]:
    """This process's environment minus the repository's own virtualenv and node_modules.

    HOME stays, so uv's and npm's default caches are reused; PATH starts with a fresh Python
    that stands in for Render's, so `pip install uv` installs into it and nowhere else.
    """
    inherited = {
        key: value
        for key, value in os.environ.items()
        if key not in {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "UV_PROJECT_ENVIRONMENT"}
        and not key.startswith(("PYTEST_", "COV_CORE_", "npm_"))
    }
    path = [
        entry
        for entry in os.environ.get("PATH", "").split(os.pathsep)
        if entry and not entry.startswith(str(REPO_ROOT))
    ]
    inherited["PATH"] = os.pathsep.join([str(render_python / "bin"), *path])
    return inherited


def render_generated_value() -> str:
    """What Render's generateValue gives: a base64-encoded 256-bit random value."""
    return base64.b64encode(secrets.token_bytes(32)).decode()


def service_env(service: Service, *, database_url: str, prompted: dict[str, str]) -> dict[str, str]:
    """The service's envVars as Render resolves them; `prompted` holds the sync: false answers."""
    resolved: dict[str, str] = {}
    for var in service.get("envVars", []):
        key = var["key"]
        if "value" in var:
            resolved[key] = str(var["value"])
        elif var.get("generateValue") is True:
            resolved[key] = render_generated_value()
        elif "fromDatabase" in var:
            assert var["fromDatabase"]["property"] == "connectionString"
            resolved[key] = database_url
        elif var.get("sync") is False:
            resolved[key] = prompted[key]
        else:
            raise AssertionError(f"the rehearsal does not know how to resolve {var}")
    return resolved


def run_build(command: str, *, cwd: Path, env: dict[str, str], log: Path) -> None:
    with log.open("wb") as out:
        result = subprocess.run(
            ["bash", "-c", command],
            cwd=cwd,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=BUILD_TIMEOUT,
            check=False,
        )
    assert result.returncode == 0, f"buildCommand failed ({command}):\n{log.read_text()[-4000:]}"


class RenderedService:
    """The backend's startCommand running as Render would, in its own process group."""

    def __init__(self, command: str, *, cwd: Path, env: dict[str, str], log: Path) -> None:
        self.command = command
        self.cwd = cwd
        self.env = env
        self.log = log
        self.port = int(env["PORT"])
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                ["bash", "-c", self.command],
                cwd=self.cwd,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_healthy(self, path: str) -> dict[str, Any]:
        """Polls the health check path until it answers 200 (what Render waits for)."""
        deadline = time.monotonic() + START_TIMEOUT
        last = "no answer"
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise AssertionError(
                    f"startCommand exited with {self.process.returncode}:\n{self.output()}"
                )
            try:
                answer = httpx.get(self.url + path, timeout=3.0)
                if answer.status_code == 200:
                    body: dict[str, Any] = answer.json()
                    return body
                last = f"{answer.status_code} {answer.text}"
            except httpx.TransportError as exc:
                last = type(exc).__name__
            time.sleep(0.25)
        raise AssertionError(
            f"{path} did not answer 200 within {START_TIMEOUT}s ({last}):\n{self.output()}"
        )

    def stop(self) -> None:
        """Stops the process group this test started: SIGTERM like Render, SIGKILL if it hangs."""
        if self.process is None or self.process.poll() is not None:
            return
        pgid = self.process.pid  # start_new_session: the group is led by the bash we started
        os.killpg(pgid, signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(pgid, signal.SIGKILL)
            self.process.wait(10)
        # Workers share the group; make sure none outlives the stop.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.killpg(pgid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)
        os.killpg(pgid, signal.SIGKILL)

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-6000:]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("render-rehearsal")
    copy_tracked_files(root / "repo")
    return root


@pytest.fixture(scope="module")
def render_python(workspace: Path) -> Path:
    """A fresh Python with pip, standing in for the one Render's Python runtime provides."""
    target = workspace / "render-python"
    subprocess.run(
        ["uv", "venv", "--quiet", "--seed", "--python", "3.11", str(target)],
        check=True,
        env={k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"},
    )
    return target


@pytest.fixture(scope="module")
def postgres() -> Iterator[ThrowawayPostgres]:
    if find_bindir() is None:
        message = "render.yaml backend rehearsal: no PostgreSQL server binaries found"
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(message + " (REQUIRE_POSTGRES=1)")
        print(f"\n{'!' * 72}\n!! SKIPPED: {message}\n{'!' * 72}")
        pytest.skip(message)
    with ThrowawayPostgres() as server:
        yield server


def sign_in(url: str, email: str, password: str) -> str:
    """A session token from the OAuth2 password form, as the web app and curl sign in."""
    answer = httpx.post(
        url + "/auth/token", data={"username": email, "password": password}, timeout=10
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["token_type"] == "bearer"
    token: str = body["access_token"]
    return token


def test_backend_builds_starts_on_postgres_with_accounts_and_keeps_a_task_across_a_restart(
    backend_service: Service, workspace: Path, render_python: Path, postgres: ThrowawayPostgres
) -> None:
    repo = workspace / "repo"
    cwd = repo / backend_service.get("rootDir", ".")
    commit = git("rev-parse", "HEAD").strip()
    database_url = postgres.url(scheme="postgres")  # Render's connectionString form
    admin_password = secrets.token_urlsafe(18)  # what an operator types at Blueprint creation
    rendered = service_env(
        backend_service,
        database_url=database_url,
        prompted={
            "CORS_ORIGINS": REHEARSAL_CORS_ORIGINS,
            "ADMIN_EMAIL": REHEARSAL_ADMIN_EMAIL,
            "ADMIN_PASSWORD": admin_password,
        },
    )
    env = {
        **clean_environment(render_python),
        **rendered,
        "PORT": str(free_port()),
        "RENDER": "true",
        "RENDER_GIT_COMMIT": commit,
        "WEB_CONCURRENCY": "2",  # both workers start on an empty users table
    }
    # Nothing of this machine's may stand in for what the Blueprint says (or leaves at default).
    for inherited in ("AUTH_REQUIRED", "SIGNUP", "SESSION_TTL_MINUTES", "AUTH_RATE_PER_MINUTE"):
        if inherited not in rendered:
            env.pop(inherited, None)
    run_build(
        backend_service["buildCommand"], cwd=cwd, env=env, log=workspace / "backend-build.log"
    )
    assert (cwd / ".venv").is_dir(), "the build left no virtualenv for the start command"

    start = backend_service["startCommand"]
    assert "--host 0.0.0.0" in start
    service = RenderedService(
        start.replace("--host 0.0.0.0", "--host 127.0.0.1"),
        cwd=cwd,
        env=env,
        log=workspace / "backend-service.log",
    )
    health_path = backend_service["healthCheckPath"]
    token = ""
    try:
        service.start()
        health = service.wait_healthy(health_path)  # public: Render's check sends no credential
        assert health["status"] == "healthy"
        assert health["database"] == "connected"
        assert health["storage"] == "postgresql"
        assert health["environment"] == "production"
        assert health["commit"] == commit

        welcome = httpx.get(service.url + "/", timeout=10).json()
        assert welcome["auth"] == "required" and welcome["signup"] == "invite"
        anonymous = httpx.get(service.url + "/tasks", timeout=10)
        assert anonymous.status_code == 401, anonymous.text
        assert anonymous.headers["www-authenticate"].lower().startswith("bearer")
        refused = httpx.post(service.url + "/tasks", json={"title": "anonymous"}, timeout=10)
        assert refused.status_code == 401, refused.text

        token = sign_in(service.url, REHEARSAL_ADMIN_EMAIL, admin_password)
        auth = {"Authorization": f"Bearer {token}"}
        me = httpx.get(service.url + "/users/me", headers=auth, timeout=10).json()
        assert me["email"] == REHEARSAL_ADMIN_EMAIL and me["role"] == "admin"
        created = httpx.post(
            service.url + "/tasks",
            json={"title": "rehearsal: survives a restart"},
            headers=auth,
            timeout=10,
        )
        assert created.status_code == 201, created.text
        task_id = created.json()["id"]
        assert created.json()["created_by"] == me["id"]

        service.stop()
        service.start()  # runs the migrations again on a migrated database, then serves
        assert service.wait_healthy(health_path)["tasks_count"] >= 1

        # The session lives in the database: it outlives the restart, and the admin was not
        # made a second time (ADMIN_EMAIL/ADMIN_PASSWORD only act on an empty users table).
        again = httpx.get(f"{service.url}/tasks/{task_id}", headers=auth, timeout=10)
        assert again.status_code == 200, again.text
        assert again.json()["title"] == "rehearsal: survives a restart"
        listed = httpx.get(service.url + "/tasks", headers=auth, timeout=10).json()
        assert task_id in [t["id"] for t in listed]
        people = httpx.get(service.url + "/users", headers=auth, timeout=10).json()
        assert [p["email"] for p in people] == [REHEARSAL_ADMIN_EMAIL]
        assert httpx.get(f"{service.url}/tasks/{task_id}", timeout=10).status_code == 401
    finally:
        service.stop()
    logged = service.log.read_text(errors="replace")
    assert postgres.password not in logged, "the service logged the database password"
    assert admin_password not in logged, "the service logged ADMIN_PASSWORD"
    assert rendered["SECRET_KEY"] not in logged, "the service logged SECRET_KEY"
    assert token and token not in logged, "the service logged a session token"


def bundle_files(index_html: str, dist: Path) -> list[Path]:
    """The JS files index.html loads, and every chunk they import, transitively."""
    pending = [
        (dist / src.lstrip("/")).resolve()
        for src in re.findall(r'<script[^>]*\bsrc="([^"]+\.js)"', index_html)
    ]
    seen: list[Path] = []
    while pending:
        current = pending.pop()
        if current in seen or not current.is_file():
            continue
        seen.append(current)
        for ref in re.findall(
            r"""["'](\.{1,2}/[\w./-]+\.js)["']""", current.read_text(errors="replace")
        ):
            pending.append((current.parent / ref).resolve())
    return seen


def test_static_site_builds_an_index_whose_bundle_calls_vite_api_url(
    static_site: Service, workspace: Path, render_python: Path
) -> None:
    repo = workspace / "repo"
    cwd = repo / static_site.get("rootDir", ".")
    assert (cwd / "package.json").is_file(), (
        f"{cwd.relative_to(repo)}/package.json is not tracked in git: the static site cannot be "
        "rehearsed until the frontend is committed"
    )
    env = {
        **clean_environment(render_python),
        **service_env(static_site, database_url="", prompted={"VITE_API_URL": REHEARSAL_API_URL}),
        "RENDER": "true",
        # Reuse npm's default cache; nothing else differs from Render's `npm ci`.
        "npm_config_prefer_offline": "true",
        "npm_config_audit": "false",
        "npm_config_fund": "false",
    }
    run_build(static_site["buildCommand"], cwd=cwd, env=env, log=workspace / "static-build.log")

    dist = cwd / static_site["staticPublishPath"]
    index = dist / "index.html"
    assert index.is_file(), f"{static_site['staticPublishPath']}/index.html was not published"
    html = index.read_text()
    # The CSP allows scripts and styles from the site's own files only.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "index.html has an inline script"
    assert "<style" not in html, "index.html has an inline style block"
    bundle = bundle_files(html, dist)
    assert bundle, "index.html loads no JavaScript bundle"
    assert any(REHEARSAL_API_URL in f.read_text(errors="replace") for f in bundle), (
        f"no file of the bundle ({[f.name for f in bundle]}) contains VITE_API_URL"
    )
    # The page's own policy lets it call exactly the API it was built for (render.yaml's header
    # names no API host: a suffixed service name would break it), and comes before any script.
    policies = re.findall(
        r'<meta http-equiv="Content-Security-Policy" content="([^"]*)"', html, flags=re.I
    )
    assert len(policies) == 1, "index.html must carry one Content-Security-Policy meta element"
    assert unescape(policies[0]) == f"connect-src 'self' {REHEARSAL_API_URL}"
    assert html.index("Content-Security-Policy") < html.index("<script")
