"""`brokerAccountsManaged`: the dashboard asks it before offering approve/rotate/revoke (admin+ only)."""

from __future__ import annotations

from app.domain.enums import Role
from tests.production.conftest import Secure
from tests.support.api import Api

MANAGED = "{ brokerAccountsManaged }"
APPROVE = """mutation($u: String!) { approveClient(uuid: $u) { __typename ... on Error { message } } }"""


async def test_without_dynamic_security_the_server_says_it_does_not_manage_broker_accounts(api: Api) -> None:
    admin = await api.token_for(Role.ADMIN)
    assert (await api.data(MANAGED, token=admin)) == {"brokerAccountsManaged": False}
    # ... which is exactly when the mutations refuse with the MQTT_DYNSEC_ENABLED hint.
    refused = (await api.data(APPROVE, {"u": "00000000-0000-4000-8000-000000000001"}, token=admin))["approveClient"]
    assert refused["__typename"] == "ValidationError" and "MQTT_DYNSEC_ENABLED" in refused["message"]


async def test_only_admins_may_ask_whether_broker_accounts_are_managed(api: Api) -> None:
    for role in (Role.USER, Role.EDITOR):
        answer = await api.gql(MANAGED, token=await api.token_for(role))
        assert answer["data"] is None and answer["errors"], role
    anonymous = await api.gql(MANAGED)
    assert anonymous["data"] is None and anonymous["errors"]
    assert (await api.data(MANAGED, token=await api.token_for(Role.SUPERADMIN)))["brokerAccountsManaged"] is False


async def test_with_dynamic_security_the_server_manages_broker_accounts(secure: Secure) -> None:
    admin = await secure.api.token_for(Role.ADMIN)
    assert (await secure.api.data(MANAGED, token=admin)) == {"brokerAccountsManaged": True}
