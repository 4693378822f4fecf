"""Driving Debian's Chromium with Playwright in tests (test helper, not a test file).

The browser is the one from the system packages (``/usr/bin/chromium``, installed by
``scripts/system-packages.sh``), never a download of Playwright's own. Screenshots go to
``var/screenshots/<group>/`` so a person can look at what the test saw.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[4]
SCREENSHOTS = PROJECT_ROOT / "var" / "screenshots"
CHROMIUM = os.environ.get("MICROCERT_CHROMIUM", "/usr/bin/chromium")
# Without the background-networking flags Chromium keeps calling home, which a closed network
# refuses; sandboxing needs user namespaces that containers often lack.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@contextmanager
def chromium() -> Iterator:
    """A headless Chromium; Playwright's sync API runs an event loop in this thread, so the
    Django ORM calls in the test body must be allowed alongside it."""
    from playwright.sync_api import sync_playwright

    # `make test` installs Chromium first; a missing browser is a failure, never a skip.
    if not Path(CHROMIUM).exists():
        raise AssertionError(f"Chromium is not at {CHROMIUM}: run `make system-packages`")

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            try:
                yield browser
            finally:
                browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class Camera:
    """Numbered full-page screenshots of one story."""

    def __init__(self, group: str) -> None:
        self.directory = SCREENSHOTS / group
        shutil.rmtree(self.directory, ignore_errors=True)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.taken: list[Path] = []

    def shot(self, page, name: str) -> Path:
        path = self.directory / f"{len(self.taken) + 1:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        self.taken.append(path)
        return path


def sign_in(browser, base_url: str, email: str, password: str, *, language: str = "en"):
    """A new browser context (its own cookies) signed in as ``email``; returns its page."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale=language)
    page = context.new_page()
    page.goto(f"{base_url}/{language}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.locator("form [type=submit]").last.click()
    page.wait_for_load_state()
    if "/accounts/login/" in page.url:
        raise AssertionError(f"could not sign in as {email}: {page.inner_text('main')}")
    return page


# --- accessibility ---------------------------------------------------------------------------

AXE_SCRIPT = PROJECT_ROOT / "tools" / "verifiers" / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS_OR_WORSE = ("serious", "critical")


def axe_violations(page, impacts: tuple[str, ...] = SERIOUS_OR_WORSE) -> list[dict]:
    """The axe-core violations of the page as it is now, limited to ``impacts``.

    axe's source is evaluated through the DevTools protocol rather than added as a <script>
    element, so a Content-Security-Policy that forbids inline scripts does not stop it."""
    if not AXE_SCRIPT.exists():
        raise AssertionError(f"axe-core is not at {AXE_SCRIPT}: run `make verifiers`")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8"))
    results = page.evaluate(
        "async () => await window.axe.run(document, {resultTypes: ['violations']})"
    )
    return [v for v in results["violations"] if v.get("impact") in impacts]


def axe_report(violations: list[dict]) -> str:
    """The violations in words, with the elements at fault, for an assertion message."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['impact']}: {violation['id']} — {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {' '.join(map(str, node['target']))}: {node['html'][:160]}")
        if len(violation["nodes"]) > 5:
            lines.append(f"    … and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)
