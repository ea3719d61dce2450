"""`updateProfile` through /graphql: the own e-mail address, validated, audited, visible to admins."""

from __future__ import annotations

from typing import Any

from app.domain.enums import Role
from tests.support.api import Api

UPDATE = (
    "mutation ($email: String) { updateProfile(input: {email: $email}) { __typename"
    " ... on User { username email } ... on Error { message code } ... on ValidationError { field } } }"
)


async def update(api: Api, token: str, email: str | None) -> dict[str, Any]:
    return (await api.data(UPDATE, {"email": email}, token=token))["updateProfile"]


async def test_a_user_sets_changes_and_clears_their_email(api: Api) -> None:
    teacher = await api.token_for(Role.USER, "lehrer")
    saved = await update(api, teacher, "  Lehrer@Schule.example  ")
    assert saved == {"__typename": "User", "username": "lehrer", "email": "Lehrer@schule.example"}
    assert (await api.data("{ me { email } }", token=teacher))["me"]["email"] == "Lehrer@schule.example"

    admin = await api.token_for(Role.ADMIN, "verwaltung")
    users = (await api.data("{ users { username email } }", token=admin))["users"]
    assert {"username": "lehrer", "email": "Lehrer@schule.example"} in users

    unchanged = await update(api, teacher, None)
    assert unchanged["email"] == "Lehrer@schule.example"
    cleared = await update(api, teacher, "")
    assert cleared["email"] is None

    audit = await api.data(
        '{ auditLogPage(action: "user.profile") { total entries { actorUsername details } } }', token=admin
    )
    assert audit["auditLogPage"]["total"] == 2
    newest = audit["auditLogPage"]["entries"][0]
    assert newest["actorUsername"] == "lehrer"
    assert newest["details"] == {"email": {"from": "Lehrer@schule.example", "to": None}}


async def test_an_invalid_address_is_refused_in_the_callers_language_and_nothing_changes(api: Api) -> None:
    teacher = await api.token_for(Role.USER, "lehrer")
    await update(api, teacher, "lehrer@schule.example")
    refused = await update(api, teacher, "kein-at-zeichen")
    assert refused["__typename"] == "ValidationError"
    assert refused["field"] == "email"
    assert "keine gültige E-Mail-Adresse" in refused["message"]
    assert (await api.data("{ me { email } }", token=teacher))["me"]["email"] == "lehrer@schule.example"
    anonymous = await api.gql(UPDATE, {"email": "a@b.example"})
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED", anonymous
