"""One status per display on every page: the fields the dashboard, the group board and Monitoring read agree.

A crashed player, a black screen, a failed display service, a silent display and a healthy one are stored
as ingest would store them; then the dashboard's query (`groups { clients { health } }`), the groups page's
query (`clients { health }`) and Monitoring's (`monitoringOverview { clients { status health } }`) are asked,
and the dashboard/board's local evaluation (`app.ui.widgets.display_health`) is applied to what they got.
"""

from __future__ import annotations

from datetime import timedelta

from app.domain.clock import utcnow
from app.domain.enums import ProcessStatus, Role, ScreenHealthStatus
from app.ui.widgets import HEALTH_STYLE, display_health
from tests.graphql.fleet import add_client, add_group
from tests.support.api import Api

FIELDS = "uuid isAlive lastAlive isActive health { status reasons }"


async def test_every_page_reads_the_same_health_for_each_kind_of_problem(api: Api) -> None:
    token = await api.token_for(Role.SUPERADMIN)
    group = await add_group(api.container, "Physik")
    ok = {"process_status": ProcessStatus.RUNNING, "screen_health_status": ScreenHealthStatus.OK, "group_id": group}
    displays = {
        "crashed": await add_client(api.container, **{**ok, "process_status": ProcessStatus.CRASHED}),
        "black": await add_client(api.container, **{**ok, "screen_health_status": ScreenHealthStatus.BLACK}),
        "service_failed": await add_client(
            api.container, **ok, service_failed_at=utcnow() - timedelta(minutes=2), service_failed_unit="x.service"
        ),
        "offline": await add_client(api.container, **{**ok, "last_alive": utcnow() - timedelta(hours=1)}),
        "healthy": await add_client(api.container, **ok),
    }
    expected = {
        "crashed": ("CRITICAL", ["PROCESS_CRASHED"]),
        "black": ("CRITICAL", ["SCREEN_BLACK"]),
        "service_failed": ("CRITICAL", ["SERVICE_FAILED"]),
        "offline": ("OFFLINE", ["HEARTBEAT_STALE"]),
        "healthy": ("HEALTHY", []),
    }
    data = await api.data(
        f"{{ heartbeatGracePeriodSeconds groups {{ id clients {{ {FIELDS} }} }} clients {{ {FIELDS} }} "
        "monitoringOverview { clients { uuid status health { status reasons } } } }",
        token=token,
    )
    grace = data["heartbeatGracePeriodSeconds"]
    dashboard = {c["uuid"]: c for g in data["groups"] for c in g["clients"]}
    groups_page = {c["uuid"]: c for c in data["clients"]}
    monitoring = {c["uuid"]: c for c in data["monitoringOverview"]["clients"]}
    for kind, uuid in displays.items():
        status, reasons = expected[kind]
        assert dashboard[uuid]["health"] == {"status": status, "reasons": reasons}, kind
        assert groups_page[uuid]["health"] == dashboard[uuid]["health"], kind
        assert monitoring[uuid]["health"] == dashboard[uuid]["health"], kind
        assert monitoring[uuid]["status"] == status, kind
        # What the dashboard cards and the board show (liveness re-evaluated locally): the same word.
        assert display_health(dashboard[uuid], grace) == display_health(groups_page[uuid], grace) == status, kind
        assert status in HEALTH_STYLE
    # A crashed player is never counted among the healthy (formerly: "online") displays.
    healthy = [u for u, c in dashboard.items() if display_health(c, grace) == "HEALTHY"]
    assert healthy == [displays["healthy"]]


async def test_health_needs_only_its_own_columns_and_follows_errors_in_the_window(api: Api) -> None:
    token = await api.token_for(Role.USER)
    now = utcnow()
    recent = await add_client(
        api.container, process_status=ProcessStatus.STOPPED, screen_health_status=ScreenHealthStatus.OK,
        last_error_log_at=now - timedelta(hours=2),
    )  # fmt: skip
    old = await add_client(
        api.container, process_status=ProcessStatus.STOPPED, screen_health_status=ScreenHealthStatus.OK,
        last_error_log_at=now - timedelta(hours=30),
    )  # fmt: skip
    inactive = await add_client(api.container, is_active=False)
    rows = (await api.data("{ clients { uuid health { status reasons } } }", token=token))["clients"]
    health = {r["uuid"]: r["health"] for r in rows}
    assert health[recent] == {"status": "CRITICAL", "reasons": ["ERROR_LOGS"]}
    assert health[old] == {"status": "WARNING", "reasons": ["PROCESS_STOPPED"]}
    assert health[inactive] == {"status": "OFFLINE", "reasons": ["INACTIVE"]}
