"""Accounts: people, their sessions and API tokens, invitations, and sign-in throttling.

Credentials are looked up by the HMAC of their value on every request (one statement joined
with the person), so a credential ended on one instance is refused by every instance at once:
there is nothing cached to expire. Each function is one transaction (a real one where several
statements must commit together: database.transaction), and gives its connection back before it
returns, as in services/tasks.py.
"""

from __future__ import annotations

import logging
import math
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from src.database import transaction
from src.errors import BadSignIn, Conflict, Forbidden, NotFound, TooManyRequests
from src.models import (
    CredentialKind,
    CredentialModel,
    InvitationModel,
    Role,
    Scope,
    SignInFailureModel,
    UserModel,
    credential_live,
    utcnow,
)
from src.schemas import ApiTokenCreate, Email, InvitationCreate, UserRegister
from src.security import hash_password, new_token, password_problem, token_digest, verify_password

logger = logging.getLogger("taskflow.accounts")

# Sign-in throttling, per email, counted in the database so that every instance agrees.
FAILURES_ALLOWED = 10
FAILURE_WINDOW = timedelta(minutes=15)
INVITATION_LIFETIME = timedelta(days=7)


@dataclass(frozen=True)
class Principal:
    """Who a request acts for, and through which credential."""

    user: UserModel
    credential_id: str
    kind: CredentialKind
    scope: Scope

    @property
    def can_write(self) -> bool:
        # A token never grants more than its person's role.
        return self.scope is Scope.WRITE and self.user.role in (Role.ADMIN, Role.MEMBER)


# Built once, with the values bound per call: every authenticated request runs it, and building
# the statement (and SQLAlchemy's cache key for it) anew each time was half of the lookup's CPU
# (240 against 120 us a lookup, in-process on SQLite, 2026-12-05).
_PRINCIPAL = (
    select(UserModel, CredentialModel.id, CredentialModel.kind, CredentialModel.scope)
    .join(CredentialModel, CredentialModel.user_id == UserModel.id)
    .where(
        CredentialModel.token_hash == bindparam("digest"),
        credential_live(bindparam("now")),
    )
)


def principal_for(session: Session, *, digest: str) -> Principal | None:
    """The person and credential whose stored hash is `digest`, if it is live: one statement."""
    with session.begin():
        row = session.execute(_PRINCIPAL, {"digest": digest, "now": utcnow()}).one_or_none()
    if row is None:
        return None
    user, credential_id, kind, scope = row
    return Principal(user=user, credential_id=credential_id, kind=kind, scope=scope)


def _issue(
    session: Session,
    *,
    user_id: str,
    key: bytes,
    kind: CredentialKind,
    scope: Scope,
    lifetime: timedelta,
    name: str | None = None,
) -> tuple[str, CredentialModel]:
    token = new_token()
    now = utcnow()
    credential = CredentialModel(
        id=str(uuid.uuid4()),
        user_id=user_id,
        kind=kind,
        scope=scope,
        name=name,
        token_hash=token_digest(token, key),
        created_at=now,
        expires_at=now + lifetime,
    )
    session.add(credential)
    return token, credential


def _throttled_for(session: Session, email: str, now: datetime) -> int | None:
    """Seconds until this email may try again, or None when it may now."""
    count, oldest = session.execute(
        select(func.count(), func.min(SignInFailureModel.at)).where(
            SignInFailureModel.email == email, SignInFailureModel.at > now - FAILURE_WINDOW
        )
    ).one()
    if count < FAILURES_ALLOWED:
        return None
    return math.ceil((oldest + FAILURE_WINDOW - now).total_seconds())


def sign_in(session: Session, *, email: str, password: str, key: bytes, lifetime: timedelta) -> str:
    """A new session's token; BadSignIn or TooManyRequests otherwise.

    Unknown email, wrong password and a deactivated person fail alike, after the same password
    hashing work, and count alike toward the email's throttle.
    """
    email = email.strip().lower()
    now = utcnow()
    with transaction(session):
        retry_after = _throttled_for(session, email, now)
        if retry_after is not None:
            raise TooManyRequests(
                "Too many failed sign-ins for this email; try again later", retry_after=retry_after
            )
        user = session.scalars(select(UserModel).where(UserModel.email == email)).one_or_none()
        matches = verify_password(password, user.password_hash if user else None)
        if user is None or not matches or not user.active:
            session.execute(
                delete(SignInFailureModel).where(SignInFailureModel.at <= now - FAILURE_WINDOW)
            )
            session.execute(insert(SignInFailureModel).values(email=email, at=now))
            fail = True
        else:
            session.execute(delete(SignInFailureModel).where(SignInFailureModel.email == email))
            session.execute(
                delete(CredentialModel).where(
                    CredentialModel.user_id == user.id, CredentialModel.expires_at <= now
                )
            )
            token, _ = _issue(
                session,
                user_id=user.id,
                key=key,
                kind=CredentialKind.SESSION,
                scope=Scope.WRITE,
                lifetime=lifetime,
            )
            fail = False
    # Raised after the commit: the failure must be counted, not rolled back with the request.
    if fail:
        raise BadSignIn()
    return token


def end_credential(session: Session, *, credential_id: str) -> None:
    with session.begin():
        session.execute(delete(CredentialModel).where(CredentialModel.id == credential_id))


def _new_user(
    session: Session, *, email: str, name: str, password_hash: str, role: Role
) -> UserModel:
    user = UserModel(
        id=str(uuid.uuid4()),
        email=email,  # as schemas.Email made it: trimmed, lower-cased
        name=name,
        role=role,
        password_hash=password_hash,
        active=True,
        created_at=utcnow(),
    )
    session.add(user)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict("An account with this email exists already") from None
    return user


def register(session: Session, *, data: UserRegister, signup: str, key: bytes) -> UserModel:
    """A new person: with an invitation (its role), or as a member when sign-up is open."""
    # Hashed before the transaction: Argon2 takes tens of milliseconds, no lock need wait.
    password_hash = hash_password(data.password)
    now = utcnow()
    with transaction(session):
        role = Role.MEMBER
        if data.invitation is not None:
            invitation = session.scalars(
                select(InvitationModel)
                .where(
                    InvitationModel.token_hash == token_digest(data.invitation, key),
                    InvitationModel.used_at.is_(None),
                    InvitationModel.expires_at > now,
                )
                .with_for_update()
            ).one_or_none()
            if invitation is None or invitation.email != data.email:
                raise Forbidden("The invitation is not valid for this email")
            role = invitation.role
            invitation.used_at = now
        elif signup != "open":
            raise Forbidden("Registration needs an invitation")
        return _new_user(
            session, email=data.email, name=data.name, password_hash=password_hash, role=role
        )


def create_user(session: Session, *, email: str, name: str, password: str, role: Role) -> UserModel:
    """A person made by an operator (db_init create-user, the start-up admin), checked as
    registration checks them."""
    try:
        email = TypeAdapter(Email).validate_python(email)
    except ValidationError as exc:
        raise ValueError(f"{email!r}: {exc.errors()[0]['msg']}") from None
    if problem := password_problem(password, email=email):
        raise ValueError(problem)
    password_hash = hash_password(password)
    with transaction(session):
        return _new_user(session, email=email, name=name, password_hash=password_hash, role=role)


def has_people(session: Session) -> bool:
    with session.begin():
        return session.scalar(select(UserModel.id).limit(1)) is not None


def ensure_admin(session: Session, *, email: str, password: str) -> UserModel | None:
    """The start-up admin, when the database has no person yet; None when it has."""
    if has_people(session):
        return None
    try:
        return create_user(
            session, email=email, name=email.partition("@")[0], password=password, role=Role.ADMIN
        )
    except Conflict:
        return None  # another instance, starting at the same moment, made it


def list_users(session: Session) -> list[UserModel]:
    with session.begin():
        return list(session.scalars(select(UserModel).order_by(UserModel.name, UserModel.id)))


def rename(session: Session, *, user_id: str, name: str) -> UserModel:
    with session.begin():
        user = session.scalars(
            update(UserModel).where(UserModel.id == user_id).values(name=name).returning(UserModel)
        ).one()
    return user


def change_password(
    session: Session, *, principal: Principal, current_password: str, new_password: str
) -> None:
    """A new password; every other session and every API token of the person ends."""
    user = principal.user
    if not verify_password(current_password, user.password_hash):
        raise Forbidden("The current password is wrong")
    if problem := password_problem(new_password, email=user.email):
        raise ValueError(problem)
    new_hash = hash_password(new_password)
    with transaction(session):
        session.execute(
            update(UserModel).where(UserModel.id == user.id).values(password_hash=new_hash)
        )
        session.execute(
            delete(CredentialModel).where(
                CredentialModel.user_id == user.id,
                CredentialModel.id != principal.credential_id,
            )
        )


def _active_admins(session: Session) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(UserModel)
            .where(UserModel.role == Role.ADMIN, UserModel.active)
        )
        or 0
    )


def administer(session: Session, *, user_id: str, changes: dict[str, Any]) -> UserModel:
    """An admin changes a person's role or active flag; a deactivated person's credentials end.

    The last active admin can be neither demoted nor deactivated: the team would have nobody
    left to administer it. Admins are counted under a lock on their rows, so two admins demoting
    each other at once cannot both succeed.
    """
    with transaction(session):
        admins = session.scalars(
            select(UserModel.id)
            .where(UserModel.role == Role.ADMIN, UserModel.active)
            .with_for_update()
        ).all()
        user = session.get(UserModel, user_id, with_for_update=True)
        if user is None:
            raise NotFound("No person has this id")
        stays_admin = changes.get("role", user.role) is Role.ADMIN and changes.get(
            "active", user.active
        )
        if user.id in admins and not stays_admin and len(admins) <= 1:
            raise Conflict("This is the last active admin: make another admin first")
        for field, value in changes.items():
            setattr(user, field, value)
        if changes.get("active") is False:
            session.execute(delete(CredentialModel).where(CredentialModel.user_id == user.id))
    return user


def create_invitation(
    session: Session, *, data: InvitationCreate, invited_by: str, key: bytes
) -> tuple[str, InvitationModel]:
    token = new_token()
    now = utcnow()
    invitation = InvitationModel(
        id=str(uuid.uuid4()),
        email=data.email,
        role=data.role,
        token_hash=token_digest(token, key),
        invited_by=invited_by,
        created_at=now,
        expires_at=now + INVITATION_LIFETIME,
    )
    with transaction(session):
        if session.scalar(select(UserModel.id).where(UserModel.email == data.email)):
            raise Conflict("An account with this email exists already")
        session.add(invitation)
    return token, invitation


def open_invitations(session: Session) -> list[InvitationModel]:
    with session.begin():
        return list(
            session.scalars(
                select(InvitationModel)
                .where(InvitationModel.used_at.is_(None), InvitationModel.expires_at > utcnow())
                .order_by(InvitationModel.created_at, InvitationModel.id)
            )
        )


def revoke_invitation(session: Session, *, invitation_id: str) -> None:
    with session.begin():
        revoked = session.scalar(
            delete(InvitationModel)
            .where(InvitationModel.id == invitation_id, InvitationModel.used_at.is_(None))
            .returning(InvitationModel.id)
        )
    if revoked is None:
        raise NotFound("No open invitation has this id")


def create_api_token(
    session: Session, *, user_id: str, data: ApiTokenCreate, key: bytes
) -> tuple[str, CredentialModel]:
    with session.begin():
        return _issue(
            session,
            user_id=user_id,
            key=key,
            kind=CredentialKind.API_TOKEN,
            scope=data.scope,
            lifetime=timedelta(days=data.expires_in_days),
            name=data.name,
        )


def api_tokens(session: Session, *, user_id: str) -> list[CredentialModel]:
    with session.begin():
        return list(
            session.scalars(
                select(CredentialModel)
                .where(
                    CredentialModel.user_id == user_id,
                    CredentialModel.kind == CredentialKind.API_TOKEN,
                    CredentialModel.expires_at > utcnow(),
                )
                .order_by(CredentialModel.created_at, CredentialModel.id)
            )
        )


def revoke_api_token(session: Session, *, user_id: str, token_id: str) -> None:
    with session.begin():
        revoked = session.scalar(
            delete(CredentialModel)
            .where(
                CredentialModel.id == token_id,
                CredentialModel.user_id == user_id,
                CredentialModel.kind == CredentialKind.API_TOKEN,
            )
            .returning(CredentialModel.id)
        )
    if revoked is None:
        raise NotFound("You have no API token with this id")
