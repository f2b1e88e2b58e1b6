"""README.md and MIGRATION_CHECKLIST.md: their commands use the API as it now is, their links lead
somewhere, and the rollback names the revision before accounts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .conftest import BACKEND_DIR, REPO_ROOT

README = REPO_ROOT / "README.md"
CHECKLIST = REPO_ROOT / "MIGRATION_CHECKLIST.md"
DOCS = [README, CHECKLIST]
ACCOUNTS_MIGRATION = BACKEND_DIR / "migrations" / "versions" / "0004_accounts.py"


def shell_lines(doc: Path) -> list[str]:
    """The lines of the ```bash blocks, continuation lines joined to their command."""
    blocks = re.findall(r"```bash\n(.*?)```", doc.read_text(), re.S)
    joined = "\n".join(blocks).replace("\\\n", " ")
    return [line.strip() for line in joined.splitlines() if line.strip()]


def anchors(doc: Path) -> set[str]:
    """GitHub's anchors for the headings of a Markdown file."""
    found = set()
    for heading in re.findall(r"^#{1,6} (.+)$", doc.read_text(), re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        found.add(slug)
    return found


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_task_api_call_shown_carries_a_credential_or_expects_401(doc: Path) -> None:
    # The task API answers 401 without a credential: a command shown without one fails for
    # whoever copies it. Exceptions: the old deployment, and the API before accounts are on.
    for line in shell_lines(doc):
        if "curl" not in line or not re.search(r"/tasks\b", line):
            continue
        assert (
            "$AUTH" in line
            or "Authorization: Bearer" in line
            or "401" in line
            or "$OLD_API" in line
            or "no token yet" in line
        ), f"{doc.name}: {line}"


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_sign_in_commands_keep_the_password_out_of_the_command_line(doc: Path) -> None:
    for line in shell_lines(doc):
        if "/auth/token" in line and "curl" in line:
            assert "password@-" in line, f"{doc.name}: the password would be in argv: {line}"


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_relative_links_lead_to_files_and_headings_that_exist(doc: Path) -> None:
    for target in re.findall(r"\]\(([^)\s]+)\)", doc.read_text()):
        if re.match(r"[a-z]+:", target):
            continue  # an absolute URL
        path, _, anchor = target.partition("#")
        linked = (doc.parent / path) if path else doc
        assert linked.exists(), f"{doc.name}: link to a missing file: {target}"
        if anchor and linked.suffix == ".md":
            assert anchor in anchors(linked), f"{doc.name}: no heading for {target}"


def test_the_rollback_goes_back_to_the_revision_before_accounts() -> None:
    down = re.search(r'^down_revision[^=]*= "(\w+)"', ACCOUNTS_MIGRATION.read_text(), re.M)
    assert down
    rollbacks = set(re.findall(r"alembic downgrade (\w+)", CHECKLIST.read_text()))
    assert rollbacks == {down.group(1)}
    assert f"alembic downgrade {down.group(1)}" in README.read_text()
