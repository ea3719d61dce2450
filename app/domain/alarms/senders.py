"""Sending one alarm message: e-mail over SMTP (aiosmtplib: STARTTLS, SSL or plain, with login) and a
webhook JSON POST signed with HMAC-SHA256 (`X-Infoscreen-Signature: sha256=<hex>` over the exact body),
retried with exponential backoff on connection errors and 5xx/429 answers."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import getaddresses
from typing import Any

import aiosmtplib
import httpx

from app.config import Settings
from app.domain.alarms.smtp import SmtpConfig

SIGNATURE_HEADER = "X-Infoscreen-Signature"
DELIVERY_HEADER = "X-Infoscreen-Delivery"


class SendError(RuntimeError):
    """The message did not get through (the text is kept on the delivery and the channel)."""


@dataclass(frozen=True, slots=True)
class Message:
    subject: str
    body: str
    payload: dict[str, Any]
    delivery_key: str  # stable per alarm state change: receivers can drop a repeat


def recipients(target: str) -> list[str]:
    return [address for _, address in getaddresses([target]) if "@" in address]


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


async def send_email(config: SmtpConfig, target: str, message: Message) -> None:
    if not config.host:
        raise SendError("SMTP_HOST is not set")
    to = recipients(target)
    if not to:
        raise SendError("no valid recipient")
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = config.from_address, ", ".join(to), message.subject
    mail["Message-ID"] = f"<{message.delivery_key}@infoscreen>"
    mail.set_content(message.body)
    try:
        await aiosmtplib.send(
            mail,
            hostname=config.host,
            port=config.port,
            username=config.username or None,
            password=config.password or None,
            use_tls=config.security == "ssl",
            start_tls=config.security == "starttls",
            timeout=config.timeout,
        )
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
        raise SendError(f"SMTP: {exc}"[:500]) from exc


async def send_webhook(settings: Settings, url: str, secret: str | None, message: Message) -> int:
    """POST the payload; returns the number of attempts it took. Raises SendError after the last one."""
    body = json.dumps(message.payload, default=str, separators=(",", ":")).encode()
    headers = {"Content-Type": "application/json", DELIVERY_HEADER: message.delivery_key}
    if secret:
        headers[SIGNATURE_HEADER] = sign(secret, body)
    delay = settings.notify_backoff_seconds
    error = "no attempt"
    async with httpx.AsyncClient(timeout=settings.notify_timeout_seconds, follow_redirects=False) as client:
        for attempt in range(1, settings.notify_webhook_attempts + 1):
            try:
                response = await client.post(url, content=body, headers=headers)
            except httpx.HTTPError as exc:
                error = f"{type(exc).__name__}: {exc}"
            else:
                if response.is_success:
                    return attempt
                error = f"HTTP {response.status_code}"
                if response.status_code < 500 and response.status_code != 429:
                    break  # the receiver refuses this message: retrying will not help
            if attempt < settings.notify_webhook_attempts:
                await asyncio.sleep(delay)
                delay *= 2
    raise SendError(f"webhook: {error}"[:500])
