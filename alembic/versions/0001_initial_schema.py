"""Initial schema: every table of the seeds plus tokens, audit log, command transitions and power intents.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import mysql

from alembic import op

# Frozen copies of the model types, so this file never changes when app code does.
DT = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql")
TS = sa.DateTime(timezone=True).with_variant(mysql.TIMESTAMP(fsp=6), "mysql")
BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "client_groups",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(length=255), nullable=True),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("1"), nullable=False),
        sa.Column("display_order", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at", DT, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_groups")),
        sa.UniqueConstraint("name", name=op.f("uq_client_groups_name")),
    )
    with op.batch_alter_table("client_groups", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_client_groups_display_order"), ["display_order"], unique=False)

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column(
            "role",
            sa.Enum("user", "editor", "admin", "superadmin", name="role", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("1"), nullable=False),
        sa.Column("last_login_at", DT, nullable=True),
        sa.Column("last_password_change_at", DT, nullable=True),
        sa.Column("failed_login_attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_failed_login_at", DT, nullable=True),
        sa.Column("locked_until", DT, nullable=True),
        sa.Column("deactivated_at", DT, nullable=True),
        sa.Column("deactivated_by", sa.Integer(), nullable=True),
        sa.Column("created_at", DT, nullable=False),
        sa.Column("updated_at", DT, nullable=False),
        sa.ForeignKeyConstraint(
            ["deactivated_by"], ["users.id"], name=op.f("fk_users_deactivated_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_users_role"), ["role"], unique=False)

    op.create_table(
        "academic_periods",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("display_name", sa.String(length=50), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column(
            "period_type",
            sa.Enum("schuljahr", "semester", "trimester", name="academicperiodtype", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("0"), nullable=False),
        sa.Column("is_archived", sa.Boolean(), server_default=sa.text("0"), nullable=False),
        sa.Column("archived_at", DT, nullable=True),
        sa.Column("archived_by", sa.Integer(), nullable=True),
        sa.Column("created_at", DT, nullable=False),
        sa.Column("updated_at", DT, nullable=False),
        sa.ForeignKeyConstraint(
            ["archived_by"],
            ["users.id"],
            name=op.f("fk_academic_periods_archived_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_academic_periods")),
    )
    with op.batch_alter_table("academic_periods", schema=None) as batch_op:
        batch_op.create_index("ix_academic_periods_dates", ["start_date", "end_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_academic_periods_name"), ["name"], unique=False)

    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Enum("session", "api", name="tokenkind", native_enum=False, length=16), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("token_prefix", sa.String(length=12), nullable=False),
        sa.Column(
            "role",
            sa.Enum("user", "editor", "admin", "superadmin", name="role", native_enum=False, length=20),
            nullable=True,
        ),
        sa.Column("created_at", DT, nullable=False),
        sa.Column("expires_at", DT, nullable=True),
        sa.Column("last_used_at", DT, nullable=True),
        sa.Column("revoked_at", DT, nullable=True),
        sa.Column("created_ip", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_api_tokens_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_tokens_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_api_tokens_user_id"), ["user_id"], unique=False)

    op.create_table(
        "audit_log",
        sa.Column("id", BIGID, autoincrement=True, nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("actor_username", sa.String(length=100), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("object_type", sa.String(length=64), nullable=False),
        sa.Column("object_id", sa.String(length=64), nullable=True),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.Column("created_at", DT, nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_user_id"],
            ["users.id"],
            name=op.f("fk_audit_log_actor_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_actor_user_id"), ["actor_user_id"], unique=False)
        batch_op.create_index("ix_audit_log_created_at", ["created_at"], unique=False)
        batch_op.create_index("ix_audit_log_object", ["object_type", "object_id"], unique=False)

    op.create_table(
        "clients",
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("description", sa.String(length=255), nullable=True),
        sa.Column("hostname", sa.String(length=255), nullable=True),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.Column("mac_address", sa.String(length=64), nullable=True),
        sa.Column("model", sa.String(length=255), nullable=True),
        sa.Column("os_version", sa.String(length=255), nullable=True),
        sa.Column("software_version", sa.String(length=100), nullable=True),
        sa.Column("hardware_info", sa.JSON(), nullable=True),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("registered_at", DT, nullable=False),
        sa.Column("last_discovery_at", DT, nullable=True),
        sa.Column("last_alive", DT, nullable=True),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("1"), nullable=False),
        sa.Column("current_event_id", sa.Integer(), nullable=True),
        sa.Column("current_process", sa.String(length=100), nullable=True),
        sa.Column(
            "process_status",
            sa.Enum(
                "running",
                "crashed",
                "starting",
                "stopped",
                name="processstatus",
                native_enum=False,
                length=20,
            ),
            nullable=True,
        ),
        sa.Column("process_pid", sa.Integer(), nullable=True),
        sa.Column("last_screenshot_analyzed", DT, nullable=True),
        sa.Column(
            "screen_health_status",
            sa.Enum("OK", "BLACK", "FROZEN", "UNKNOWN", name="screenhealthstatus", native_enum=False, length=20),
            server_default="UNKNOWN",
            nullable=True,
        ),
        sa.Column("last_screenshot_hash", sa.String(length=32), nullable=True),
        sa.Column("last_health_at", DT, nullable=True),
        sa.Column("service_failed_at", TS, nullable=True),
        sa.Column("service_failed_unit", sa.String(length=128), nullable=True),
        sa.Column("mqtt_reconnect_count", sa.Integer(), nullable=True),
        sa.Column("mqtt_last_disconnect_at", TS, nullable=True),
        sa.Column(
            "broker_access",
            sa.Enum("pending", "approved", "revoked", name="brokeraccess", native_enum=False, length=16),
            server_default="pending",
            nullable=False,
        ),
        sa.Column("broker_username", sa.String(length=100), nullable=True),
        sa.Column("broker_approved_at", DT, nullable=True),
        sa.Column("broker_approved_by", sa.Integer(), nullable=True),
        sa.Column("updated_at", DT, nullable=False),
        sa.ForeignKeyConstraint(
            ["broker_approved_by"],
            ["users.id"],
            name=op.f("fk_clients_broker_approved_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["client_groups.id"],
            name=op.f("fk_clients_group_id_client_groups"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("uuid", name=op.f("pk_clients")),
        sa.UniqueConstraint("broker_username", name=op.f("uq_clients_broker_username")),
    )
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_clients_group_id"), ["group_id"], unique=False)
        batch_op.create_index("ix_clients_last_alive", ["last_alive"], unique=False)

    op.create_table(
        "group_power_intents",
        sa.Column("group_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("intent_id", sa.String(length=36), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("desired_state", sa.String(length=8), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("issued_at", DT, nullable=False),
        sa.Column("expires_at", DT, nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["client_groups.id"],
            name=op.f("fk_group_power_intents_group_id_client_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("group_id", name=op.f("pk_group_power_intents")),
    )
    op.create_table(
        "system_settings",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("description", sa.String(length=255), nullable=True),
        sa.Column("updated_at", DT, nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["updated_by"],
            ["users.id"],
            name=op.f("fk_system_settings_updated_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_system_settings")),
    )
    op.create_table(
        "client_commands",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("command_id", sa.String(length=36), nullable=False),
        sa.Column("client_uuid", sa.String(length=36), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("requested_by", sa.Integer(), nullable=True),
        sa.Column("issued_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("published_at", TS, nullable=True),
        sa.Column("acked_at", TS, nullable=True),
        sa.Column("execution_started_at", TS, nullable=True),
        sa.Column("completed_at", TS, nullable=True),
        sa.Column("failed_at", TS, nullable=True),
        sa.Column("error_code", sa.String(length=64), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("created_at", TS, server_default=sa.func.current_timestamp(), nullable=False),
        sa.Column("updated_at", TS, server_default=sa.func.current_timestamp(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_uuid"],
            ["clients.uuid"],
            name=op.f("fk_client_commands_client_uuid_clients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by"],
            ["users.id"],
            name=op.f("fk_client_commands_requested_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_commands")),
    )
    with op.batch_alter_table("client_commands", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_client_commands_action"), ["action"], unique=False)
        batch_op.create_index(
            "ix_client_commands_client_status_created", ["client_uuid", "status", "created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_client_commands_client_uuid"), ["client_uuid"], unique=False)
        batch_op.create_index(batch_op.f("ix_client_commands_command_id"), ["command_id"], unique=True)
        batch_op.create_index(batch_op.f("ix_client_commands_requested_by"), ["requested_by"], unique=False)
        batch_op.create_index(batch_op.f("ix_client_commands_status"), ["status"], unique=False)

    op.create_table(
        "client_logs",
        sa.Column("id", BIGID, autoincrement=True, nullable=False),
        sa.Column("client_uuid", sa.String(length=36), nullable=False),
        sa.Column("timestamp", DT, nullable=False),
        sa.Column(
            "level",
            sa.Enum("ERROR", "WARN", "INFO", "DEBUG", name="loglevel", native_enum=False, length=10),
            nullable=False,
        ),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("context", sa.JSON(), nullable=True),
        sa.Column("created_at", DT, nullable=False),
        sa.ForeignKeyConstraint(
            ["client_uuid"],
            ["clients.uuid"],
            name=op.f("fk_client_logs_client_uuid_clients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_logs")),
    )
    with op.batch_alter_table("client_logs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_client_logs_client_timestamp",
            ["client_uuid", sa.literal_column("timestamp DESC")],
            unique=False,
        )
        batch_op.create_index("ix_client_logs_created_at", [sa.literal_column("created_at DESC")], unique=False)
        batch_op.create_index(
            "ix_client_logs_level_timestamp", ["level", sa.literal_column("timestamp DESC")], unique=False
        )

    op.create_table(
        "event_media",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("academic_period_id", sa.Integer(), nullable=True),
        sa.Column(
            "media_type",
            sa.Enum(
                "ppt",
                "pptx",
                "odp",
                "pdf",
                "image",
                "video",
                "website",
                name="mediatype",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("file_path", sa.String(length=512), nullable=True),
        sa.Column("url", sa.String(length=2048), nullable=True),
        sa.Column("mime_type", sa.String(length=100), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("access_token", sa.String(length=64), nullable=False),
        sa.Column("duration", sa.Float(), nullable=True),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("bitrate", sa.Integer(), nullable=True),
        sa.Column("uploaded_by", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", DT, nullable=False),
        sa.ForeignKeyConstraint(
            ["academic_period_id"],
            ["academic_periods.id"],
            name=op.f("fk_event_media_academic_period_id_academic_periods"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by"], ["users.id"], name=op.f("fk_event_media_uploaded_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_media")),
        sa.UniqueConstraint("access_token", name=op.f("uq_event_media_access_token")),
    )
    with op.batch_alter_table("event_media", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_media_academic_period_id"), ["academic_period_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_event_media_media_type"), ["media_type"], unique=False)
        batch_op.create_index(batch_op.f("ix_event_media_sha256"), ["sha256"], unique=False)

    op.create_table(
        "school_holidays",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("academic_period_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=150), nullable=False),
        sa.Column("region", sa.String(length=100), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("source_file_name", sa.String(length=255), nullable=True),
        sa.Column("imported_at", DT, nullable=True),
        sa.Column("created_at", DT, nullable=False),
        sa.Column("updated_at", DT, nullable=False),
        sa.ForeignKeyConstraint(
            ["academic_period_id"],
            ["academic_periods.id"],
            name=op.f("fk_school_holidays_academic_period_id_academic_periods"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_school_holidays")),
    )
    with op.batch_alter_table("school_holidays", schema=None) as batch_op:
        batch_op.create_index(
            "ix_school_holidays_period_dates", ["academic_period_id", "start_date", "end_date"], unique=False
        )

    op.create_table(
        "client_command_transitions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("command_id", sa.String(length=36), nullable=False),
        sa.Column("from_status", sa.String(length=40), nullable=True),
        sa.Column("to_status", sa.String(length=40), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["command_id"],
            ["client_commands.command_id"],
            name=op.f("fk_client_command_transitions_command_id_client_commands"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_command_transitions")),
    )
    with op.batch_alter_table("client_command_transitions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_client_command_transitions_command_id"), ["command_id"], unique=False)

    op.create_table(
        "conversions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source_event_media_id", sa.Integer(), nullable=False),
        sa.Column("target_format", sa.String(length=16), nullable=False),
        sa.Column("target_path", sa.String(length=512), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "processing",
                "ready",
                "failed",
                name="conversionstatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("file_hash", sa.String(length=64), nullable=False),
        sa.Column("page_count", sa.Integer(), nullable=True),
        sa.Column("thumbnail_path", sa.String(length=512), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("started_at", DT, nullable=True),
        sa.Column("completed_at", DT, nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("created_at", DT, nullable=False),
        sa.Column("updated_at", DT, nullable=False),
        sa.ForeignKeyConstraint(
            ["source_event_media_id"],
            ["event_media.id"],
            name=op.f("fk_conversions_source_event_media_id_event_media"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversions")),
        sa.UniqueConstraint(
            "source_event_media_id",
            "target_format",
            "file_hash",
            name=op.f("uq_conversions_source_event_media_id_target_format_file_hash"),
        ),
    )
    with op.batch_alter_table("conversions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_conversions_source_event_media_id_target_format",
            ["source_event_media_id", "target_format"],
            unique=False,
        )
        batch_op.create_index("ix_conversions_status_target_format", ["status", "target_format"], unique=False)

    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("academic_period_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column(
            "event_type",
            sa.Enum(
                "presentation",
                "website",
                "video",
                "message",
                "webuntis",
                name="eventtype",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("start", DT, nullable=False),
        sa.Column("end", DT, nullable=False),
        sa.Column("recurrence_rule", sa.Text(), nullable=True),
        sa.Column("recurrence_end", DT, nullable=True),
        sa.Column("skip_holidays", sa.Boolean(), server_default=sa.text("0"), nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("1"), nullable=False),
        sa.Column("detached_from_event_id", sa.Integer(), nullable=True),
        sa.Column("event_media_id", sa.Integer(), nullable=True),
        sa.Column("slideshow_interval", sa.Integer(), nullable=True),
        sa.Column("page_progress", sa.Boolean(), nullable=True),
        sa.Column("auto_progress", sa.Boolean(), nullable=True),
        sa.Column("website_url", sa.String(length=2048), nullable=True),
        sa.Column("autoplay", sa.Boolean(), nullable=True),
        sa.Column("loop", sa.Boolean(), nullable=True),
        sa.Column("volume", sa.Float(), nullable=True),
        sa.Column("muted", sa.Boolean(), nullable=True),
        sa.Column("message_text", sa.Text(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.Column("created_at", DT, nullable=False),
        sa.Column("updated_at", DT, nullable=False),
        sa.ForeignKeyConstraint(
            ["academic_period_id"],
            ["academic_periods.id"],
            name=op.f("fk_events_academic_period_id_academic_periods"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_events_created_by_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["detached_from_event_id"],
            ["events.id"],
            name=op.f("fk_events_detached_from_event_id_events"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["event_media_id"],
            ["event_media.id"],
            name=op.f("fk_events_event_media_id_event_media"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["client_groups.id"],
            name=op.f("fk_events_group_id_client_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"], ["users.id"], name=op.f("fk_events_updated_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_events_academic_period_id"), ["academic_period_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_events_detached_from_event_id"), ["detached_from_event_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_events_event_media_id"), ["event_media_id"], unique=False)
        batch_op.create_index("ix_events_group_window", ["group_id", "start", "end"], unique=False)
        batch_op.create_index("ix_events_recurrence_end", ["recurrence_end"], unique=False)

    op.create_table(
        "event_exceptions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("exception_start", DT, nullable=False),
        sa.Column(
            "kind",
            sa.Enum("holiday", "deleted", "detached", name="exceptionkind", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("detached_event_id", sa.Integer(), nullable=True),
        sa.Column("holiday_id", sa.Integer(), nullable=True),
        sa.Column("created_at", DT, nullable=False),
        sa.ForeignKeyConstraint(
            ["detached_event_id"],
            ["events.id"],
            name=op.f("fk_event_exceptions_detached_event_id_events"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_event_exceptions_event_id_events"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["holiday_id"],
            ["school_holidays.id"],
            name=op.f("fk_event_exceptions_holiday_id_school_holidays"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_exceptions")),
        sa.UniqueConstraint("event_id", "exception_start", name=op.f("uq_event_exceptions_event_id_exception_start")),
    )
    with op.batch_alter_table("event_exceptions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_exceptions_event_id"), ["event_id"], unique=False)


def downgrade() -> None:
    # Dropping a table drops its indexes; dropping them first fails on MariaDB (FK-backing indexes).
    op.drop_table("event_exceptions")
    op.drop_table("events")
    op.drop_table("conversions")
    op.drop_table("client_command_transitions")
    op.drop_table("school_holidays")
    op.drop_table("event_media")
    op.drop_table("client_logs")
    op.drop_table("client_commands")
    op.drop_table("system_settings")
    op.drop_table("group_power_intents")
    op.drop_table("clients")
    op.drop_table("audit_log")
    op.drop_table("api_tokens")
    op.drop_table("academic_periods")
    op.drop_table("users")
    op.drop_table("client_groups")
