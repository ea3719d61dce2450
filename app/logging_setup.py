"""Structured, single-line logs (`key=value` where it matters) on stderr."""

from __future__ import annotations

import logging
import sys

from app.broker_logs import install_broker_log_filters


def configure_logging(level: str = "INFO") -> None:
    root = logging.getLogger()
    if any(getattr(h, "_infoscreen", False) for h in root.handlers):
        root.setLevel(level)
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler._infoscreen = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in ("amqtt", "transitions", "gmqtt", "aiosqlite", "httpx", "dramatiq", "sqlalchemy.engine"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
    install_broker_log_filters()
