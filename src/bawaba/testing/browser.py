"""Browser-test helpers: screenshots to look at and axe-core accessibility checks."""

from pathlib import Path

from django.conf import settings

AXE = Path(settings.PROJECT_DIR) / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(settings.VAR_DIR) / "screenshots"


def shot(page, name: str) -> None:
    """A full-page screenshot in var/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def axe_serious(page) -> list[str]:
    """axe-core's serious and critical findings on the page (its context must bypass CSP: axe is injected)."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])}× e.g. {v['nodes'][0]['target']})"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
