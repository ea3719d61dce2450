"""User management through /graphql: visibility, escalation, self-protection, deactivation, audit."""

from __future__ import annotations

from typing import Any

from app.domain.enums import Role
from tests.support.api import Api

USER_FIELDS = "id username role isActive deactivatedAt deactivatedBy lastPasswordChangeAt createdAt"
RESULT = f"__typename ... on User {{ {USER_FIELDS} }} ... on Error {{ message }} ... on ValidationError {{ field }}"
CREATE = f"mutation ($input: CreateUserInput!) {{ createUser(input: $input) {{ {RESULT} }} }}"
UPDATE = f"mutation ($id: Int!, $input: UpdateUserInput!) {{ updateUser(id: $id, input: $input) {{ {RESULT} }} }}"
RESET = f"mutation ($id: Int!, $pw: String!) {{ resetUserPassword(id: $id, newPassword: $pw) {{ {RESULT} }} }}"
DEACTIVATE = f"mutation ($id: Int!) {{ deactivateUser(id: $id) {{ {RESULT} }} }}"
REACTIVATE = f"mutation ($id: Int!) {{ reactivateUser(id: $id) {{ {RESULT} }} }}"
DELETE = (
    "mutation ($id: Int!) { deleteUser(id: $id) { __typename ... on DeletedUser { id } ... on Error { message } } }"
)
LOGIN = (
    "mutation ($u: String!, $p: String!) { login(username: $u, password: $p) {"
    " __typename ... on LoginPayload { token } ... on Error { message } } }"
)


async def create(api: Api, token: str, **fields: Any) -> dict[str, Any]:
    payload = {"password": "secret-123", **fields}
    return (await api.data(CREATE, {"input": payload}, token=token))["createUser"]


async def mutate(api: Api, query: str, token: str, **variables: Any) -> dict[str, Any]:
    data = await api.data(query, variables, token=token)
    return next(iter(data.values()))


async def can_login(api: Api, username: str, password: str) -> bool:
    body = await api.gql(LOGIN, {"u": username, "p": password})
    assert not body.get("errors"), body
    return body["data"]["login"]["__typename"] == "LoginPayload"


async def ids_of(api: Api, token: str) -> set[str]:
    return {u["username"] for u in (await api.data("{ users { username } }", token=token))["users"]}


async def test_the_user_list_is_filtered_by_the_callers_role(api: Api) -> None:
    superadmin = await api.token_for(Role.SUPERADMIN, "chef")
    admin = await api.token_for(Role.ADMIN, "verwaltung")
    await api.make_user(Role.EDITOR, "redaktion")
    await api.make_user(Role.USER, "lehrer")
    assert await ids_of(api, admin) == {"verwaltung", "redaktion", "lehrer"}
    assert await ids_of(api, superadmin) == {"chef", "verwaltung", "redaktion", "lehrer"}
    editor = await api.token_for(Role.EDITOR, "editor2")
    assert (await api.gql("{ users { id } }", token=editor))["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    chef_id = next(
        u["id"]
        for u in (await api.data("{ users { id username } }", token=superadmin))["users"]
        if u["username"] == "chef"
    )
    hidden = await api.gql("query ($id: Int!) { user(id: $id) { id } }", {"id": chef_id}, token=admin)
    assert hidden["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_create_user_validates_and_the_new_account_can_log_in(api: Api) -> None:
    admin = await api.token_for(Role.ADMIN)
    created = await create(api, admin, username="  neu.lehrer  ", role="EDITOR")
    assert created["__typename"] == "User"
    assert created["username"] == "neu.lehrer" and created["role"] == "EDITOR" and created["isActive"] is True
    assert created["lastPasswordChangeAt"] and created["createdAt"]
    assert await can_login(api, "neu.lehrer", "secret-123")

    duplicate = await create(api, admin, username="NEU.lehrer")
    assert duplicate["__typename"] == "ConflictError"
    short_name = await create(api, admin, username="ab")
    assert short_name["__typename"] == "ValidationError" and short_name["field"] == "username"
    long_name = await create(api, admin, username="x" * 101)
    assert long_name["__typename"] == "ValidationError"
    short_password = await create(api, admin, username="kurzpass", password="12345")
    assert short_password["__typename"] == "ValidationError" and short_password["field"] == "password"
    inactive = await create(api, admin, username="inaktiv", isActive=False)
    assert inactive["isActive"] is False and inactive["deactivatedAt"]
    assert not await can_login(api, "inaktiv", "secret-123")


async def test_only_superadmins_create_superadmins(api: Api) -> None:
    admin = await api.token_for(Role.ADMIN)
    refused = await create(api, admin, username="boss", role="SUPERADMIN")
    assert refused["__typename"] == "ForbiddenError"
    superadmin = await api.token_for(Role.SUPERADMIN)
    assert (await create(api, superadmin, username="boss", role="SUPERADMIN"))["role"] == "SUPERADMIN"


async def test_nobody_changes_their_own_role_or_status(api: Api) -> None:
    admin = await api.token_for(Role.ADMIN, "selbst")
    me = (await api.data("{ me { id } }", token=admin))["me"]["id"]
    role = await mutate(api, UPDATE, admin, id=me, input={"role": "USER"})
    assert role["__typename"] == "ForbiddenError"
    status = await mutate(api, UPDATE, admin, id=me, input={"isActive": False})
    assert status["__typename"] == "ForbiddenError"
    assert (await mutate(api, DEACTIVATE, admin, id=me))["__typename"] == "ForbiddenError"
    renamed = await mutate(api, UPDATE, admin, id=me, input={"username": "selbst2"})
    assert renamed["__typename"] == "User" and renamed["username"] == "selbst2"
    superadmin = await api.token_for(Role.SUPERADMIN)
    super_id = (await api.data("{ me { id } }", token=superadmin))["me"]["id"]
    assert (await mutate(api, UPDATE, superadmin, id=super_id, input={"role": "ADMIN"}))[
        "__typename"
    ] == "ForbiddenError"


async def test_admins_cannot_modify_or_create_superadmins(api: Api) -> None:
    admin = await api.token_for(Role.ADMIN)
    boss = await api.make_user(Role.SUPERADMIN, "boss")
    editor = await api.make_user(Role.EDITOR, "redakteur")
    for query, variables in (
        (UPDATE, {"id": boss.id, "input": {"username": "boss2"}}),
        (RESET, {"id": boss.id, "pw": "neues-passwort"}),
        (DEACTIVATE, {"id": boss.id}),
    ):
        assert (await mutate(api, query, admin, **variables))["__typename"] == "ForbiddenError"
    promoted = await mutate(api, UPDATE, admin, id=editor.id, input={"role": "SUPERADMIN"})
    assert promoted["__typename"] == "ForbiddenError"
    to_admin = await mutate(api, UPDATE, admin, id=editor.id, input={"role": "ADMIN"})
    assert to_admin["role"] == "ADMIN"
    superadmin = await api.token_for(Role.SUPERADMIN)
    to_super = await mutate(api, UPDATE, superadmin, id=editor.id, input={"role": "SUPERADMIN"})
    assert to_super["role"] == "SUPERADMIN"
    assert await can_login(api, "boss", "secret-123")  # untouched by the refused admin attempts


async def test_deactivation_records_who_and_when_and_ends_sessions(api: Api) -> None:
    admin = await api.token_for(Role.ADMIN, "admin1")
    admin_id = (await api.data("{ me { id } }", token=admin))["me"]["id"]
    target_token = await api.token_for(Role.USER, "schueler")
    target_id = (await api.data("{ me { id } }", token=target_token))["me"]["id"]

    off = await mutate(api, DEACTIVATE, admin, id=target_id)
    assert off["isActive"] is False and off["deactivatedAt"] and off["deactivatedBy"] == admin_id
    assert (await api.gql("{ me { id } }", token=target_token))["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert not await can_login(api, "schueler", "secret-123")

    on = await mutate(api, REACTIVATE, admin, id=target_id)
    assert on["isActive"] is True and on["deactivatedAt"] is None and on["deactivatedBy"] is None
    assert await can_login(api, "schueler", "secret-123")

    # Setting isActive through updateUser is the same operation.
    again = await mutate(api, UPDATE, admin, id=target_id, input={"isActive": False})
    assert again["isActive"] is False and again["deactivatedBy"] == admin_id


async def test_admin_password_reset(api: Api) -> None:
    admin = await api.token_for(Role.ADMIN, "admin1")
    admin_id = (await api.data("{ me { id } }", token=admin))["me"]["id"]
    target_token = await api.token_for(Role.EDITOR, "vergesslich")
    target_id = (await api.data("{ me { id } }", token=target_token))["me"]["id"]

    own = await mutate(api, RESET, admin, id=admin_id, pw="neues-passwort")
    assert own["__typename"] == "ForbiddenError" and "changePassword" in own["message"]
    weak = await mutate(api, RESET, admin, id=target_id, pw="123")
    assert weak["__typename"] == "ValidationError"

    done = await mutate(api, RESET, admin, id=target_id, pw="neues-passwort")
    assert done["__typename"] == "User" and done["lastPasswordChangeAt"]
    assert (await api.gql("{ me { id } }", token=target_token))["errors"]  # logged out everywhere
    assert not await can_login(api, "vergesslich", "secret-123")
    assert await can_login(api, "vergesslich", "neues-passwort")


async def test_hard_delete_is_superadmin_only_and_never_oneself(api: Api) -> None:
    admin = await api.token_for(Role.ADMIN)
    superadmin = await api.token_for(Role.SUPERADMIN, "chef")
    victim = await api.make_user(Role.USER, "weg")
    assert (await mutate(api, DELETE, admin, id=victim.id))["__typename"] == "ForbiddenError"
    super_id = (await api.data("{ me { id } }", token=superadmin))["me"]["id"]
    assert (await mutate(api, DELETE, superadmin, id=super_id))["__typename"] == "ForbiddenError"
    assert (await mutate(api, DELETE, superadmin, id=victim.id)) == {"__typename": "DeletedUser", "id": victim.id}
    assert "weg" not in await ids_of(api, superadmin)
    assert (await mutate(api, DELETE, superadmin, id=victim.id))["__typename"] == "NotFoundError"
    assert not await can_login(api, "weg", "secret-123")


async def test_admin_mutations_are_audited_and_admins_do_not_see_superadmin_entries(api: Api) -> None:
    admin = await api.token_for(Role.ADMIN, "admin1")
    superadmin = await api.token_for(Role.SUPERADMIN, "chef")
    created = await create(api, admin, username="protokolliert", password="geheim-123")
    await mutate(api, UPDATE, admin, id=created["id"], input={"role": "EDITOR"})
    await mutate(api, RESET, admin, id=created["id"], pw="anderes-geheim")
    await mutate(api, DEACTIVATE, admin, id=created["id"])
    await mutate(api, REACTIVATE, admin, id=created["id"])
    boss = await create(api, superadmin, username="zweiterchef", role="SUPERADMIN")
    await mutate(api, DELETE, superadmin, id=created["id"])

    query = 'query ($id: String) { auditLog(objectType: "user", objectId: $id) { action actorUsername details } }'
    trail = (await api.data(query, {"id": str(created["id"])}, token=superadmin))["auditLog"]
    assert [e["action"] for e in trail] == [
        "user.delete",
        "user.reactivate",
        "user.deactivate",
        "user.reset_password",
        "user.update",
        "user.create",
    ]
    assert all(e["actorUsername"] in {"admin1", "chef"} for e in trail)
    assert "geheim" not in str(trail)  # passwords never reach the trail
    assert trail[-2]["details"]["role"] == {"old": "USER".lower(), "new": "editor"}

    admin_view = (await api.data('{ auditLog(objectType: "user") { action objectId } }', token=admin))["auditLog"]
    assert str(boss["id"]) not in {e["objectId"] for e in admin_view}
    assert {"action": "user.create", "objectId": str(created["id"])} in admin_view
    user = await api.token_for(Role.USER)
    assert (await api.gql("{ auditLog { id } }", token=user))["errors"][0]["extensions"]["code"] == "FORBIDDEN"
