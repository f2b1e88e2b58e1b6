"""The API's routers, assembled; and HEAD wherever GET is served."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.datastructures import DefaultPlaceholder
from fastapi.responses import StreamingResponse
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

from src.api.routes import auth, events, health, invitations, tasks, users

# In single-user mode (AUTH_REQUIRED=false) the accounts routers are not served at all.
OPEN_ROUTERS = (health.router, tasks.router, events.router)
ACCOUNTS_ROUTERS = (auth.router, users.router, invitations.router)


def routers(*, auth_required: bool) -> tuple[APIRouter, ...]:
    return OPEN_ROUTERS + ACCOUNTS_ROUTERS if auth_required else OPEN_ROUTERS


def include_api(app: FastAPI, *, auth_required: bool) -> None:
    for router in routers(auth_required=auth_required):
        serve_head_wherever_get(router)
        app.include_router(router)


def api_routes(*, auth_required: bool) -> list[BaseRoute]:
    """Every route of the API, in the order requests try them."""
    return [route for router in routers(auth_required=auth_required) for route in router.routes]


def serve_head_wherever_get(router: APIRouter) -> None:
    """Answer HEAD on every GET route: the GET's status and headers, without its body.

    HTTP requires it of a general-purpose server (RFC 9110, 9.1), and monitors and `curl -I`
    use it. Starlette adds HEAD to its own routes, FastAPI does not. uvicorn leaves the body
    out. The HEAD routes go last, in the GETs' order, so that they match paths as the GETs do
    (/tasks/count before /tasks/{task_id}), and stay out of the OpenAPI document, which
    describes each operation once.
    """
    if any(
        "HEAD" in (route.methods or ()) for route in router.routes if isinstance(route, APIRoute)
    ):
        return  # already done (a second app in the same process, in tests)
    for route in list(router.routes):
        # Not a stream: its answer never ends, so a HEAD of it would never end either.
        if route_streams(route):
            continue
        if isinstance(route, APIRoute) and "GET" in (route.methods or ()):
            router.add_api_route(
                route.path.removeprefix(router.prefix),
                route.endpoint,
                methods=["HEAD"],
                name=f"head_{route.name}",
                response_model=route.response_model,
                response_model_exclude_none=route.response_model_exclude_none,
                status_code=route.status_code,
                dependencies=route.dependencies,
                response_class=route.response_class,
                include_in_schema=False,
            )


def route_streams(route: BaseRoute) -> bool:
    if not isinstance(route, APIRoute):
        return False
    response_class = route.response_class
    if isinstance(response_class, DefaultPlaceholder):
        response_class = response_class.value
    return issubclass(response_class, StreamingResponse)
