"""Signing in and out, and registering: the routes an anonymous client may call."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, status
from fastapi.responses import Response
from fastapi.security import OAuth2PasswordRequestForm

from src.api.deps import (
    JSON_BODY,
    CurrentUser,
    KeyDep,
    SessionDep,
    SettingsDep,
    within_client_budget,
)
from src.errors import error_responses
from src.models import UserModel
from src.schemas import AccessToken, UserRead, UserRegister
from src.services import accounts

router = APIRouter(prefix="/auth", tags=["auth"], dependencies=[Depends(within_client_budget)])


@router.post("/token", response_model=AccessToken, responses=error_responses(401, 429))
def sign_in(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    session: SessionDep,
    settings: SettingsDep,
    key: KeyDep,
) -> AccessToken:
    """Sign in with the OAuth2 password form: `username` is the email."""
    lifetime = timedelta(minutes=settings.session_ttl_minutes)
    token = accounts.sign_in(
        session, email=form.username, password=form.password, key=key, lifetime=lifetime
    )
    return AccessToken(access_token=token, expires_in=int(lifetime.total_seconds()))


@router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=error_responses(401, 429),
)
def sign_out(principal: CurrentUser, session: SessionDep) -> None:
    """End the credential this request carries (a session, or an API token)."""
    accounts.end_credential(session, credential_id=principal.credential_id)


@router.post(
    "/register",
    response_model=UserRead,
    status_code=status.HTTP_201_CREATED,
    dependencies=JSON_BODY,
    responses=error_responses(403, 409, 413, 415, 429),
)
def register(
    data: UserRegister, session: SessionDep, settings: SettingsDep, key: KeyDep
) -> UserModel:
    """Register: with an invitation for this email (its role), or as a member when sign-up is
    open."""
    return accounts.register(session, data=data, signup=settings.signup, key=key)
