"""render.yaml, checked for everything that can be known without Render: fields, wiring, policy."""

from __future__ import annotations

import json
import re
from typing import Any

from .conftest import REPO_ROOT, Blueprint, Service, service_dir

# Fields from Render's Blueprint reference (render.com/docs/blueprint-spec). A field Render does
# not know makes the whole Blueprint fail to sync, so a typo here is a failed deploy there.
ROOT_FIELDS = {
    "services",
    "databases",
    "envVarGroups",
    "previews",
    "projects",
    "ungrouped",
    "version",
}
SERVICE_FIELDS = {
    "type",
    "name",
    "runtime",
    "plan",
    "region",
    "repo",
    "branch",
    "rootDir",
    "buildCommand",
    "startCommand",
    "preDeployCommand",
    "autoDeployTrigger",
    "healthCheckPath",
    "envVars",
    "domains",
    "numInstances",
    "scaling",
    "buildFilter",
    "disk",
    "maxShutdownDelaySeconds",
    "previews",
    "staticPublishPath",
    "headers",
    "routes",
    "dockerfilePath",
    "dockerContext",
    "dockerCommand",
    "registryCredential",
    "image",
    "schedule",
}
# Fields of running services that a static site (served from Render's CDN) does not take.
STATIC_SITE_EXCLUDED = {
    "plan",
    "region",
    "startCommand",
    "preDeployCommand",
    "healthCheckPath",
    "numInstances",
    "scaling",
    "disk",
    "maxShutdownDelaySeconds",
}
DATABASE_FIELDS = {
    "name",
    "plan",
    "previewPlan",
    "previewDiskSizeGB",
    "postgresMajorVersion",
    "databaseName",
    "user",
    "region",
    "diskSizeGB",
    "storageAutoscalingEnabled",
    "readReplicas",
    "highAvailability",
    "ipAllowList",
}
ENV_VAR_SOURCES = {"value", "generateValue", "sync", "fromDatabase", "fromService"}
DATABASE_PROPERTIES = {
    "connectionString",
    "connectionPoolString",
    "host",
    "port",
    "user",
    "password",
    "database",
}
SERVICE_PROPERTIES = {"host", "port", "hostport", "connectionString"}
AUTO_DEPLOY_TRIGGERS = {"commit", "checksPass", "off"}


def env_vars(service: Service) -> list[dict[str, Any]]:
    return list(service.get("envVars", []))


def env_var(service: Service, key: str) -> dict[str, Any]:
    matches = [v for v in env_vars(service) if v.get("key") == key]
    assert len(matches) == 1, f"{service['name']} must define {key} exactly once"
    return matches[0]


def header_value(site: Service, name: str, path: str = "/*") -> str:
    values = [
        h["value"] for h in site.get("headers", []) if h["name"] == name and h["path"] == path
    ]
    assert len(values) == 1, f"{site['name']} must send {name} on {path} exactly once"
    return str(values[0])


def csp_directives(policy: str) -> dict[str, list[str]]:
    directives: dict[str, list[str]] = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def test_the_file_uses_only_fields_render_documents(blueprint: Blueprint) -> None:
    assert set(blueprint) <= ROOT_FIELDS
    for service in blueprint["services"]:
        assert set(service) <= SERVICE_FIELDS, f"unknown fields in {service['name']}"
        if service.get("runtime") == "static":
            assert not set(service) & STATIC_SITE_EXCLUDED, (
                f"not for a static site: {service['name']}"
            )
    for database in blueprint["databases"]:
        assert set(database) <= DATABASE_FIELDS, f"unknown fields in {database['name']}"


def test_resource_names_are_unique(blueprint: Blueprint) -> None:
    names = [r["name"] for r in blueprint["services"] + blueprint["databases"]]
    assert len(names) == len(set(names))


def test_every_env_var_has_a_key_and_exactly_one_source(blueprint: Blueprint) -> None:
    for service in blueprint["services"]:
        for var in env_vars(service):
            if "fromGroup" in var:
                assert set(var) == {"fromGroup"}
                continue
            sources = set(var) & ENV_VAR_SOURCES
            assert set(var) == {"key"} | sources and len(sources) == 1, var
            if "sync" in var:
                assert var["sync"] is False, f"{var['key']}: sync only takes false"


def test_every_from_database_names_a_database_of_this_file(blueprint: Blueprint) -> None:
    databases = {d["name"] for d in blueprint["databases"]}
    references = [
        v["fromDatabase"] for s in blueprint["services"] for v in env_vars(s) if "fromDatabase" in v
    ]
    assert references, "the backend's DATABASE_URL must come from the database"
    for ref in references:
        assert ref["name"] in databases, f"fromDatabase names unknown database {ref['name']!r}"
        assert ref["property"] in DATABASE_PROPERTIES


def test_every_from_service_names_a_service_of_this_file_with_its_type(
    blueprint: Blueprint,
) -> None:
    types = {s["name"]: s["type"] for s in blueprint["services"]}
    for service in blueprint["services"]:
        for var in env_vars(service):
            ref = var.get("fromService")
            if ref is None:
                continue
            assert ref["name"] in types, f"fromService names unknown service {ref['name']!r}"
            assert ref["type"] == types[ref["name"]]
            assert ref["name"] != service["name"], "a service cannot read its own variables"
            assert ("property" in ref) != ("envVarKey" in ref)
            if "property" in ref:
                assert ref["property"] in SERVICE_PROPERTIES


def test_database_is_a_free_postgres_on_a_current_major_version(blueprint: Blueprint) -> None:
    (database,) = blueprint["databases"]
    assert database["plan"] == "free"
    # A string, as Render's schema wants; 15 is the oldest major version TaskFlow is tested on.
    assert isinstance(database["postgresMajorVersion"], str)
    assert int(database["postgresMajorVersion"]) >= 15


def test_database_accepts_no_connection_from_the_internet(blueprint: Blueprint) -> None:
    # An empty allow list: only Render's private network reaches the database (the backend uses
    # it); the nightly backup opens it to its runner's one address through Render's API, for the
    # minutes of the export (scripts/backup.sh). Without the field, any address may connect.
    (database,) = blueprint["databases"]
    assert database.get("ipAllowList") == []


def test_database_and_backend_share_one_region(blueprint: Blueprint) -> None:
    # Every database query crosses from the backend to the database: keep them together.
    running = [s for s in blueprint["services"] if s.get("runtime") != "static"]
    regions = {r.get("region") for r in running + blueprint["databases"]}
    assert len(regions) == 1 and None not in regions, regions


def test_automatic_deploys_are_off_for_both_services(blueprint: Blueprint) -> None:
    # Deploys come from the workflow after the tests passed, never from a push on its own.
    for service in blueprint["services"]:
        assert service.get("autoDeployTrigger") == "off", service["name"]
        assert "autoDeploy" not in service, "autoDeploy is the deprecated spelling"
    triggers = {s["autoDeployTrigger"] for s in blueprint["services"]}
    assert triggers <= AUTO_DEPLOY_TRIGGERS


def test_backend_build_installs_exactly_what_the_lock_file_pins(backend_service: Service) -> None:
    assert backend_service["type"] == "web"
    build = backend_service["buildCommand"]
    # --locked: a lock that disagrees with pyproject.toml fails the build (--frozen would not).
    assert "uv sync --locked" in build and "--no-dev" in build and "--frozen" not in build
    # uv itself at one version (test_workflows checks it is CI's).
    assert re.search(r"pip install uv==\d+\.\d+\.\d+ ", build)
    assert (service_dir(backend_service) / "uv.lock").is_file()


def test_backend_start_migrates_then_serves_on_port_with_workers_and_proxy_headers(
    backend_service: Service,
) -> None:
    start = backend_service["startCommand"]
    assert start.index("alembic upgrade head") < start.index("uvicorn")
    assert "--host 0.0.0.0" in start
    assert re.search(r'--port "?\$\{?PORT\b', start)
    assert "${WEB_CONCURRENCY" in start
    assert "--proxy-headers" in start and "--forwarded-allow-ips" in start


def test_health_check_path_is_a_get_and_head_route_of_the_app(backend_service: Service) -> None:
    from starlette.routing import Match

    from src.app import app

    path = backend_service["healthCheckPath"]
    # Asked of the router itself (Starlette's matching), so routers included in any way count.
    for method in ("GET", "HEAD"):
        scope = {"type": "http", "path": path, "method": method}
        assert any(route.matches(scope)[0] == Match.FULL for route in app.router.routes), (
            f"{method} {path} is not a route of src.app"
        )


def test_backend_reads_the_database_runs_in_production_and_names_cors_origins(
    blueprint: Blueprint, backend_service: Service
) -> None:
    (database,) = blueprint["databases"]
    assert env_var(backend_service, "DATABASE_URL")["fromDatabase"] == {
        "name": database["name"],
        "property": "connectionString",
    }
    assert env_var(backend_service, "ENVIRONMENT")["value"] == "production"
    # Render only knows the static site's public origin once it exists: asked for at creation.
    assert env_var(backend_service, "CORS_ORIGINS") == {"key": "CORS_ORIGINS", "sync": False}


def test_backend_has_accounts_on_with_a_generated_secret_and_a_prompted_first_admin(
    backend_service: Service,
) -> None:
    # Render generates SECRET_KEY once (base64 of 256 random bits, over the 32 characters the app
    # requires) and keeps it across deploys; the app refuses production without it.
    assert env_var(backend_service, "SECRET_KEY") == {"key": "SECRET_KEY", "generateValue": True}
    # The first admin's credentials are asked for at Blueprint creation, never committed.
    for key in ("ADMIN_EMAIL", "ADMIN_PASSWORD"):
        assert env_var(backend_service, key) == {"key": key, "sync": False}
    # Accounts stay at the app's default (on): production refuses AUTH_REQUIRED=false, and a
    # value written here could only be that mistake.
    keys = {var.get("key") for var in env_vars(backend_service)}
    assert "AUTH_REQUIRED" not in keys
    assert "SIGNUP" not in keys, "sign-up stays invite-only unless someone decides otherwise"


def test_no_secret_is_written_in_the_blueprint(blueprint: Blueprint) -> None:
    secret_words = ("SECRET", "PASSWORD", "TOKEN", "KEY")
    for service in blueprint["services"]:
        for var in env_vars(service):
            if any(word in var.get("key", "") for word in secret_words):
                assert "value" not in var, f"{service['name']}: {var['key']} has a literal value"


def test_the_app_reads_the_settings_the_blueprint_sets(backend_service: Service) -> None:
    # A key the settings do not know would be ignored without a word (extra="ignore").
    from src.config import Settings

    known = {name.upper() for name in Settings.model_fields}
    render_sets = {"PYTHON_VERSION"}  # read by Render's Python runtime, not by the app
    for var in env_vars(backend_service):
        assert var["key"] in known | render_sets, f"the app does not read {var['key']}"


def test_static_site_builds_with_npm_ci_and_publishes_dist(static_site: Service) -> None:
    assert static_site["type"] == "web"
    assert static_site["rootDir"] == "frontend"
    assert static_site["buildCommand"] == "npm ci && npm run build"
    assert static_site["staticPublishPath"] == "dist"
    assert (service_dir(static_site) / "package-lock.json").is_file(), "npm ci needs a lock file"
    assert env_var(static_site, "VITE_API_URL") == {"key": "VITE_API_URL", "sync": False}


def test_static_site_rewrites_unknown_paths_to_index_html(static_site: Service) -> None:
    assert {"type": "rewrite", "source": "/*", "destination": "/index.html"} in static_site[
        "routes"
    ]


def test_static_site_sends_security_headers_on_every_path(static_site: Service) -> None:
    assert header_value(static_site, "X-Content-Type-Options") == "nosniff"
    assert header_value(static_site, "X-Frame-Options") == "DENY"
    assert header_value(static_site, "Referrer-Policy") == "strict-origin-when-cross-origin"
    assert header_value(static_site, "Strict-Transport-Security").startswith("max-age=")


def test_csp_header_allows_only_self_and_leaves_the_api_origin_to_the_page(
    static_site: Service,
) -> None:
    csp = csp_directives(header_value(static_site, "Content-Security-Policy"))
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"], "no inline or eval'd scripts"
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    # The build's own policy (frontend/vite.config.ts) narrows connect-src to the API's origin;
    # the browser enforces both, so this one must let that origin through: https, no fixed host.
    # Without connect-src here, default-src 'self' would block the API.
    assert csp["connect-src"] == ["'self'", "https:"]
    for sources in csp.values():
        assert "*" not in sources and "'unsafe-eval'" not in sources


def test_render_yaml_names_no_api_host_a_suffixed_service_would_break(
    static_site: Service, backend_service: Service
) -> None:
    # Render suffixes a taken service name (taskflow-api-a1b2.onrender.com): a host written here
    # would then block every API call. Every CSP source is a keyword or a scheme, none a host.
    csp = csp_directives(header_value(static_site, "Content-Security-Policy"))
    for directive, sources in csp.items():
        for source in sources:
            assert source.startswith("'") or re.fullmatch(r"[a-z]+:", source), (directive, source)
    assert "onrender.com" not in json.dumps(static_site["headers"])
    assert backend_service["name"] not in json.dumps(static_site["headers"])


def test_the_frontend_reads_the_api_url_render_bakes_in() -> None:
    sources = [p.read_text() for p in (REPO_ROOT / "frontend" / "src").rglob("*.ts*")]
    assert any("VITE_API_URL" in text for text in sources), "frontend/src never reads VITE_API_URL"
