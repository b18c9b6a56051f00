"""axe-core on the portal with the chat open (before and after an exchange) and on /staff.

axe-core is a development package of the portal (portal/package.json, devDependencies): it is
installed by `npm ci` (make portal-deps) into portal/node_modules and never copied to
static/vendor, so the pages never ship it; each test injects it into the page it checks.
Any critical or serious violation fails the test, with the rule, its help and the elements.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from bot.paths import ROOT
from tests.browser.conftest import Stack, unavailable
from tests.browser.widget import Widget

pytestmark = pytest.mark.browser

AXE = ROOT / "portal" / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("critical", "serious")
RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
  }));
}"""
PHONE = {"width": 375, "height": 667}
DESKTOP = {"width": 1280, "height": 800}


def blocking_violations(page: Page) -> list[dict]:
    """The critical and serious axe-core violations of the page as it is now."""
    if not AXE.exists():
        unavailable("portal/node_modules/axe-core is missing: run `make portal-deps` (npm ci)")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))  # CDP evaluation: the page's CSP does not apply
    return [v for v in page.evaluate(RUN) if v["impact"] in BLOCKING]


def describe(violations: list[dict]) -> str:
    return "\n".join(f"{v['impact']} {v['id']}: {v['help']} -> {v['nodes']}" for v in violations)


def test_axe_really_runs_and_reports_a_planted_violation(page, fake_stack: Stack):
    """The check cannot pass by not running: an image without text and an empty button are caught."""
    Widget(page, fake_stack.url).goto()
    page.evaluate("() => document.body.insertAdjacentHTML('beforeend', '<img src=x><button></button>')")
    assert {v["id"] for v in blocking_violations(page)} >= {"image-alt", "button-name"}


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_portal_with_the_chat_open_then_after_an_exchange(page, fake_stack: Stack, size):
    page.set_viewport_size(size)
    widget = Widget(page, fake_stack.url).goto()
    assert (found := blocking_violations(page)) == [], describe(found)
    widget.open()
    assert (found := blocking_violations(page)) == [], describe(found)
    widget.ask("markdown")  # an answer with a link, a list and the 👍/👎 buttons
    expect(widget.log.locator(".feedback-vote").first).to_be_visible()
    assert (found := blocking_violations(page)) == [], describe(found)


def test_the_portal_signed_in_with_the_hand_off_offer(page, fake_stack: Stack):
    page.set_viewport_size(DESKTOP)
    widget = Widget(page, fake_stack.url).goto()
    widget.sign_in("parent.papillons")
    widget.open()
    widget.ask("markdown")
    widget.log.locator(".msg-bot").last.get_by_role("button", name="Non").click()
    expect(widget.log.get_by_text("Vous pouvez reformuler votre question")).to_be_visible()
    assert (found := blocking_violations(page)) == [], describe(found)


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_staff_page(page, staff_stack: Stack, size):
    Widget(page, staff_stack.url).goto().sign_in("directeur.papillons")
    page.set_viewport_size(size)
    page.goto(staff_stack.url + "staff")
    expect(page.get_by_role("heading", name="Demandes à traiter")).to_be_visible()
    expect(page.locator("svg.chart")).to_have_count(4)
    assert (found := blocking_violations(page)) == [], describe(found)


def test_the_staff_403_page(page, staff_stack: Stack):
    page.goto(staff_stack.url + "staff")
    expect(page.get_by_role("heading", name="Accès réservé")).to_be_visible()
    assert (found := blocking_violations(page)) == [], describe(found)
