"""The issue's scenarios in a real browser, against the real assistant (trained model,
action server, demo ENT database), through the portal started as `make run` starts it."""

from __future__ import annotations

import json
import urllib.request

import pytest
from playwright.sync_api import expect

from bot.paths import RESULTS
from portal.feedback import portal_key
from portal.guard import COOKIE, Conversations
from tests.browser.conftest import RASA_API_TOKEN
from tests.browser.widget import Widget, feedback_rows

pytestmark = [pytest.mark.browser, pytest.mark.model]

FAQ = "comment activer mon compte educonnect ?"
LIVE = "la classe de CP a-t-elle des élèves ?"
REFUSED = "pas accessible avec votre profil"


@pytest.fixture
def widget(page, real_stack) -> Widget:
    return Widget(page, real_stack.url).goto()


def test_anonymous_user_asks_a_faq_question(widget):
    answer = widget.open().ask(FAQ)
    assert "FranceConnect" in answer and "SMS" in answer
    last = widget.log.locator(".msg-bot").last
    expect(last.locator("li").first).to_be_visible()  # the answer's list is rendered as a list
    expect(last.get_by_role("group", name="Cette réponse vous a-t-elle aidé ?")).to_be_visible()


def test_quick_reply_buttons(widget):
    widget.open()
    answer = widget.click_reply("Activer mon compte EduConnect")  # a greeting button (plain text)
    assert widget.last_user_message() == "Activer mon compte EduConnect"
    assert "FranceConnect" in answer
    assert "Vous êtes" in widget.ask("j'ai perdu mon mot de passe")  # the role question
    answer = widget.click_reply("Parent")  # payload /inform_role{"role":"parent"}, shown by its title
    assert widget.last_user_message() == "Parent"
    assert "parent" in answer and "Identifiant oublié" in answer


def test_director_gets_the_live_answer(widget):
    widget.sign_in("directeur.papillons")
    answer = widget.open().ask(LIVE)
    assert "CP" in answer and "aucun élève" in answer


def test_parent_is_refused_the_live_answer(widget):
    widget.sign_in("parent.papillons")
    answer = widget.open().ask(LIVE)
    assert REFUSED in answer and "aucun élève" not in answer


def test_html_typed_by_the_user_is_shown_as_text(widget, page):
    widget.open().ask("<img src=x onerror=alert(1)>")
    assert widget.last_user_message() == "<img src=x onerror=alert(1)>"
    expect(widget.log.locator("img, script")).to_have_count(0)
    page.wait_for_timeout(300)
    assert page.dialogs == []


def test_reload_keeps_the_conversation(widget, page, real_stack):
    widget.open().ask(FAQ)
    before = widget.log.inner_text()
    page.reload()
    expect(widget.panel).to_be_visible()  # still open, same messages
    assert widget.log.inner_text() == before
    widget.ask("mes productions sont-elles conservées ?")
    # The conversation id is the portal's: derived from its HttpOnly cookie (anonymous here).
    [cookie] = [c["value"] for c in page.context.cookies() if c["name"] == COOKIE]
    sender = Conversations(portal_key(b"conversation")).sender(cookie, None)
    url = f"http://127.0.0.1:{real_stack.rasa_port}/conversations/{sender}/tracker?token={RASA_API_TOKEN}"
    with urllib.request.urlopen(url, timeout=5) as response:
        events = json.load(response)["events"]
    said = [e["text"] for e in events if e["event"] == "user"]
    assert said[-2:] == [FAQ, "mes productions sont-elles conservées ?"]  # one conversation on the server


def test_keyboard_alone_opens_sends_and_closes(widget, page):
    launcher = page.locator("#chat-launcher")
    for _ in range(30):
        page.keyboard.press("Tab")
        if launcher.evaluate("e => e === document.activeElement"):
            break
    expect(launcher).to_be_focused()
    page.keyboard.press("Enter")
    expect(widget.panel).to_be_visible()
    expect(widget.input).to_be_focused()
    expect(widget.log.locator(".msg-bot").first).to_be_visible()
    before = widget.count()
    page.keyboard.type(FAQ)
    page.keyboard.press("Enter")
    widget.replied(before)
    assert "FranceConnect" in widget.texts_since(before)
    page.keyboard.press("Escape")
    expect(widget.panel).to_be_hidden()
    expect(launcher).to_be_focused()
    expect(launcher).to_have_attribute("aria-expanded", "false")


def test_a_thumbs_up_lands_in_the_database(widget):
    widget.open().ask(FAQ)
    before = len(feedback_rows())
    widget.log.locator(".msg-bot").last.get_by_role("button", name="Oui").click()
    expect(widget.log.get_by_text("Merci pour votre avis.")).to_be_visible()
    [(key, question, vote)] = feedback_rows()[before:]
    assert key.startswith("utter_faq/") and question == FAQ and vote == "up"


def test_screenshot_for_the_readme(widget, page):
    page.set_viewport_size({"width": 1280, "height": 900})
    widget.sign_in("parent.papillons")
    widget.open()
    widget.click_reply("Mes productions sont-elles conservées ?")
    widget.log.locator(".msg-bot").last.get_by_role("button", name="Oui").click()
    expect(widget.log.get_by_text("Merci pour votre avis.")).to_be_visible()
    widget.log.evaluate("e => { e.scrollTop = e.querySelector('.msg-user').offsetTop - 8; }")
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / "screenshot.png"))
