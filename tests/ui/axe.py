"""axe-core (vendored in tests/ui/vendor/, refreshed by scripts/vendor_axe.sh) run inside a Playwright page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page

AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
BLOCKING = ("serious", "critical")
_RUN = """async () => {
  const result = await axe.run(document, { resultTypes: ["violations"] });
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => ({ target: n.target.join(" "), html: n.html.slice(0, 160),
                                 summary: (n.failureSummary || "").split("\\n").slice(0, 3).join(" ") })),
  }));
}"""


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe's serious and critical violations of what the page shows now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    violations: list[dict[str, Any]] = page.evaluate(_RUN)
    return [v for v in violations if v["impact"] in BLOCKING]


def describe(where: str, violations: list[dict[str, Any]]) -> str:
    """One readable block per violation: rule, impact, help and the first offending elements."""
    lines = []
    for v in violations:
        lines.append(f"[{where}] {v['impact'].upper()} {v['id']}: {v['help']} ({len(v['nodes'])} elements)")
        for node in v["nodes"][:5]:
            lines.append(f"    {node['target']}\n      {node['html']}\n      {node['summary']}")
    return "\n".join(lines)
