"""The issue's « done when » in a real browser against the real assistant: a parent gets two
misunderstandings and sends the question in two clicks; the director sees it in chat and on
/staff, closes it there, and the day's activity shows in the table."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from playwright.sync_api import expect

from tests.action_helper import said
from tests.browser.widget import Widget

pytestmark = [pytest.mark.browser, pytest.mark.model]

FIRST, SECOND = "compte", "code"  # two misunderstandings (tests/integration/test_conversations.py)


def test_parent_to_director_in_two_clicks(page, real_stack):
    widget = Widget(page, real_stack.url).goto()
    widget.sign_in("parent.papillons")
    widget.open()
    widget.ask(FIRST)
    offer = widget.ask(SECOND)
    assert said("utter_handoff_not_found") in offer and "École des Papillons" in offer
    asked = widget.click_reply("Transmettre ma question à la direction de l'école")  # click 1
    assert "ajouter une phrase" in asked
    done = widget.click_reply("Envoyer ma demande")  # click 2
    assert "C'est transmis (demande n° " in done
    number = done.split("demande n° ")[1].split(")")[0]

    widget.sign_in("directeur.papillons")  # another person: a new conversation
    expect(widget.log).not_to_contain_text("C'est transmis")  # the parent's conversation is gone
    expect(widget.log.locator(".msg-bot").first).to_contain_text("Bonjour")  # the new greeting
    listed = widget.ask("quelles demandes ai-je reçues ?")
    assert f"Demande n° {number}" in listed and FIRST in listed

    page.goto(real_stack.url + "staff")
    row = page.locator(f"#demande-{number}")
    expect(row).to_contain_text(SECOND)
    today = datetime.now(timezone.utc).strftime("%d/%m/%Y")
    expect(page.locator("table", has_text="Chiffres par jour").locator("tr", has_text=today)).to_be_visible()
    row.get_by_role("button", name=f"Traitée : demande {number}").click()
    expect(page.locator("#staff-status")).to_have_text(f"La demande n° {number} est marquée comme traitée.")
    page.reload()
    expect(page.locator(f"#demande-{number}")).to_have_count(0)
