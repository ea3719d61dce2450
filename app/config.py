"""Typed settings read from the environment, with the seeds' names and defaults.

A bad value stops the process at start with a message that names the variable, so an operator never
chases a misconfiguration through a stack trace.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class ConfigurationError(RuntimeError):
    """Raised when the environment holds a value the server cannot run with."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=None,
        case_sensitive=True,
        extra="ignore",
        populate_by_name=True,
    )

    # --- runtime -------------------------------------------------------------------------------------
    env: Literal["development", "production"] = Field("development", alias="ENV")
    http_host: str = Field("0.0.0.0", alias="HTTP_HOST")
    http_port: int = Field(8000, alias="HTTP_PORT", ge=1, le=65535)
    data_dir: Path = Field(Path("./data"), alias="DATA_DIR")
    media_root: Path | None = Field(None, alias="MEDIA_ROOT")
    school_timezone: str = Field("Europe/Vienna", alias="SCHOOL_TIMEZONE")
    secret_key: str = Field("", alias="SECRET_KEY", validation_alias=AliasChoices("SECRET_KEY", "FLASK_SECRET_KEY"))
    log_level: str = Field("INFO", alias="LOG_LEVEL")
    # How displays reach this server (e.g. https://infoscreen.school.at); media URLs in event lists get it
    # as prefix. Unset: URLs stay server-relative and displays prepend their configured server address.
    public_base_url: str | None = Field(None, alias="PUBLIC_BASE_URL")

    # --- database ------------------------------------------------------------------------------------
    db_conn: str | None = Field(None, alias="DB_CONN", validation_alias=AliasChoices("DB_CONN", "DB_URL"))
    db_pool_size: int = Field(10, alias="DB_POOL_SIZE", ge=1)
    db_echo: bool = Field(False, alias="DB_ECHO")

    # --- MQTT ----------------------------------------------------------------------------------------
    mqtt_broker_host: str | None = Field(None, alias="MQTT_BROKER_HOST")
    mqtt_broker_port: int = Field(
        1883, alias="MQTT_BROKER_PORT", validation_alias=AliasChoices("MQTT_BROKER_PORT", "MQTT_PORT"), ge=1, le=65535
    )
    mqtt_user: str | None = Field(None, alias="MQTT_USER", validation_alias=AliasChoices("MQTT_USER", "MQTT_USERNAME"))
    mqtt_password: str | None = Field(None, alias="MQTT_PASSWORD")
    mqtt_tls_enabled: bool = Field(False, alias="MQTT_TLS_ENABLED")
    mqtt_tls_ca_cert: str | None = Field(None, alias="MQTT_TLS_CA_CERT")
    mqtt_tls_certfile: str | None = Field(None, alias="MQTT_TLS_CERTFILE")
    mqtt_tls_keyfile: str | None = Field(None, alias="MQTT_TLS_KEYFILE")
    mqtt_tls_insecure: bool = Field(False, alias="MQTT_TLS_INSECURE")
    mqtt_keepalive: int = Field(60, alias="MQTT_KEEPALIVE", ge=5, le=65535)
    mqtt_client_id: str | None = Field(None, alias="MQTT_CLIENT_ID")
    mqtt_shared_group: str | None = Field(None, alias="MQTT_SHARED_GROUP")
    mqtt_max_payload_bytes: int = Field(8 * 1024 * 1024, alias="MQTT_MAX_PAYLOAD_BYTES", ge=1024)
    # Publishing (app/mqtt/outbox.py): at most this many QoS 1 publishes in flight (the broker's announced
    # Receive Maximum lowers it), at most MQTT_OUTBOX_MAX_QUEUED waiting, and the Receive Maximum this
    # server announces in CONNECT (how many QoS 1 messages the broker may send it unacknowledged).
    mqtt_publish_window: int = Field(100, alias="MQTT_PUBLISH_WINDOW", ge=1, le=65000)
    mqtt_outbox_max_queued: int = Field(50000, alias="MQTT_OUTBOX_MAX_QUEUED", ge=100)
    mqtt_receive_maximum: int = Field(65535, alias="MQTT_RECEIVE_MAXIMUM", ge=1, le=65535)
    # Per-display broker accounts through Mosquitto's dynamic-security plugin (off: the broker is configured
    # by hand and every display shares one account, as in the seeds).
    mqtt_dynsec_enabled: bool = Field(False, alias="MQTT_DYNSEC_ENABLED")
    # The account that may publish to $CONTROL/dynamic-security/v1 (default: MQTT_USER/MQTT_PASSWORD).
    mqtt_dynsec_admin_user: str | None = Field(None, alias="MQTT_DYNSEC_ADMIN_USER")
    mqtt_dynsec_admin_password: str | None = Field(None, alias="MQTT_DYNSEC_ADMIN_PASSWORD")
    # The shared account brand-new displays use to announce themselves (publish infoscreen/discovery only).
    mqtt_provisioning_user: str | None = Field(None, alias="MQTT_PROVISIONING_USER")
    mqtt_provisioning_password: str | None = Field(None, alias="MQTT_PROVISIONING_PASSWORD")

    # --- workers and conversions ---------------------------------------------------------------------
    redis_url: str | None = Field(None, alias="REDIS_URL")
    gotenberg_url: str | None = Field(None, alias="GOTENBERG_URL")
    conversion_timeout_seconds: int = Field(180, alias="CONVERSION_TIMEOUT_SECONDS", ge=5)
    max_upload_mb: int = Field(500, alias="MAX_UPLOAD_MB", ge=1)

    # --- upload and converter safety (docs/operations.md "Uploads and the converter sandbox") ---------
    # Presentations (ZIP containers) are inspected before anything unpacks them.
    archive_max_uncompressed_mb: int = Field(1024, alias="ARCHIVE_MAX_UNCOMPRESSED_MB", ge=1)
    archive_max_entries: int = Field(10_000, alias="ARCHIVE_MAX_ENTRIES", ge=1)
    archive_max_ratio: int = Field(100, alias="ARCHIVE_MAX_RATIO", ge=2)
    # Limits of the local LibreOffice (per process: address space, CPU time, size of any file written).
    converter_memory_mb: int = Field(3072, alias="CONVERTER_MEMORY_MB", ge=16)
    converter_cpu_seconds: int = Field(300, alias="CONVERTER_CPU_SECONDS", ge=1)
    converter_max_output_mb: int = Field(512, alias="CONVERTER_MAX_OUTPUT_MB", ge=1)
    # The embedded broker (no MQTT_BROKER_HOST): its bind address (default loopback, or all interfaces
    # when MQTT_USER/MQTT_PASSWORD are set) and the opt-in to anonymous clients from the network.
    mqtt_embedded_bind: str | None = Field(None, alias="MQTT_EMBEDDED_BIND")
    mqtt_embedded_allow_anonymous_network: bool = Field(False, alias="MQTT_EMBEDDED_ALLOW_ANONYMOUS_NETWORK")

    # --- scheduler -----------------------------------------------------------------------------------
    poll_interval_seconds: int = Field(30, alias="POLL_INTERVAL_SECONDS", ge=1, le=3600)
    refresh_seconds: int = Field(0, alias="REFRESH_SECONDS", ge=0)
    events_window_days: int = Field(7, alias="EVENTS_WINDOW_DAYS", ge=1, le=366)
    power_intent_publish_enabled: bool = Field(False, alias="POWER_INTENT_PUBLISH_ENABLED")
    power_intent_heartbeat_enabled: bool = Field(True, alias="POWER_INTENT_HEARTBEAT_ENABLED")
    power_intent_expiry_multiplier: int = Field(3, alias="POWER_INTENT_EXPIRY_MULTIPLIER", ge=1)
    power_intent_min_expiry_seconds: int = Field(90, alias="POWER_INTENT_MIN_EXPIRY_SECONDS", ge=1)
    # How long a dead scheduler holder keeps the Redis lock; unset = min(10 s, POLL_INTERVAL_SECONDS), so a
    # survivor takes over within two poll intervals (it re-checks every third of the TTL).
    scheduler_lock_ttl_seconds: float | None = Field(None, alias="SCHEDULER_LOCK_TTL_SECONDS", ge=0.5, le=300)

    # --- monitoring and recovery ---------------------------------------------------------------------
    crash_recovery_enabled: bool = Field(False, alias="CRASH_RECOVERY_ENABLED")
    crash_recovery_grace_seconds: int = Field(180, alias="CRASH_RECOVERY_GRACE_SECONDS", ge=1)
    crash_recovery_lockout_minutes: int = Field(15, alias="CRASH_RECOVERY_LOCKOUT_MINUTES", ge=1)
    crash_recovery_command_expiry_seconds: int = Field(
        240, alias="CRASH_RECOVERY_COMMAND_EXPIRY_SECONDS", ge=30, le=3600
    )
    heartbeat_grace_period_dev: int = Field(180, alias="HEARTBEAT_GRACE_PERIOD_DEV", ge=1)
    heartbeat_grace_period_prod: int = Field(170, alias="HEARTBEAT_GRACE_PERIOD_PROD", ge=1)
    priority_screenshot_ttl_seconds: int = Field(120, alias="PRIORITY_SCREENSHOT_TTL_SECONDS", ge=1)
    client_log_retention_days: int = Field(30, alias="CLIENT_LOG_RETENTION_DAYS", ge=1)
    screenshot_retention_days: int = Field(30, alias="SCREENSHOT_RETENTION_DAYS", ge=1)

    # --- iCalendar: holiday subscriptions and schedule feeds (docs/calendar-feeds.md) ------------------
    # A subscription is refreshed when its last attempt is older than this; the sweep leader checks hourly.
    holiday_feed_refresh_hours: int = Field(24, alias="HOLIDAY_FEED_REFRESH_HOURS", ge=1, le=24 * 30)
    holiday_feed_timeout_seconds: float = Field(20.0, alias="HOLIDAY_FEED_TIMEOUT_SECONDS", gt=0, le=300)
    holiday_feed_max_bytes: int = Field(2 * 1024 * 1024, alias="HOLIDAY_FEED_MAX_BYTES", ge=1024)
    # How far back a group's schedule feed reaches (series that ended earlier are left out).
    calendar_feed_past_days: int = Field(400, alias="CALENDAR_FEED_PAST_DAYS", ge=1, le=3660)

    # --- accounts ------------------------------------------------------------------------------------
    default_superadmin_username: str = Field("superadmin", alias="DEFAULT_SUPERADMIN_USERNAME", min_length=1)
    default_superadmin_password: str | None = Field(None, alias="DEFAULT_SUPERADMIN_PASSWORD")
    session_ttl_hours: int = Field(12, alias="SESSION_TTL_HOURS", ge=1)

    # --- durable ingest and unknown displays (docs/operations.md) -----------------------------------
    # How long the broker keeps the ingest's session (subscriptions, unacknowledged QoS 1 messages) while the
    # `mqtt` process is away; MQTT_CLIENT_ID (above) pins the client id of one process.
    mqtt_session_expiry_seconds: int = Field(3600, alias="MQTT_SESSION_EXPIRY_SECONDS", ge=0, le=0xFFFFFFFF)
    # A directory shared by the ingest processes of one deployment (e.g. a volume of all ingest containers):
    # client ids become `infoscreen-ingest-<slot>`, independent of host names that change on redeploy.
    mqtt_client_id_dir: Path | None = Field(None, alias="MQTT_CLIENT_ID_DIR")
    # New (unknown) displays registered per minute by one ingest process, and in total; beyond either,
    # discoveries/heartbeats of unknown uuids are counted and logged, not stored.
    discovery_new_per_minute: int = Field(300, alias="DISCOVERY_NEW_PER_MINUTE", ge=1)
    discovery_max_clients: int = Field(5_000, alias="DISCOVERY_MAX_CLIENTS", ge=1)
    # --- first run, legacy fallbacks, build facts (docs/operations.md "First run") -----------------------
    # The seed scheduler's host fallback: used when MQTT_BROKER_HOST is unset ("host", "host:port" or
    # "mqtt://host:port"; an explicit MQTT_BROKER_PORT wins over the URL's port).
    mqtt_broker_url: str | None = Field(None, alias="MQTT_BROKER_URL")
    # Shown on Programminfo; set at image build (docker build --build-arg), else the install date of the code.
    build_date: str | None = Field(None, alias="BUILD_DATE")

    @model_validator(mode="after")
    def _broker_url_fallback(self) -> Settings:
        url = (self.mqtt_broker_url or "").strip()
        if self.mqtt_broker_host is not None or not url:
            return self
        parsed = urlsplit(url if "://" in url else f"mqtt://{url}")
        if not parsed.hostname:
            raise ValueError("MQTT_BROKER_URL must name a host (host, host:port or mqtt://host:port)")
        self.mqtt_broker_host = parsed.hostname
        if parsed.port and "mqtt_broker_port" not in self.model_fields_set:
            self.mqtt_broker_port = parsed.port
        return self

    # --- proxies and API limits (docs/accounts-and-auth.md) -----------------------------------------
    # Peers whose X-Forwarded-For/-Proto is believed (addresses or CIDRs, comma-separated); the client is the
    # right-most address in X-Forwarded-For that is not one of them. Default: only a proxy on this host.
    trusted_proxies: str = Field("127.0.0.1,::1", alias="TRUSTED_PROXIES")
    # Largest non-upload request body to /graphql (JSON queries); uploads have MAX_UPLOAD_MB.
    graphql_max_body_kb: int = Field(1024, alias="GRAPHQL_MAX_BODY_KB", ge=16)
    # Live subscriptions one account may hold at once in one process (the websocket cap per connection is 20).
    max_subscriptions_per_user: int = Field(100, alias="MAX_SUBSCRIPTIONS_PER_USER", ge=1)
    # --- alarm notifications (docs/operations.md "Alarme") -----------------------------------------------
    smtp_host: str = Field("", alias="SMTP_HOST")  # empty: e-mail channels report "not configured"
    smtp_port: int = Field(587, alias="SMTP_PORT", ge=1, le=65535)
    smtp_security: Literal["none", "starttls", "ssl"] = Field("starttls", alias="SMTP_SECURITY")
    smtp_username: str = Field("", alias="SMTP_USERNAME")
    smtp_password: str = Field("", alias="SMTP_PASSWORD")
    smtp_from: str = Field("infoscreen@localhost", alias="SMTP_FROM")
    notify_timeout_seconds: float = Field(10.0, alias="NOTIFY_TIMEOUT_SECONDS", gt=0)
    # Webhook: attempts per delivery run and the first backoff (doubled each time).
    notify_webhook_attempts: int = Field(3, alias="NOTIFY_WEBHOOK_ATTEMPTS", ge=1, le=10)
    notify_backoff_seconds: float = Field(1.0, alias="NOTIFY_BACKOFF_SECONDS", ge=0)
    # --- Soll/Ist and Wiedergabeprotokoll (docs/monitoring.md) -------------------------------------------
    # How long a display may show something other than planned before it is flagged content_mismatch.
    content_mismatch_grace_seconds: int = Field(120, alias="CONTENT_MISMATCH_GRACE_SECONDS", ge=0)
    playback_retention_days: int = Field(90, alias="PLAYBACK_RETENTION_DAYS", ge=1)
    # --- dashboard payload parse counters (seed-spec §4.4): logged every N `dashboard` messages -------------
    dashboard_metrics_log_every: int = Field(5, alias="DASHBOARD_METRICS_LOG_EVERY", ge=1)

    @field_validator("trusted_proxies")
    @classmethod
    def _proxy_networks(cls, value: str) -> str:
        items = []
        for item in (part.strip() for part in value.split(",")):
            if not item:
                continue
            try:
                network = ipaddress.ip_network(item, strict=False)
            except ValueError as exc:
                raise ValueError(f"{item!r} is not an IP address or network (CIDR)") from exc
            # Canonical form: uvicorn reads "10.0.0.1/8" (host bits set) as a name that never matches.
            items.append(str(network) if "/" in item else item)
        return ",".join(items)

    @property
    def trusted_proxy_list(self) -> list[str]:
        return [item for item in self.trusted_proxies.split(",") if item]

    @field_validator("school_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("public_base_url")
    @classmethod
    def _http_base(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        text = value.strip().rstrip("/")
        if not text.startswith(("http://", "https://")) or " " in text:
            raise ValueError("must be an http(s) URL such as https://infoscreen.example.org")
        return text

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        upper = value.upper()
        if upper not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return upper

    @field_validator(
        "db_conn",
        "mqtt_broker_host",
        "redis_url",
        "gotenberg_url",
        "mqtt_shared_group",
        "mqtt_dynsec_admin_user",
        "mqtt_provisioning_user",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @model_validator(mode="after")
    def _fill_derived(self) -> Settings:
        if self.media_root is None:
            self.media_root = self.data_dir / "media"
        if not self.secret_key:
            if self.env == "production":
                raise ValueError("SECRET_KEY must be set in production")
            self.secret_key = secrets.token_urlsafe(32)
        if self.mqtt_dynsec_enabled and self.mqtt_broker_host is None:
            raise ValueError("MQTT_DYNSEC_ENABLED needs an external Mosquitto (MQTT_BROKER_HOST)")
        if self.mqtt_provisioning_user and len(self.mqtt_provisioning_password or "") < 12:
            raise ValueError("MQTT_PROVISIONING_PASSWORD must have at least 12 characters")
        if self.mqtt_tls_enabled and self.mqtt_tls_certfile and not self.mqtt_tls_keyfile:
            raise ValueError("MQTT_TLS_KEYFILE is required when MQTT_TLS_CERTFILE is set")
        return self

    # --- derived values ------------------------------------------------------------------------------
    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.school_timezone)

    @property
    def heartbeat_grace_seconds(self) -> int:
        return self.heartbeat_grace_period_prod if self.is_production else self.heartbeat_grace_period_dev

    @property
    def scheduler_lock_ttl(self) -> float:
        if self.scheduler_lock_ttl_seconds is not None:
            return self.scheduler_lock_ttl_seconds
        return float(min(10, self.poll_interval_seconds))

    @property
    def embedded_broker(self) -> bool:
        return self.mqtt_broker_host is None

    @property
    def mqtt_host(self) -> str:
        return self.mqtt_broker_host or "127.0.0.1"

    @property
    def database_url(self) -> str:
        """The async SQLAlchemy URL: the seeds' sync URLs are translated to their async drivers."""
        if self.db_conn is None:
            return f"sqlite+aiosqlite:///{(self.data_dir / 'infoscreen.db').resolve()}"
        url = self.db_conn
        for sync, async_ in (
            ("mysql+pymysql://", "mysql+aiomysql://"),
            ("mariadb+pymysql://", "mysql+aiomysql://"),
            ("mysql://", "mysql+aiomysql://"),
            ("mariadb://", "mysql+aiomysql://"),
            ("sqlite://", "sqlite+aiosqlite://"),
        ):
            if url.startswith(sync):
                return async_ + url[len(sync) :]
        return url

    @property
    def screenshot_dir(self) -> Path:
        return self.data_dir / "screenshots"

    @property
    def converted_dir(self) -> Path:
        assert self.media_root is not None
        return self.media_root / "converted"


def _describe(error: ValidationError) -> str:
    lines = []
    for item in error.errors():
        name = str(item["loc"][0]) if item["loc"] else "?"
        alias = Settings.model_fields[name].alias if name in Settings.model_fields else name
        lines.append(f"{alias or name}: {item['msg']}")
    return "invalid configuration: " + "; ".join(lines)


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment; `overrides` use the environment variable names."""
    # The seed's rule: a `.env` in the working directory is read only when ENV=development (the process
    # environment still wins over it); production takes its settings from the environment alone.
    env_file = ".env" if os.environ.get("ENV") == "development" else None
    try:
        return Settings(_env_file=env_file, **overrides)  # type: ignore[arg-type,call-arg]
    except ValidationError as exc:
        raise ConfigurationError(_describe(exc)) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()


def reset_settings_cache() -> None:
    get_settings.cache_clear()
