"""The GraphQL endpoint itself: GraphiQL, limits, masking and websocket authentication."""

from __future__ import annotations

from app.domain.enums import Role
from tests.support.api import Api


async def test_graphiql_is_served_on_get(api: Api) -> None:
    response = await api.client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200 and "graphiql" in response.text.lower()


async def test_version_and_health_fields_need_a_login(api: Api) -> None:
    token = await api.token_for(Role.USER)
    data = await api.data("{ version health }", token=token)
    assert data["version"] and data["health"]["db"]["ok"] is True
    for field in ("version", "health"):
        refused = await api.gql(f"{{ {field} }}")
        assert refused["data"] is None and refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_deep_queries_are_refused(api: Api) -> None:
    nested = "{ version " + "".join(f"a{i}: version " for i in range(40)) + "}"
    body = await api.gql(nested, token=await api.token_for(Role.USER))
    assert body.get("errors") and "alias" in body["errors"][0]["message"].lower()


async def test_token_auth_resolves_the_principal(api: Api) -> None:
    token = await api.token_for(Role.ADMIN)
    body = await api.gql("{ version }", token=token)
    assert body["data"]["version"]
    bad = await api.gql("{ version }", token="iss_not-a-token")
    assert bad["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"  # the caller simply stays anonymous
