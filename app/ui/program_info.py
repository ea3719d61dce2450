"""What the "Programminfo" page shows: version, build facts, dependency licences and the changelog."""

from __future__ import annotations

import json
import platform
import re
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement

import app as app_package

CHANGELOG_PATH = Path(__file__).parent / "changelog.json"
PROJECT = "infoscreen"


@dataclass(frozen=True)
class License:
    name: str
    version: str
    license: str


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _license_of(dist: Any) -> str:
    meta = dist.metadata
    expression = meta.get("License-Expression")
    if expression:
        return str(expression)
    classifiers = [c.split(" :: ")[-1] for c in meta.get_all("Classifier") or [] if c.startswith("License ::")]
    if classifiers:
        return ", ".join(dict.fromkeys(classifiers))
    text = (meta.get("License") or "").strip()
    # Some packages paste the whole licence text into this field: its first line names it.
    return text.splitlines()[0][:80] if text else "unbekannt"


@lru_cache(maxsize=1)
def dependency_licenses() -> tuple[License, ...]:
    """Every installed package the server needs at runtime (transitively), with its licence."""
    seen: dict[str, License] = {}
    visited: set[tuple[str, frozenset[str]]] = set()
    queue: list[tuple[str, frozenset[str]]] = [(PROJECT, frozenset())]
    while queue:
        name, extras = queue.pop()
        if (_normalize(name), extras) in visited:
            continue
        visited.add((_normalize(name), extras))
        try:
            dist = distribution(name)
        except PackageNotFoundError:
            continue
        key = _normalize(dist.metadata["Name"])
        if key != PROJECT:
            seen[key] = License(dist.metadata["Name"], dist.version, _license_of(dist))
        for line in dist.requires or []:
            try:
                req = Requirement(line)
            except InvalidRequirement:
                continue
            envs = [{"extra": e} for e in extras] or [{"extra": ""}]
            if req.marker is not None and not any(req.marker.evaluate(env) for env in envs):
                continue
            queue.append((req.name, frozenset(req.extras)))
    return tuple(sorted(seen.values(), key=lambda item: item.name.lower()))


def build_date(settings: Any) -> str:
    """BUILD_DATE when the image build set it, else the day the code was installed (newest module file)."""
    configured = getattr(settings, "build_date", None)
    if configured:
        return str(configured)
    package_dir = Path(app_package.__file__).parent
    newest = max(path.stat().st_mtime for path in package_dir.rglob("*.py"))
    return datetime.fromtimestamp(newest, UTC).date().isoformat()


def build_info(settings: Any) -> dict[str, str]:
    try:
        nicegui_version = distribution("nicegui").version
    except PackageNotFoundError:
        nicegui_version = "?"
    return {
        "version": app_package.__version__,
        "build_date": build_date(settings),
        "python": sys.version.split()[0],
        "platform": f"{platform.system()} {platform.release()} ({platform.machine()})",
        "environment": settings.env,
        "database": settings.database_url.split(":", 1)[0],
        "nicegui": nicegui_version,
    }


@lru_cache(maxsize=1)
def program_info() -> dict[str, Any]:
    data = json.loads(CHANGELOG_PATH.read_text(encoding="utf-8"))
    data["changelog"] = sorted(data.get("changelog", []), key=lambda e: e["date"], reverse=True)
    return data
