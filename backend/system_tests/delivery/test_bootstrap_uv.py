"""scripts/bootstrap-uv.sh: uv on a Debian or Ubuntu whose python3 is the system's (PEP 668).

There `python3 -m pip install uv` is refused ("externally-managed-environment"); the bootstrap
puts uv in a private virtualenv instead. Replayed here with Debian's own /usr/bin/python3, a PATH
without uv and an empty HOME, as on a fresh machine.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import REPO_ROOT

SYSTEM_PYTHON = Path("/usr/bin/python3")
FRESH_PATH = "/usr/bin:/bin"
CI_RUN = REPO_ROOT / ".ci" / "run"


def system_python(code: str) -> str:
    return subprocess.run(
        [str(SYSTEM_PYTHON), "-c", code], capture_output=True, text=True, check=True
    ).stdout


def site_packages_listing() -> dict[str, list[str]]:
    """What the system Python has installed, folder by folder (where apt and pip put packages)."""
    folders = json.loads(
        system_python("import json, site, sysconfig; print(json.dumps(site.getsitepackages()))")
    )
    return {folder: sorted(os.listdir(folder)) for folder in folders if Path(folder).is_dir()}


def test_uv_comes_from_a_private_virtualenv_and_the_system_python_is_untouched(
    tmp_path: Path,
) -> None:
    if not SYSTEM_PYTHON.exists():
        pytest.skip("no /usr/bin/python3 here")
    stdlib = Path(system_python("import sysconfig; print(sysconfig.get_path('stdlib'))").strip())
    if not (stdlib / "EXTERNALLY-MANAGED").exists():
        pytest.skip(f"{SYSTEM_PYTHON} is not externally managed (PEP 668) on this machine")
    if subprocess.run([str(SYSTEM_PYTHON), "-c", "import ensurepip, venv"], check=False).returncode:
        print(f"\n{'!' * 72}\n!! SKIPPED: python3-venv is not installed (.ci/run installs it)\n")
        pytest.skip("python3-venv is not installed")
    assert shutil.which("uv", path=FRESH_PATH) is None, f"a uv is already on {FRESH_PATH}"
    before = site_packages_listing()
    home = tmp_path / "home"
    home.mkdir()

    result = subprocess.run(
        ["bash", "-c", "set -e; source scripts/bootstrap-uv.sh; uv --version; command -v python3"],
        cwd=REPO_ROOT,
        env={"HOME": str(home), "PATH": FRESH_PATH, "LANG": "C.UTF-8"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    version, python3 = result.stdout.split("\n")[:2]
    assert version.startswith("uv 0.13.9")
    assert python3 == str(SYSTEM_PYTHON), "the virtualenv's python must not shadow the system's"
    assert (home / ".cache" / "taskflow" / "uv-0.13.9" / "venv" / "bin" / "uv").is_file()
    assert site_packages_listing() == before, "the bootstrap changed the system Python"


def commands(path: Path) -> str:
    """A shell script without its comments."""
    return "\n".join(line.split("#")[0] for line in path.read_text().splitlines())


def test_ci_run_and_install_get_uv_through_the_bootstrap_not_the_system_pip() -> None:
    ci_run = commands(CI_RUN)
    install = commands(REPO_ROOT / "scripts" / "install.sh")
    assert "missing+=(python3-venv)" in ci_run
    for script in (ci_run, install):
        assert "source scripts/bootstrap-uv.sh" in script
        # pip into the system Python is refused on Debian and Ubuntu (PEP 668).
        assert "pip install" not in script
