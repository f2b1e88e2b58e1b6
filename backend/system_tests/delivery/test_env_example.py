"""backend/.env.example and the README's configuration table name every setting the app reads."""

from __future__ import annotations

import re

from src.config import Settings

from .conftest import BACKEND_DIR, REPO_ROOT

ENV_EXAMPLE = BACKEND_DIR / ".env.example"


def settings_names() -> set[str]:
    return {name.upper() for name in Settings.model_fields}


def test_env_example_documents_every_setting() -> None:
    text = ENV_EXAMPLE.read_text()
    documented = set(re.findall(r"^(?:# )?([A-Z][A-Z0-9_]*)=", text, re.M))
    assert settings_names() <= documented, settings_names() - documented
    assert documented <= settings_names(), f"not read by the app: {documented - settings_names()}"


def test_env_example_sets_no_secret_and_its_values_are_valid_settings() -> None:
    values = dict(re.findall(r"^([A-Z][A-Z0-9_]*)=(.*)$", ENV_EXAMPLE.read_text(), re.M))
    for secret in ("SECRET_KEY", "ADMIN_PASSWORD"):
        assert not values.get(secret), f"{secret} has a value in .env.example"
    # As a developer's backend/.env: loads, and keeps accounts on.
    settings = Settings(_env_file=None, **{k.lower(): v for k, v in values.items()})
    assert settings.auth_required is True


def test_readme_configuration_names_every_setting() -> None:
    readme = (REPO_ROOT / "README.md").read_text()
    missing = {name for name in settings_names() if f"`{name}`" not in readme}
    assert not missing, f"README does not mention {sorted(missing)}"
