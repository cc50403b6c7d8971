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


def staff_sign_in(page, *, username: str, password: str, mobile: str, seen=None) -> None:
    """From the staff sign-in page the visitor was sent to: user name and password, then the code texted to
    `mobile`. `seen(page, name)` is called on each page shown (screenshots, accessibility checks)."""
    from .messages import last_code

    page.wait_for_url("**/account/staff-sign-in/**")
    if seen:
        seen(page, "staff-sign-in")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url("**/account/sign-in/code/")
    if seen:
        seen(page, "staff-code")
    page.fill("#id_code", last_code(mobile))
    page.locator("main form button[type=submit]").first.click()
