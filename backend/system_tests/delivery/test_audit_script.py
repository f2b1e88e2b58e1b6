"""scripts/audit-dependencies.sh: fails on a known vulnerability that has a fix, says so loudly
(in one line) when the advisory services could not be asked, and fails then only when
REQUIRE_AUDIT=1 (the GitHub workflow).

pip-audit and npm audit are replaced by stand-ins on PATH that answer with the JSON the real tools
write (pip-audit's --format json, npm audit --json, report version 2), so every verdict is tested
without the advisory services, which this machine may not reach.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from .conftest import REPO_ROOT

AUDIT_SH = REPO_ROOT / "scripts" / "audit-dependencies.sh"

# `uv export` prints requirements; `uv run ... pip-audit ... --output FILE` writes PIP_AUDIT_JSON.
FAKE_UV = """#!/usr/bin/env bash
case "$1" in
  export) echo "fastapi==0.115.0" ;;
  run)
    out=""
    while [ $# -gt 0 ]; do [ "$1" = --output ] && out="$2"; shift; done
    [ -n "${PIP_AUDIT_JSON:-}" ] && printf '%s' "$PIP_AUDIT_JSON" > "$out"
    [ -n "${PIP_AUDIT_STDERR:-}" ] && echo "$PIP_AUDIT_STDERR" >&2
    exit "${PIP_AUDIT_EXIT:-0}" ;;
esac
"""
FAKE_NPM = """#!/usr/bin/env bash
printf '%s' "$NPM_AUDIT_JSON"
exit "${NPM_AUDIT_EXIT:-0}"
"""

PIP_CLEAN = {"dependencies": [{"name": "fastapi", "version": "0.115.0", "vulns": []}], "fixes": []}
NPM_CLEAN = {"auditReportVersion": 2, "vulnerabilities": {}, "metadata": {}}


def pip_vuln(fix_versions: list[str]) -> dict[str, Any]:
    vuln = {"id": "PYSEC-2026-1", "fix_versions": fix_versions, "aliases": [], "description": ""}
    return {
        "dependencies": [{"name": "fastapi", "version": "0.115.0", "vulns": [vuln]}],
        "fixes": [],
    }


def npm_vuln(severity: str, fix: bool | dict[str, Any]) -> dict[str, Any]:
    return {
        "auditReportVersion": 2,
        "vulnerabilities": {
            "react-dom": {"name": "react-dom", "severity": severity, "fixAvailable": fix}
        },
        "metadata": {},
    }


PIP_UNREACHABLE = {
    "dependencies": [
        {
            "name": "fastapi",
            "skip_reason": "Dependency not found on PyPI and could not be audited: "
            "fastapi (0.115.0)",
        }
    ],
    "fixes": [],
}
NPM_UNREACHABLE = {
    "message": "405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/...",
    "statusCode": 405,
    "error": {"summary": "", "detail": ""},
}


@pytest.fixture(scope="module")
def fake_tools(tmp_path_factory: pytest.TempPathFactory) -> Path:
    bin_dir = tmp_path_factory.mktemp("fake-bin")
    for name, script in (("uv", FAKE_UV), ("npm", FAKE_NPM)):
        (bin_dir / name).write_text(script)
        (bin_dir / name).chmod(0o755)
    return bin_dir


def audit(
    fake_tools: Path, pip: dict[str, Any] | None, npm: dict[str, Any], **env: str
) -> subprocess.CompletedProcess[str]:
    environment = {
        **{k: v for k, v in os.environ.items() if k != "REQUIRE_AUDIT"},
        "PATH": f"{fake_tools}{os.pathsep}{os.environ['PATH']}",
        "PIP_AUDIT_JSON": json.dumps(pip) if pip is not None else "",
        "NPM_AUDIT_JSON": json.dumps(npm),
        **env,
    }
    return subprocess.run(
        ["bash", str(AUDIT_SH)], env=environment, capture_output=True, text=True, check=False
    )


def test_clean_reports_pass(fake_tools: Path) -> None:
    result = audit(fake_tools, PIP_CLEAN, NPM_CLEAN)
    assert result.returncode == 0, result.stdout
    assert "no known vulnerability with a fix" in result.stdout


def test_a_python_vulnerability_with_a_fixed_release_fails(fake_tools: Path) -> None:
    result = audit(fake_tools, pip_vuln(["0.115.3"]), NPM_CLEAN, PIP_AUDIT_EXIT="1")
    assert result.returncode == 1
    assert "FIXABLE" in result.stdout and "PYSEC-2026-1" in result.stdout
    assert "0.115.3" in result.stdout


@pytest.mark.parametrize("fix", [True, {"name": "react-dom", "isSemVerMajor": False}])
def test_a_high_npm_vulnerability_with_a_fix_fails(fake_tools: Path, fix: Any) -> None:
    result = audit(fake_tools, PIP_CLEAN, npm_vuln("high", fix), NPM_AUDIT_EXIT="1")
    assert result.returncode == 1
    assert "FIXABLE" in result.stdout and "react-dom" in result.stdout


def test_findings_without_a_fix_are_reported_and_do_not_fail(fake_tools: Path) -> None:
    result = audit(fake_tools, pip_vuln([]), npm_vuln("critical", False))
    assert result.returncode == 0
    assert result.stdout.count("without a fix") == 2


def test_an_npm_finding_below_high_does_not_fail(fake_tools: Path) -> None:
    result = audit(fake_tools, PIP_CLEAN, npm_vuln("moderate", True))
    assert result.returncode == 0


@pytest.mark.parametrize(
    ("pip", "npm"),
    [
        (PIP_UNREACHABLE, NPM_UNREACHABLE),  # what this sandbox answers
        (None, NPM_CLEAN),  # pip-audit crashed (no JSON)
        (PIP_CLEAN, NPM_UNREACHABLE),
    ],
)
def test_an_audit_that_could_not_run_says_so_in_one_loud_line(
    fake_tools: Path, pip: dict[str, Any] | None, npm: dict[str, Any]
) -> None:
    result = audit(fake_tools, pip, npm, PIP_AUDIT_STDERR="ConnectionError: api.osv.dev")
    assert result.returncode == 0
    (line,) = [line for line in result.stdout.splitlines() if "NOT RUN" in line]
    assert line.startswith("!!!") and "NOT checked" in line
    assert "no known vulnerability" not in result.stdout


def test_an_audit_that_could_not_run_fails_where_it_is_required(fake_tools: Path) -> None:
    result = audit(fake_tools, PIP_UNREACHABLE, NPM_UNREACHABLE, REQUIRE_AUDIT="1")
    assert result.returncode == 1
    assert "REQUIRE_AUDIT=1" in result.stdout
