"""The welcome at / and /health, which monitors and Render's health check poll."""

from __future__ import annotations

from fastapi import APIRouter, Request, status
from fastapi.responses import JSONResponse
from sqlalchemy import Engine

from src.api.deps import SessionDep, SettingsDep
from src.database import storage_name
from src.models import utcnow
from src.schemas import Health, Welcome
from src.services.health import HealthProbe

router = APIRouter(tags=["health"])
_probe = HealthProbe()


# Async: it touches no database, so it needs no trip through the thread pool.
@router.get("/", response_model=Welcome, response_model_exclude_none=True)
async def root(settings: SettingsDep) -> Welcome:
    """Public: what this API is, and whether it has accounts (the web app asks it first)."""
    return Welcome(
        message="Welcome to TaskFlow API",
        version=settings.version,
        docs="/docs",
        health="/health",
        auth="required" if settings.auth_required else None,
        signup=settings.signup if settings.auth_required else None,
    )


@router.get("/health", response_model=Health, responses={503: {"model": Health}})
async def health(request: Request, session: SessionDep, settings: SettingsDep) -> JSONResponse:
    bind = session.get_bind()
    assert isinstance(bind, Engine)
    # Awaited on the event loop: /health never queues behind task requests for a worker
    # thread, and holds none while the probe runs.
    tasks_count = await _probe.count_tasks(bind, timeout=settings.health_timeout)
    healthy = tasks_count is not None
    body = Health(
        status="healthy" if healthy else "degraded",
        database="connected" if healthy else "error",
        storage=storage_name(bind),
        tasks_count=tasks_count,
        version=settings.version,
        environment=settings.environment,
        commit=settings.render_git_commit,
        events=hub.state if (hub := getattr(request.app.state, "events", None)) else None,
        timestamp=utcnow(),
    )
    return JSONResponse(
        body.model_dump(mode="json"),
        status_code=status.HTTP_200_OK if healthy else status.HTTP_503_SERVICE_UNAVAILABLE,
        headers={"Cache-Control": "no-store"},
    )
