"""scripts/dev.sh's local admin: made on the first run, kept where git ignores it, and signed in.

`make dev` itself installs everything and runs two servers until Ctrl-C, so these tests source
the script (which then only defines its functions) and run its admin bootstrap against a real
backend started as dev.sh starts it: accounts on, ADMIN_EMAIL and ADMIN_PASSWORD from the file.
"""

from __future__ import annotations

import re
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pydantic import TypeAdapter

from src.schemas import Email
from src.security import password_problem
from tests.support.server import AppServer

from .conftest import REPO_ROOT

DEV_SH = REPO_ROOT / "scripts" / "dev.sh"


def dev(snippet: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Runs `snippet` in bash after sourcing dev.sh; $1... are `args`."""
    return subprocess.run(
        ["bash", "-c", f'source "{DEV_SH}"\n{snippet}', "dev-test", *args],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def local_admin(file: Path) -> tuple[str, str, str]:
    """dev.sh's dev_local_admin on `file`: (email, password, what it said on stderr)."""
    result = dev('dev_local_admin "$1" && printf "%s\\n%s\\n" "$dev_admin_email" '
                 '"$dev_admin_password"', str(file))  # fmt: skip
    assert result.returncode == 0, result.stderr
    email, password = result.stdout.splitlines()
    return email, password, result.stderr


def sign_in_banner(file: Path, api_url: str) -> tuple[int, str]:
    """dev.sh's check against `api_url` and the banner lines it prints: (status, lines)."""
    result = dev(
        'dev_local_admin "$1" || exit 9\n'
        'status=0; dev_sign_in_check "$2" || status=$?\n'
        'dev_sign_in_lines "$status"; exit "$status"',
        str(file),
        api_url,
    )
    return result.returncode, result.stdout + result.stderr


@pytest.fixture
def admin_file(tmp_path: Path) -> Path:
    return tmp_path / ".env.local"


def server_for(database: Path, email: str, password: str) -> AppServer:
    """The backend as dev.sh starts it: accounts on, the local admin in its environment."""
    return AppServer(
        f"sqlite:///{database}",
        env={
            "ENVIRONMENT": "development",
            "AUTH_REQUIRED": "true",
            "ADMIN_EMAIL": email,
            "ADMIN_PASSWORD": password,
        },
    )


@pytest.fixture
def dev_backend(admin_file: Path, tmp_path: Path) -> Iterator[AppServer]:
    email, password, _ = local_admin(admin_file)
    with server_for(tmp_path / "taskflow.db", email, password) as server:
        yield server


def test_the_first_run_makes_an_admin_the_api_accepts_and_only_its_owner_can_read(
    admin_file: Path,
) -> None:
    email, password, said = local_admin(admin_file)
    assert email == "admin@taskflow.localhost"
    assert TypeAdapter(Email).validate_python(email) == email  # a dot in the domain
    assert password_problem(password, email=email) is None  # 15+ characters, not common
    assert len(password) >= 24
    assert "first run" in said and password not in said
    assert stat.S_IMODE(admin_file.stat().st_mode) == 0o600


def test_later_runs_keep_the_same_admin_and_two_first_runs_differ(
    admin_file: Path, tmp_path: Path
) -> None:
    first = local_admin(admin_file)
    again = local_admin(admin_file)
    assert again[:2] == first[:2]
    assert "first run" not in again[2]
    elsewhere = local_admin(tmp_path / "other.env.local")
    assert elsewhere[1] != first[1], "the password is random, not a fixed default"


def test_a_file_without_the_admin_lines_is_refused_with_a_way_out(admin_file: Path) -> None:
    admin_file.write_text("ADMIN_EMAIL=admin@taskflow.localhost\n")
    result = dev('dev_local_admin "$1"', str(admin_file))
    assert result.returncode == 1
    assert "delete it" in result.stderr


def test_the_password_file_is_one_git_ignores() -> None:
    match = re.search(r'^DEV_ADMIN_FILE="([^"]+)"$', DEV_SH.read_text(), re.M)
    assert match, "dev.sh no longer names its admin file as DEV_ADMIN_FILE=..."
    ignored = subprocess.run(
        ["git", "check-ignore", "--quiet", "--no-index", match.group(1)], cwd=REPO_ROOT
    )
    assert ignored.returncode == 0, f"{match.group(1)} would be committable"


def test_dev_sh_hands_the_admin_to_the_backend_through_its_environment() -> None:
    text = DEV_SH.read_text()
    launch = re.search(r"\(cd backend && (.*?)\) &", text, re.S)
    assert launch, "dev.sh no longer starts the backend as (cd backend && ...) &"
    command = launch.group(1)
    assert 'ADMIN_EMAIL="$dev_admin_email"' in command
    assert 'ADMIN_PASSWORD="$dev_admin_password"' in command
    assert command.index("ADMIN_PASSWORD=") < command.index("uvicorn")
    assert "AUTH_REQUIRED" not in command, "accounts stay at the default (on)"


def test_the_backend_signs_the_local_admin_in_and_dev_sh_prints_how(
    admin_file: Path, dev_backend: AppServer
) -> None:
    email, password, _ = local_admin(admin_file)
    status, banner = sign_in_banner(admin_file, dev_backend.url)
    assert status == 0, banner
    assert email in banner and password in banner
    # The same credentials work for anyone signing in (the web app, curl).
    answer = httpx.post(
        dev_backend.url + "/auth/token", data={"username": email, "password": password}
    )
    assert answer.status_code == 200, answer.text
    token = answer.json()["access_token"]
    me = httpx.get(dev_backend.url + "/users/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["role"] == "admin"
    assert password not in dev_backend.log(), "the backend logged the admin's password"


def test_a_database_that_had_people_before_is_reported_with_the_way_out(
    admin_file: Path, tmp_path: Path
) -> None:
    local_admin(admin_file)
    database = tmp_path / "taskflow.db"
    # Someone else was made first: ADMIN_EMAIL/ADMIN_PASSWORD only act on an empty users table.
    with server_for(database, "someone@example.com", "another-long-random-passphrase"):
        pass
    email, password, _ = local_admin(admin_file)
    with server_for(database, email, password) as server:
        status, banner = sign_in_banner(admin_file, server.url)
    assert status == 1
    assert "create-user" in banner and "answered 401" in banner


def test_single_user_mode_says_there_is_no_sign_in(admin_file: Path, tmp_path: Path) -> None:
    with AppServer(f"sqlite:///{tmp_path / 'open.db'}", env={"AUTH_REQUIRED": "false"}) as server:
        status, banner = sign_in_banner(admin_file, server.url)
    assert status == 2
    assert "AUTH_REQUIRED=false" in banner
