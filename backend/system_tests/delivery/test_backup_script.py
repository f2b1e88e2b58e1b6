"""scripts/backup.sh against a stand-in for Render: its API, and the firewall its allow list drives.

Render cannot be reached from here, so a small HTTP server plays GET and PATCH /postgres/{id}
(the shape of Render's API as its own CLI's generated client has it: `ipAllowList` of
`{cidrBlock, description}`, PATCH replacing the list), and a TCP relay in front of a throwaway
PostgreSQL plays the firewall: it lets a connection through only while the allow list holds the
address the script says is its own. So "the export ran while the address was allowed, and the
address was removed afterwards" is checked by what the database let in, not by the script's word.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg2
import pytest

from tests.support.postgres import ThrowawayPostgres, find_bindir

from .conftest import BACKEND_DIR, REPO_ROOT
from .fake_render import API_KEY, RenderHandler, serving

BACKUP_SH = REPO_ROOT / "scripts" / "backup.sh"
POSTGRES_ID = "dpg-backup-test"
RUNNER_IP = "203.0.113.7"
OFFICE = {"cidrBlock": "198.51.100.0/24", "description": "office"}


@dataclass
class FakeRender:
    """The database's allow list as Render keeps it, and what the script asked for."""

    allow_list: list[dict[str, str]] = field(default_factory=lambda: [dict(OFFICE)])
    patches: list[list[dict[str, str]]] = field(default_factory=list)
    failing_patches_from: int | None = None  # PATCH number (1-based) from which Render answers 500
    url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def allows(self, address: str) -> bool:
        with self.lock:
            return any(entry["cidrBlock"] == f"{address}/32" for entry in self.allow_list)


@pytest.fixture
def render_api() -> Iterator[FakeRender]:
    fake = FakeRender()

    class Handler(RenderHandler):
        def database_path_ok(self) -> bool:
            if not self.authorized():
                return False
            if self.path != f"/postgres/{POSTGRES_ID}":
                self.answer(404, {"message": "not found"})
                return False
            return True

        def detail(self) -> dict[str, Any]:
            return {
                "id": POSTGRES_ID,
                "name": "taskflow-db",
                "ipAllowList": fake.allow_list,
                "expiresAt": "2027-01-03T00:00:00Z",
            }

        def do_GET(self) -> None:
            if self.database_path_ok():
                with fake.lock:
                    self.answer(200, self.detail())

        def do_PATCH(self) -> None:
            if not self.database_path_ok():
                return
            body = self.json_body()
            with fake.lock:
                fake.patches.append(body["ipAllowList"])
                if fake.failing_patches_from and len(fake.patches) >= fake.failing_patches_from:
                    self.answer(500, {"message": "internal error"})
                    return
                fake.allow_list = body["ipAllowList"]
                self.answer(200, self.detail())

    with serving(Handler) as fake.url:
        yield fake


@dataclass
class Firewall:
    """A TCP relay to the database that admits a connection only while Render allows RUNNER_IP."""

    port: int
    admitted: int = 0
    refused: int = 0


def relay(source: socket.socket, target: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            target.sendall(data)
    except OSError:
        pass
    finally:
        for end in (source, target):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)


@pytest.fixture(scope="module")
def postgres() -> Iterator[ThrowawayPostgres]:
    if find_bindir() is None:
        message = "scripts/backup.sh test: no PostgreSQL server binaries found"
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(message + " (REQUIRE_POSTGRES=1)")
        print(f"\n{'!' * 72}\n!! SKIPPED: {message}\n{'!' * 72}")
        pytest.skip(message)
    with ThrowawayPostgres() as server:
        data_tool(server, "seed", "--count", "30", "--random-seed", "11")
        yield server


@pytest.fixture
def firewall(render_api: FakeRender, postgres: ThrowawayPostgres) -> Iterator[Firewall]:
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)  # so the loop sees `stop` soon after the test ends
    wall = Firewall(port=listener.getsockname()[1])
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            client.settimeout(None)
            if not render_api.allows(RUNNER_IP):
                wall.refused += 1
                client.close()
                continue
            wall.admitted += 1
            upstream = socket.create_connection(("127.0.0.1", postgres.port))
            for pair in ((client, upstream), (upstream, client)):
                threading.Thread(target=relay, args=pair, daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield wall
    finally:
        stop.set()
        thread.join(5)
        listener.close()


@dataclass
class KeyPair:
    home: Path
    public_key: str

    def decrypt(self, path: Path) -> str:
        result = subprocess.run(
            ["gpg", "--batch", "--quiet", "--homedir", str(self.home), "--pinentry-mode",
             "loopback", "--passphrase", "", "--decrypt", str(path)],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        return result.stdout


@pytest.fixture(scope="module")
def key_pair(tmp_path_factory: pytest.TempPathFactory) -> KeyPair:
    """The backup's key pair: the script gets the public key, the operator keeps the private one."""
    if shutil.which("gpg") is None:
        pytest.fail("gpg (GnuPG) is needed: apt-get install gnupg")
    home = tmp_path_factory.mktemp("gnupg")
    home.chmod(0o700)
    gpg = ["gpg", "--batch", "--quiet", "--homedir", str(home)]
    subprocess.run(
        [*gpg, "--passphrase", "", "--quick-gen-key", "TaskFlow backups <backups@example.test>",
         "future-default", "default", "never"],
        check=True, capture_output=True,
    )  # fmt: skip
    exported = subprocess.run(
        [*gpg, "--armor", "--export", "backups@example.test"],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return KeyPair(home=home, public_key=exported.stdout)


def run_backup(
    render: FakeRender,
    database_url: str,
    key: KeyPair,
    out: Path,
    **overrides: str,
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "RENDER_API_URL": render.url,
        "RENDER_API_KEY": API_KEY,
        "RENDER_POSTGRES_ID": POSTGRES_ID,
        "BACKUP_DATABASE_URL": database_url,
        "BACKUP_GPG_PUBLIC_KEY": key.public_key,
        "BACKUP_PUBLIC_IP": RUNNER_IP,
        "BACKUP_DIR": str(out),
        "BACKUP_CONNECT_WAIT": "20",
        **overrides,
    }
    return subprocess.run(
        ["bash", str(BACKUP_SH)], env=env, capture_output=True, text=True, timeout=180, check=False
    )


def through(wall: Firewall, postgres: ThrowawayPostgres) -> str:
    """The database's URL as the backup job has it: the external address, behind the firewall."""
    return postgres.url().replace(f":{postgres.port}/", f":{wall.port}/")


def data_tool(postgres: ThrowawayPostgres, *args: str) -> None:
    """`python -m src.db_init ARGS` on the database directly (not through the firewall)."""
    subprocess.run(
        ["uv", "run", "--frozen", "python", "-m", "src.db_init", *args,
         "--database-env", "DIRECT_DATABASE_URL"],
        cwd=BACKEND_DIR, env={**os.environ, "DIRECT_DATABASE_URL": postgres.url()},
        check=True, capture_output=True,
    )  # fmt: skip


def direct_export(postgres: ThrowawayPostgres, path: Path) -> dict[str, Any]:
    data_tool(postgres, "export", "--output", str(path))
    document: dict[str, Any] = json.loads(path.read_text())
    return document


def secrets_absent(result: subprocess.CompletedProcess[str], postgres: ThrowawayPostgres) -> None:
    output = result.stdout + result.stderr
    assert API_KEY not in output, "the Render API key was printed"
    assert postgres.password not in output, "the database password was printed"


def test_backup_opens_the_database_to_its_address_exports_encrypts_and_closes_it_again(
    render_api: FakeRender,
    firewall: Firewall,
    postgres: ThrowawayPostgres,
    key_pair: KeyPair,
    tmp_path: Path,
) -> None:
    out = tmp_path / "backups"

    result = run_backup(render_api, through(firewall, postgres), key_pair, out)

    assert result.returncode == 0, result.stderr
    secrets_absent(result, postgres)
    # The export went through the firewall while the address was allowed...
    assert firewall.admitted >= 1
    # ...added beside the existing entry, then removed: the list is as it was.
    assert render_api.patches[0][0] == OFFICE
    assert render_api.patches[0][1]["cidrBlock"] == f"{RUNNER_IP}/32"
    assert render_api.allow_list == [OFFICE]
    # One encrypted file, nothing in clear, and it decrypts to the database's tasks.
    (backup,) = out.iterdir()
    assert backup.name.startswith("taskflow-backup-") and backup.suffix == ".gpg"
    assert b'"tasks"' not in backup.read_bytes()
    restored = json.loads(key_pair.decrypt(backup))
    expected = direct_export(postgres, tmp_path / "direct.json")
    assert restored["tasks"] == expected["tasks"] and len(restored["tasks"]) == 30
    assert "30 tasks" in result.stdout


def test_a_failed_export_still_removes_the_address_and_writes_no_file(
    render_api: FakeRender,
    firewall: Firewall,
    postgres: ThrowawayPostgres,
    key_pair: KeyPair,
    tmp_path: Path,
) -> None:
    wrong_password = through(firewall, postgres).replace(postgres.password, "not-the-password")
    out = tmp_path / "backups"

    result = run_backup(render_api, wrong_password, key_pair, out, BACKUP_CONNECT_WAIT="3")

    assert result.returncode == 1
    assert "the export failed" in result.stderr
    assert render_api.allow_list == [OFFICE], "the runner's address was left in the allow list"
    assert not out.exists() or not any(out.iterdir())
    secrets_absent(result, postgres)


def test_a_removal_render_refuses_fails_the_job_and_names_the_address(
    render_api: FakeRender,
    firewall: Firewall,
    postgres: ThrowawayPostgres,
    key_pair: KeyPair,
    tmp_path: Path,
) -> None:
    render_api.failing_patches_from = 2  # the add works, every removal fails

    result = run_backup(render_api, through(firewall, postgres), key_pair, tmp_path / "b")

    assert result.returncode == 1
    assert f"may still hold {RUNNER_IP}/32" in result.stderr
    secrets_absent(result, postgres)


def test_nothing_is_opened_or_exported_when_render_refuses_the_key(
    render_api: FakeRender,
    firewall: Firewall,
    postgres: ThrowawayPostgres,
    key_pair: KeyPair,
    tmp_path: Path,
) -> None:
    result = run_backup(
        render_api, through(firewall, postgres), key_pair, tmp_path / "b", RENDER_API_KEY="rnd_no"
    )

    assert result.returncode == 1
    assert "HTTP 401" in result.stderr
    assert render_api.patches == [] and firewall.admitted == 0


@pytest.mark.parametrize(
    "missing",
    ["RENDER_API_KEY", "RENDER_POSTGRES_ID", "BACKUP_DATABASE_URL", "BACKUP_GPG_PUBLIC_KEY"],
)
def test_refuses_to_start_without_its_configuration(
    render_api: FakeRender, key_pair: KeyPair, tmp_path: Path, missing: str
) -> None:
    result = run_backup(render_api, "postgresql://x@127.0.0.1:9/x", key_pair, tmp_path, **{
        missing: ""
    })  # fmt: skip

    assert result.returncode == 2
    assert missing in result.stderr
    assert render_api.patches == []


def test_the_backup_restores_the_database_as_it_was(
    render_api: FakeRender,
    firewall: Firewall,
    postgres: ThrowawayPostgres,
    key_pair: KeyPair,
    tmp_path: Path,
) -> None:
    """The restore drill, from the job's own file: back up; then tasks change and others are
    added; the operator decrypts the backup and imports it with --replace. The database holds
    exactly the backup's tasks again, versions and timestamps included."""
    out = tmp_path / "backups"
    result = run_backup(render_api, through(firewall, postgres), key_pair, out)
    assert result.returncode == 0, result.stderr
    (backup,) = out.iterdir()
    decrypted = tmp_path / "restore.json"
    decrypted.write_text(key_pair.decrypt(backup))
    backed_up = json.loads(decrypted.read_text())

    data_tool(postgres, "seed", "--count", "5", "--random-seed", "12")  # added since
    with psycopg2.connect(postgres.url()) as conn, conn.cursor() as cursor:  # and changed
        cursor.execute(
            "UPDATE tasks SET title = 'changed after the backup', version = version + 1 "
            "WHERE id = %s",
            (backed_up["tasks"][0]["id"],),
        )
    conn.close()
    assert direct_export(postgres, tmp_path / "changed.json")["tasks"] != backed_up["tasks"]

    data_tool(postgres, "import", str(decrypted), "--replace", "--yes")

    assert direct_export(postgres, tmp_path / "restored.json")["tasks"] == backed_up["tasks"]
