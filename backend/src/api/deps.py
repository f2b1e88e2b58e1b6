"""The API's dependencies, named once as Annotated aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Query, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from src.config import Settings
from src.database import get_db
from src.errors import Forbidden, NotAuthenticated, TooManyRequests
from src.models import CredentialKind, Role
from src.rate_limit import client_address
from src.request_body import require_json
from src.schemas import TaskFilters, TaskListQuery
from src.security import DEVELOPMENT_KEY, TOKEN_PREFIX, token_digest
from src.services import accounts
from src.services.accounts import Principal

# scope="function": the session closes once FastAPI has validated the route's answer, before
# the answer is sent. Its connection goes back to the pool earlier still: each function of the
# query layer ends its transaction before it returns (see services/tasks.py), because that
# validation runs in a worker thread of its own, and a read waiting for that thread while
# holding a connection could stall the pool.
SessionDep = Annotated[Session, Depends(get_db, scope="function")]


async def app_settings(request: Request) -> Settings:
    """The settings the app was made with (app.create_app). Async: no thread-pool trip."""
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(app_settings)]
ListQueryDep = Annotated[TaskListQuery, Query()]
FiltersDep = Annotated[TaskFilters, Query()]
IfMatch = Annotated[str | None, Header(description="An ETag from an earlier answer, or *")]
# For routes with a body: a body that is not declared as JSON is a 415, before it is read.
JSON_BODY = [Depends(require_json)]

# Sessions and API tokens both travel as `Authorization: Bearer <token>`; this also gives
# /docs its Authorize button (a sign-in through /auth/token). auto_error=False: single-user
# mode needs no credential, and a missing one is answered below with the same 401 as a bad one.
bearer = OAuth2PasswordBearer(tokenUrl="/auth/token", auto_error=False)
# Longer than any token TaskFlow makes; anything longer is refused unhashed.
MAX_TOKEN_LENGTH = 128


async def secret_key(settings: SettingsDep) -> bytes:
    if settings.secret_key is None:
        return DEVELOPMENT_KEY
    return settings.secret_key.get_secret_value().encode()


KeyDep = Annotated[bytes, Depends(secret_key)]


async def current_principal(
    session: SessionDep,
    settings: SettingsDep,
    key: KeyDep,
    token: Annotated[str | None, Depends(bearer)],
) -> Principal | None:
    """Who the request acts for: None in single-user mode; otherwise a live credential or 401.

    Async, so that single-user mode costs no trip through the thread pool; with accounts, the
    lookup (one statement) runs in the pool as a plain `def` dependency would.
    """
    if not settings.auth_required:
        return None
    if token is None or not token.startswith(TOKEN_PREFIX) or len(token) > MAX_TOKEN_LENGTH:
        raise NotAuthenticated()
    principal = await run_in_threadpool(
        accounts.principal_for, session, digest=token_digest(token, key)
    )
    if principal is None:
        raise NotAuthenticated("The credential is not valid (expired, revoked or unknown)")
    return principal


PrincipalDep = Annotated[Principal | None, Depends(current_principal)]


async def may_write(principal: PrincipalDep) -> Principal | None:
    if principal is not None and not principal.can_write:
        raise Forbidden("This credential may only read")
    return principal


# The task routes' two levels: any credential reads; a member's or admin's write credential
# writes. Both are None in single-user mode.
Reader = Depends(current_principal)
WriterDep = Annotated[Principal | None, Depends(may_write)]


async def signed_in(principal: PrincipalDep) -> Principal:
    # The accounts routes are only served with accounts on, where a principal always exists.
    assert principal is not None
    return principal


CurrentUser = Annotated[Principal, Depends(signed_in)]


async def in_session(principal: CurrentUser) -> Principal:
    """Account management needs a signed-in session: an API token is for tasks only."""
    if principal.kind is not CredentialKind.SESSION:
        raise Forbidden("This needs a signed-in session, not an API token")
    return principal


SessionUser = Annotated[Principal, Depends(in_session)]


async def is_admin(principal: SessionUser) -> Principal:
    if principal.user.role is not Role.ADMIN:
        raise Forbidden("Only an admin may do this")
    return principal


AdminUser = Annotated[Principal, Depends(is_admin)]


async def within_client_budget(request: Request) -> None:
    """The per-client budget of /auth/* (AUTH_RATE_PER_MINUTE), per instance."""
    retry_after = request.app.state.auth_budget.take(client_address(request))
    if retry_after is not None:
        raise TooManyRequests("Too many requests from this address", retry_after=retry_after)
