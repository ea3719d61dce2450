"""Self-service profile — the use case `update_own_profile` (any logged-in user, only their own account).

The e-mail address is optional (empty clears it); it is checked for syntax only (no DNS lookup) and kept
in its normalised form. The change is audited with the old and the new address.
"""

from __future__ import annotations

from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email

from app.domain.enums import Role
from app.domain.errors import AuthenticationError, ValidationError
from app.domain.ports import UseCaseDeps
from app.domain.usecase import require_role, unit_of_work
from app.domain.users.models import User
from app.domain.users.tokens import Principal

MAX_EMAIL_LENGTH = 254


@dataclass(frozen=True, slots=True)
class UpdateOwnProfile:
    email: str | None = None  # None: unchanged; "": remove the address


def clean_email(value: str) -> str | None:
    text = value.strip()
    if not text:
        return None
    if len(text) > MAX_EMAIL_LENGTH:
        raise ValidationError("profile.email_invalid", field="email", email=text[:40] + "…")
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError:
        raise ValidationError("profile.email_invalid", field="email", email=text) from None


async def update_own_profile(deps: UseCaseDeps, principal: Principal | None, command: UpdateOwnProfile) -> User:
    caller = require_role(principal, Role.USER)
    email = clean_email(command.email) if command.email is not None else None
    async with unit_of_work(deps, caller) as uow:
        user = await uow.session.get(User, caller.user_id)
        if user is None:
            raise AuthenticationError("auth.required")
        if command.email is not None and email != user.email:
            await uow.audit("user.profile", "user", user.id, {"email": {"from": user.email, "to": email}})
            user.email = email
            await uow.session.flush()
    return user
