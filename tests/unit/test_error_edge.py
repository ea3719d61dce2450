"""Words at the edge: a domain error's key becomes `message` in the caller's language, `code` and `reason`."""

from __future__ import annotations

import pytest

from app.domain.errors import AuthenticationError, ConflictError, NotFoundError, ValidationError
from app.graphql.errors import (
    ConflictError as ConflictMember,
)
from app.graphql.errors import (
    UnauthenticatedError,
    as_result,
    to_graphql_error,
)
from app.graphql.errors import (
    ValidationError as ValidationMember,
)


def test_the_message_is_german_by_default_and_english_for_an_english_caller() -> None:
    failure = ConflictError("user.username_taken", field="username")
    german, english = to_graphql_error(failure), to_graphql_error(failure, "en")
    assert isinstance(german, ConflictMember) and isinstance(english, ConflictMember)
    assert german.message == "Benutzername ist bereits vergeben."
    assert english.message == "This username is already taken."
    assert german.code() == english.code() == "CONFLICT"
    assert german.reason == english.reason == "user.username_taken"


def test_parameters_fill_the_text_and_the_field_is_kept() -> None:
    member = to_graphql_error(ValidationError("password.too_short", field="password", min_length=6), "en")
    assert isinstance(member, ValidationMember)
    assert member.message == "The password must be at least 6 characters long."
    assert member.field == "password" and member.reason == "password.too_short" and member.code() == "VALIDATION"


def test_an_unknown_key_renders_as_itself() -> None:
    assert to_graphql_error(NotFoundError("somewhere.else_missing")).message == "somewhere.else_missing"


async def test_as_result_takes_a_coroutine_or_a_coroutine_function() -> None:
    async def ok() -> str:
        return "done"

    async def taken() -> str:
        raise ConflictError("user.username_taken")

    assert await as_result(ok()) == "done"
    assert await as_result(ok) == "done"
    member = await as_result(taken())
    assert isinstance(member, ConflictMember) and member.reason == "user.username_taken"


async def test_not_logged_in_stays_a_top_level_error_except_for_login() -> None:
    async def refused() -> str:
        raise AuthenticationError("auth.invalid_credentials")

    with pytest.raises(AuthenticationError):
        await as_result(refused())
    member = await as_result(refused(), unauthenticated_member=True)
    assert isinstance(member, UnauthenticatedError) and member.code() == "UNAUTHENTICATED"
    assert member.message.startswith("Anmeldung fehlgeschlagen")
