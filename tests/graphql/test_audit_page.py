"""`auditLogPage` through /graphql: filters, paging with a total, and who may read what."""

from __future__ import annotations

from typing import Any

from app.domain.enums import Role
from tests.support.api import Api

PAGE = (
    "query ($action: String, $objectType: String, $actor: String, $since: DateTime, $until: DateTime,"
    " $limit: Int, $offset: Int) { auditLogPage(action: $action, objectType: $objectType, actor: $actor,"
    " since: $since, until: $until, limit: $limit, offset: $offset)"
    " { total entries { id action objectType objectId actorUsername details createdAt } } }"
)
CREATE_USER = "mutation ($input: CreateUserInput!) { createUser(input: $input) { __typename ... on User { id } } }"


async def page(api: Api, token: str, **variables: Any) -> dict[str, Any]:
    return (await api.data(PAGE, variables, token=token))["auditLogPage"]


async def test_filters_page_and_total_match_what_was_done(api: Api) -> None:
    chef = await api.token_for(Role.SUPERADMIN, "chef")
    admin = await api.token_for(Role.ADMIN, "verwaltung")
    for i in range(5):
        created = await api.data(
            CREATE_USER, {"input": {"username": f"lehrer{i}", "password": "secret-123"}}, token=admin
        )
        assert created["createUser"]["__typename"] == "User"
    await api.data(
        CREATE_USER, {"input": {"username": "boss2", "password": "secret-123", "role": "SUPERADMIN"}}, token=chef
    )

    by_admin = await page(api, chef, actor="VERWALT", action="user.create", limit=2)
    assert by_admin["total"] == 5
    assert len(by_admin["entries"]) == 2
    second = await page(api, chef, actor="verwaltung", action="user.create", limit=2, offset=4)
    assert len(second["entries"]) == 1
    seen = {e["id"] for e in by_admin["entries"]} | {e["id"] for e in second["entries"]}
    assert len(seen) == 3
    assert all(e["actorUsername"] == "verwaltung" and e["objectType"] == "user" for e in by_admin["entries"])
    newest_first = [e["createdAt"] for e in by_admin["entries"]]
    assert newest_first == sorted(newest_first, reverse=True)

    nothing_yet = await page(api, chef, since="2999-01-01T00:00:00Z")
    assert nothing_yet == {"total": 0, "entries": []}
    before_all = await page(api, chef, until="2000-01-01T00:00:00Z")
    assert before_all["total"] == 0
    assert (await page(api, chef, objectType="client_group"))["total"] == 0


async def test_admins_do_not_see_entries_about_superadmins_and_editors_are_refused(api: Api) -> None:
    chef = await api.token_for(Role.SUPERADMIN, "chef")
    admin = await api.token_for(Role.ADMIN, "verwaltung")
    await api.data(
        CREATE_USER, {"input": {"username": "boss2", "password": "secret-123", "role": "SUPERADMIN"}}, token=chef
    )
    await api.data(CREATE_USER, {"input": {"username": "lehrer", "password": "secret-123"}}, token=chef)

    everything = await page(api, chef, action="user.create")
    assert everything["total"] == 2
    limited = await page(api, admin, action="user.create")
    assert limited["total"] == 1
    assert [e["details"].get("username") for e in limited["entries"]] == ["lehrer"]

    editor = await api.token_for(Role.EDITOR, "redaktion")
    refused = await api.gql(PAGE, {}, token=editor)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    anonymous = await api.gql(PAGE, {})
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
