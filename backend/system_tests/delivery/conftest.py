"""Shared fixtures for the delivery suite: the repository's paths and its parsed render.yaml."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[3]
BACKEND_DIR = REPO_ROOT / "backend"
RENDER_YAML = REPO_ROOT / "render.yaml"
WORKFLOWS_DIR = REPO_ROOT / ".github" / "workflows"

Blueprint = dict[str, Any]
Service = dict[str, Any]


@pytest.fixture(scope="session")
def blueprint() -> Blueprint:
    loaded = yaml.safe_load(RENDER_YAML.read_text())
    assert isinstance(loaded, dict), "render.yaml must be a mapping"
    return loaded


def services_of(blueprint: Blueprint, *, runtime: str) -> list[Service]:
    return [s for s in blueprint.get("services", []) if s.get("runtime") == runtime]


@pytest.fixture(scope="session")
def backend_service(blueprint: Blueprint) -> Service:
    found = services_of(blueprint, runtime="python")
    assert len(found) == 1, "render.yaml must define exactly one Python web service (the backend)"
    return found[0]


@pytest.fixture(scope="session")
def static_site(blueprint: Blueprint) -> Service:
    found = services_of(blueprint, runtime="static")
    assert len(found) == 1, "render.yaml must define exactly one static site (the frontend)"
    return found[0]


def service_dir(service: Service) -> Path:
    """Where Render runs a service's commands: its rootDir, or the repository root."""
    return REPO_ROOT / str(service.get("rootDir", "."))
