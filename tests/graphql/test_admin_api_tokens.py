"""`allApiTokens`: a superadmin sees every account's API tokens (with the owner); nobody else may ask."""

from __future__ import annotations

from app.domain.enums import Role
from tests.support.api import Api

CREATE = "mutation ($n: String!) { createApiToken(name: $n) { __typename ... on CreatedApiToken { token } } }"
ALL = "query ($r: Boolean) { allApiTokens(includeRevoked: $r) { id name username revokedAt } }"


async def test_superadmin_sees_every_token_and_admins_are_refused(api: Api) -> None:
    chef = await api.token_for(Role.SUPERADMIN, "chef")
    admin = await api.token_for(Role.ADMIN, "verwaltung")
    editor = await api.token_for(Role.EDITOR, "redaktion")
    for token, name in ((admin, "stundenplan"), (editor, "mensa"), (chef, "backup")):
        assert (await api.data(CREATE, {"n": name}, token=token))["createApiToken"]["__typename"] == "CreatedApiToken"
    listed = (await api.data(ALL, {}, token=chef))["allApiTokens"]
    assert {(t["name"], t["username"]) for t in listed} == {
        ("stundenplan", "verwaltung"),
        ("mensa", "redaktion"),
        ("backup", "chef"),
    }
    mensa = next(t for t in listed if t["name"] == "mensa")
    revoked = await api.data(
        "mutation ($id: Int!) { revokeApiToken(id: $id) { __typename } }", {"id": mensa["id"]}, token=chef
    )
    assert revoked["revokeApiToken"]["__typename"] == "ApiToken"
    assert "mensa" not in {t["name"] for t in (await api.data(ALL, {}, token=chef))["allApiTokens"]}
    with_revoked = (await api.data(ALL, {"r": True}, token=chef))["allApiTokens"]
    assert next(t for t in with_revoked if t["name"] == "mensa")["revokedAt"]
    refused = await api.gql(ALL, {}, token=admin)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
