"""Invitations: how an admin brings people into the team."""

from __future__ import annotations

from fastapi import APIRouter, status
from fastapi.responses import Response

from src.api.deps import JSON_BODY, AdminUser, KeyDep, SessionDep
from src.errors import error_responses
from src.models import InvitationModel
from src.schemas import InvitationCreate, InvitationCreated, InvitationRead
from src.services import accounts

router = APIRouter(prefix="/invitations", tags=["invitations"], responses=error_responses(401, 403))


@router.post(
    "",
    response_model=InvitationCreated,
    status_code=status.HTTP_201_CREATED,
    dependencies=JSON_BODY,
    responses=error_responses(409),
)
def invite(
    data: InvitationCreate, admin: AdminUser, session: SessionDep, key: KeyDep
) -> InvitationCreated:
    """A single-use invitation for one email, valid for 7 days. Its token is shown this once:
    the web app's link is /join?invitation=<token>."""
    token, invitation = accounts.create_invitation(
        session, data=data, invited_by=admin.user.id, key=key
    )
    return InvitationCreated(
        id=invitation.id,
        email=invitation.email,
        role=invitation.role,
        token=token,
        expires_at=invitation.expires_at,
    )


@router.get("", response_model=list[InvitationRead])
def list_invitations(_admin: AdminUser, session: SessionDep) -> list[InvitationModel]:
    """The invitations not used yet and not expired."""
    return accounts.open_invitations(session)


@router.delete(
    "/{invitation_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=error_responses(404),
)
def revoke_invitation(invitation_id: str, _admin: AdminUser, session: SessionDep) -> None:
    accounts.revoke_invitation(session, invitation_id=invitation_id)
