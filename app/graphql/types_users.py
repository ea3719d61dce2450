"""GraphQL types for accounts, tokens and the audit trail, mapped from the domain models."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Union

import strawberry
from strawberry.scalars import JSON

from app.domain.audit.models import AuditLogEntry as AuditLogEntryModel
from app.domain.enums import Role as DomainRole
from app.domain.users.models import ApiToken as ApiTokenModel
from app.domain.users.models import User as UserModel
from app.graphql.errors import (
    ConflictError,
    ForbiddenError,
    NotFoundError,
    RateLimitedError,
    UnauthenticatedError,
    ValidationError,
)
from app.graphql.errors import as_result as as_result  # moved to app.graphql.errors; kept for old imports

Role = strawberry.enum(DomainRole, name="Role", description="user < editor < admin < superadmin")


@strawberry.type(name="User")
class UserType:
    id: int
    username: str
    role: Role  # type: ignore[valid-type]
    is_active: bool
    email: str | None = strawberry.field(description="Set by the user on Profil; visible to admins and the user.")
    last_login_at: datetime | None
    last_password_change_at: datetime | None
    failed_login_attempts: int
    last_failed_login_at: datetime | None
    locked_until: datetime | None
    deactivated_at: datetime | None
    deactivated_by: int | None
    created_at: datetime | None

    @classmethod
    def from_model(cls, user: UserModel) -> UserType:
        return cls(
            id=user.id,
            username=user.username,
            role=user.role,
            is_active=user.is_active,
            email=user.email,
            last_login_at=user.last_login_at,
            last_password_change_at=user.last_password_change_at,
            failed_login_attempts=user.failed_login_attempts or 0,
            last_failed_login_at=user.last_failed_login_at,
            locked_until=user.locked_until,
            deactivated_at=user.deactivated_at,
            deactivated_by=user.deactivated_by,
            created_at=user.created_at,
        )


@strawberry.type
class LoginPayload:
    token: str = strawberry.field(description="Send as `Authorization: Bearer <token>`.")
    user: UserType
    expires_at: datetime | None
    device_token: str | None = strawberry.field(
        default=None,
        description="Keep it for this account on this client and send it with the next login (login policy).",
    )


@strawberry.type(description="The session ended (`ok` is false when the token was already revoked).")
class LogoutResult:
    ok: bool


@strawberry.type(name="ApiToken", description="An integrator token; the secret itself is only shown at creation.")
class ApiTokenType:
    id: int
    name: str | None
    role: Role | None  # type: ignore[valid-type]
    token_prefix: str
    user_id: int
    username: str
    created_at: datetime | None
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def from_model(cls, token: ApiTokenModel, username: str) -> ApiTokenType:
        return cls(
            id=token.id,
            name=token.name,
            role=token.role,
            token_prefix=token.token_prefix,
            user_id=token.user_id,
            username=username,
            created_at=token.created_at,
            expires_at=token.expires_at,
            last_used_at=token.last_used_at,
            revoked_at=token.revoked_at,
        )


@strawberry.type
class CreatedApiToken:
    token: str = strawberry.field(description="The secret; store it now, it cannot be shown again.")
    api_token: ApiTokenType


@strawberry.type
class DeletedUser:
    id: int


@strawberry.type(name="AuditLogEntry")
class AuditLogEntryType:
    id: int
    actor_user_id: int | None
    actor_username: str | None
    action: str
    object_type: str
    object_id: str | None
    details: JSON | None
    ip: str | None
    created_at: datetime | None

    @classmethod
    def from_model(cls, entry: AuditLogEntryModel) -> AuditLogEntryType:
        return cls(
            id=entry.id,
            actor_user_id=entry.actor_user_id,
            actor_username=entry.actor_username,
            action=entry.action,
            object_type=entry.object_type,
            object_id=entry.object_id,
            details=entry.details,
            ip=entry.ip,
            created_at=entry.created_at,
        )


@strawberry.input
class CreateUserInput:
    username: str
    password: str
    role: Role = DomainRole.USER  # type: ignore[valid-type]
    is_active: bool = True


@strawberry.input(description="Own profile; a field left out stays as it is.")
class UpdateProfileInput:
    email: str | None = strawberry.field(default=None, description="Empty string removes the address.")


@strawberry.input
class UpdateUserInput:
    username: str | None = None
    role: Role | None = None  # type: ignore[valid-type]
    is_active: bool | None = None


LoginResult = Annotated[
    Union[LoginPayload, UnauthenticatedError, RateLimitedError, ValidationError],  # noqa: UP007
    strawberry.union("LoginResult"),
]
LogoutOutcome = Annotated[
    Union[LogoutResult, ForbiddenError],  # noqa: UP007
    strawberry.union("LogoutOutcome"),
]
UserResult = Annotated[
    Union[UserType, ValidationError, NotFoundError, ForbiddenError, ConflictError],  # noqa: UP007
    strawberry.union("UserResult"),
]
ProfileResult = Annotated[
    Union[UserType, ValidationError, UnauthenticatedError],  # noqa: UP007
    strawberry.union("ProfileResult"),
]
ChangePasswordResult = Annotated[
    Union[UserType, ValidationError, RateLimitedError, ForbiddenError],  # noqa: UP007
    strawberry.union("ChangePasswordResult"),
]
DeleteUserResult = Annotated[
    Union[DeletedUser, NotFoundError, ForbiddenError],  # noqa: UP007
    strawberry.union("DeleteUserResult"),
]
CreateApiTokenResult = Annotated[
    Union[CreatedApiToken, ValidationError, ForbiddenError],  # noqa: UP007
    strawberry.union("CreateApiTokenResult"),
]
ApiTokenResult = Annotated[
    Union[ApiTokenType, NotFoundError, ForbiddenError],  # noqa: UP007
    strawberry.union("ApiTokenResult"),
]
