"""The team: one's own account and API tokens, the list of people, and what admins change."""

from __future__ import annotations

from fastapi import APIRouter, status
from fastapi.responses import Response

from src.api.deps import JSON_BODY, AdminUser, CurrentUser, KeyDep, SessionDep, SessionUser
from src.errors import error_responses
from src.models import CredentialModel, UserModel
from src.schemas import (
    ApiTokenCreate,
    ApiTokenCreated,
    ApiTokenRead,
    PasswordChange,
    UserAdminUpdate,
    UserMeUpdate,
    UserRead,
)
from src.services import accounts

router = APIRouter(prefix="/users", tags=["users"], responses=error_responses(401))


@router.get("", response_model=list[UserRead])
def list_users(_principal: CurrentUser, session: SessionDep) -> list[UserModel]:
    """Everyone in the team (the board names assignees and authors)."""
    return accounts.list_users(session)


@router.get("/me", response_model=UserRead)
async def read_me(principal: CurrentUser) -> UserModel:
    return principal.user


@router.patch(
    "/me", response_model=UserRead, dependencies=JSON_BODY, responses=error_responses(403)
)
def update_me(data: UserMeUpdate, principal: SessionUser, session: SessionDep) -> UserModel:
    return accounts.rename(session, user_id=principal.user.id, name=data.name)


@router.put(
    "/me/password",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    dependencies=JSON_BODY,
    responses=error_responses(403),
)
def change_password(data: PasswordChange, principal: SessionUser, session: SessionDep) -> None:
    """A new password. Every other session and every API token of yours ends."""
    accounts.change_password(
        session,
        principal=principal,
        current_password=data.current_password,
        new_password=data.new_password,
    )


@router.get("/me/tokens", response_model=list[ApiTokenRead], responses=error_responses(403))
def list_tokens(principal: SessionUser, session: SessionDep) -> list[CredentialModel]:
    return accounts.api_tokens(session, user_id=principal.user.id)


@router.post(
    "/me/tokens",
    response_model=ApiTokenCreated,
    status_code=status.HTTP_201_CREATED,
    dependencies=JSON_BODY,
    responses=error_responses(403),
)
def create_token(
    data: ApiTokenCreate, principal: SessionUser, session: SessionDep, key: KeyDep
) -> ApiTokenCreated:
    """A personal API token for scripts, shown this once (only its hash is stored)."""
    token, credential = accounts.create_api_token(
        session, user_id=principal.user.id, data=data, key=key
    )
    return ApiTokenCreated.model_validate(
        {**ApiTokenRead.model_validate(credential).model_dump(), "token": token}
    )


@router.delete(
    "/me/tokens/{token_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=error_responses(403, 404),
)
def delete_token(token_id: str, principal: SessionUser, session: SessionDep) -> None:
    accounts.revoke_api_token(session, user_id=principal.user.id, token_id=token_id)


@router.patch(
    "/{user_id}",
    response_model=UserRead,
    dependencies=JSON_BODY,
    responses=error_responses(403, 404, 409),
)
def administer(
    user_id: str, data: UserAdminUpdate, _admin: AdminUser, session: SessionDep
) -> UserModel:
    """An admin changes a person's role or deactivates them (their sessions and tokens end)."""
    return accounts.administer(
        session, user_id=user_id, changes=data.model_dump(exclude_unset=True)
    )
