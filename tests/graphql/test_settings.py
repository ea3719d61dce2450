"""System settings through /graphql: readable when logged in, validated admin-only writes, audited."""

from __future__ import annotations

from typing import Any

import pytest

from app.domain.enums import Role
from app.domain.settings.catalog import CATALOG
from tests.support.api import Api

SET = """
mutation ($key: String!, $value: String!) {
  setSystemSetting(key: $key, value: $value) {
    __typename
    ... on SystemSetting { key value updatedBy updatedAt }
    ... on Error { message }
    ... on ValidationError { field }
  }
}"""
SET_SUPPLEMENT = """
mutation ($url: String!, $enabled: Boolean!) {
  setSupplementTable(url: $url, enabled: $enabled) {
    __typename ... on SupplementTable { url enabled } ... on Error { message }
  }
}"""


async def set_setting(api: Api, token: str, key: str, value: str) -> dict[str, Any]:
    return (await api.data(SET, {"key": key, "value": value}, token=token))["setSystemSetting"]


async def settings_map(api: Api, token: str) -> dict[str, str]:
    rows = (await api.data("{ systemSettings { key value defaultValue type } }", token=token))["systemSettings"]
    return {row["key"]: row["value"] for row in rows}


async def test_every_logged_in_user_reads_all_settings_with_defaults(api: Api) -> None:
    user = await api.token_for(Role.USER)
    values = await settings_map(api, user)
    assert set(CATALOG) <= set(values)
    assert values["video_volume"] == "0.8" and values["presentation_interval"] == "10"
    assert values["supplement_table_enabled"] == "false"
    one = (await api.data('{ systemSetting(key: "video_muted") { value type } }', token=user))["systemSetting"]
    assert one == {"value": "false", "type": "bool"}


async def test_only_admins_change_settings(api: Api) -> None:
    for role in (Role.USER, Role.EDITOR):
        token = await api.token_for(role)
        assert (await set_setting(api, token, "video_volume", "0.2"))["__typename"] == "ForbiddenError"
    admin = await api.token_for(Role.ADMIN)
    admin_id = (await api.data("{ me { id } }", token=admin))["me"]["id"]
    saved = await set_setting(api, admin, "video_volume", " 0.25 ")
    assert saved["__typename"] == "SystemSetting" and saved["value"] == "0.25" and saved["updatedBy"] == admin_id
    assert (await settings_map(api, await api.token_for(Role.USER)))["video_volume"] == "0.25"


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("video_volume", "1.5"),
        ("video_volume", "-0.1"),
        ("video_volume", "laut"),
        ("presentation_interval", "2.5"),
        ("presentation_interval", "0"),
        ("video_muted", "vielleicht"),
        ("supplement_table_url", "javascript:alert(1)"),
        ("supplement_table_url", "ftp://example.org/plan"),
        ("supplement_table_url", "https://"),
        ("nicht erlaubt!", "x"),
    ],
)
async def test_invalid_values_are_refused_and_nothing_changes(api: Api, key: str, value: str) -> None:
    admin = await api.token_for(Role.ADMIN)
    before = await settings_map(api, admin)
    refused = await set_setting(api, admin, key, value)
    assert refused["__typename"] == "ValidationError", refused
    assert await settings_map(api, admin) == before


async def test_valid_values_are_stored_in_canonical_form(api: Api) -> None:
    admin = await api.token_for(Role.ADMIN)
    assert (await set_setting(api, admin, "presentation_interval", "20"))["value"] == "20"
    assert (await set_setting(api, admin, "video_loop", "OFF"))["value"] == "false"
    url = "https://webuntis.example.org/plan?school=abc"
    assert (await set_setting(api, admin, "supplement_table_url", url))["value"] == url
    values = await settings_map(api, admin)
    assert values["presentation_interval"] == "20" and values["video_loop"] == "false"


async def test_supplement_table_shortcut(api: Api) -> None:
    admin = await api.token_for(Role.ADMIN)
    editor = await api.token_for(Role.EDITOR)
    assert (await api.data("{ supplementTable { url enabled } }", token=editor))["supplementTable"] == {
        "url": "",
        "enabled": False,
    }
    no_url = (await api.data(SET_SUPPLEMENT, {"url": "", "enabled": True}, token=admin))["setSupplementTable"]
    assert no_url["__typename"] == "ValidationError"
    bad = await api.data(SET_SUPPLEMENT, {"url": "file:///etc/passwd", "enabled": True}, token=admin)
    assert bad["setSupplementTable"]["__typename"] == "ValidationError"
    forbidden = await api.data(SET_SUPPLEMENT, {"url": "https://x.example/p", "enabled": True}, token=editor)
    assert forbidden["setSupplementTable"]["__typename"] == "ForbiddenError"

    url = "https://x.example/plan"
    saved = (await api.data(SET_SUPPLEMENT, {"url": url, "enabled": True}, token=admin))["setSupplementTable"]
    assert saved == {"__typename": "SupplementTable", "url": url, "enabled": True}
    assert (await api.data("{ supplementTable { url enabled } }", token=editor))["supplementTable"] == {
        "url": url,
        "enabled": True,
    }


async def test_setting_changes_are_audited(api: Api) -> None:
    admin = await api.token_for(Role.ADMIN, "einsteller")
    await set_setting(api, admin, "video_muted", "true")
    trail = (
        await api.data(
            '{ auditLog(objectType: "system_setting", objectId: "video_muted") { action actorUsername details } }',
            token=admin,
        )
    )["auditLog"]
    assert trail == [
        {"action": "system_setting.set", "actorUsername": "einsteller", "details": {"old": None, "new": "true"}}
    ]
