"""/staff in a real browser: who may open it, escaping, keyboard use, phone width, a screenshot."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from bot.ent.service import EntService
from bot.identity import Identity
from bot.paths import RESULTS
from tests.browser.conftest import Stack
from tests.browser.widget import Widget

pytestmark = pytest.mark.browser

ATTACK = '<img src=x onerror="alert(1)"><script>alert(2)</script> le lien **gras**'


def staff_url(stack: Stack) -> str:
    return stack.url + "staff"


def test_a_parent_gets_403_and_an_anonymous_visitor_too(page, staff_stack):
    widget = Widget(page, staff_stack.url).goto()
    assert page.goto(staff_url(staff_stack)).status == 403
    expect(page.get_by_role("heading", name="Accès réservé")).to_be_visible()
    widget.goto().sign_in("parent.papillons")
    response = page.goto(staff_url(staff_stack))
    assert response.status == 403
    expect(page.get_by_text("Votre profil ne donne pas accès à cette page.")).to_be_visible()
    widget.goto().sign_in("directeur.papillons")
    assert page.goto(staff_url(staff_stack)).status == 200
    widget.goto().sign_in("")  # back to anonymous: the identity cookie is gone
    assert page.goto(staff_url(staff_stack)).status == 403


def test_the_director_reads_a_stored_attack_as_text_and_closes_it_with_the_keyboard(page, staff_stack):
    sent = EntService().submit_handoff(Identity("parent.papillons", "parent"), f"b-{time.time()}", [ATTACK])
    Widget(page, staff_stack.url).goto().sign_in("directeur.papillons")
    page.goto(staff_url(staff_stack))
    row = page.locator(f"#demande-{sent.id}")
    expect(row).to_contain_text('<img src=x onerror="alert(1)"><script>alert(2)</script>')
    expect(page.locator("main img, main script")).to_have_count(0)
    assert page.dialogs == []
    button = row.get_by_role("button", name=f"Traitée : demande {sent.id}")
    button.focus()
    page.keyboard.press("Enter")
    status = page.locator("#staff-status")
    expect(status).to_have_text(f"La demande n° {sent.id} est marquée comme traitée.")
    expect(status).to_be_focused()
    expect(row).to_have_count(0)
    page.reload()
    expect(page.locator(f"#demande-{sent.id}")).to_have_count(0)


def test_the_page_is_labelled_and_fits_a_phone(page, staff_stack):
    Widget(page, staff_stack.url).goto().sign_in("erun.demo")
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(staff_url(staff_stack))
    expect(page.locator("h1")).to_have_count(1)
    assert page.locator("table caption").count() >= 2  # activity and questions (no request, no vote yet)
    charts = page.locator("svg.chart[role='img']")
    expect(charts).to_have_count(4)
    for index in range(4):
        labelled = charts.nth(index).get_attribute("aria-labelledby").split()
        assert all(page.locator(f"#{part}").count() == 1 for part in labelled)
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1  # wide tables scroll inside their own region, not the page
    for link in page.locator("main a[href$='.csv']").all():
        box = link.bounding_box()
        assert box["height"] >= 24


def test_screenshot_of_the_staff_page(page, staff_stack):
    for vote in ("up", "up", "down", "up", "down"):
        EntService().record_feedback("utter_faq/activer_educonnect", "activer mon compte ?", vote)
    EntService().submit_handoff(
        Identity("parent.sms.papillons", "parent"),
        f"shot-{time.time()}",
        ["Comment récupérer les photos du blog de l'an dernier ?", "le truc bleu ne marche plus"],
        "Je suis disponible le soir.",
        "faq/blog",
    )
    Widget(page, staff_stack.url).goto().sign_in("directeur.papillons")
    page.set_viewport_size({"width": 1280, "height": 1400})
    page.goto(staff_url(staff_stack))
    expect(page.get_by_role("heading", name="Demandes à traiter")).to_be_visible()
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / "staff.png"), full_page=False)
