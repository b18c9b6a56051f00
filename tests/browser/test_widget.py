"""The widget's own behaviour, against a scripted fake Rasa (no trained model needed)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from portal.guard import COOKIE, MESSAGES, NO_REPLY
from tests.browser.widget import Widget, feedback_rows

pytestmark = pytest.mark.browser

CONTRAST = """() => {
  const lum = (c) => { const v = c.match(/[\\d.]+/g).slice(0, 3).map(Number).map((x) => x / 255)
      .map((x) => (x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4));
    return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
  const bg = (e) => { for (; e; e = e.parentElement) { const c = getComputedStyle(e).backgroundColor;
      if (!c.startsWith('rgba(0, 0, 0, 0)') && c !== 'transparent') return c; } return 'rgb(255, 255, 255)'; };
  const ratio = (e) => { const a = lum(getComputedStyle(e).color), b = lum(bg(e));
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05); };
  const sel = '#chat-panel h2, #chat-status, .msg-body, .quick-reply, .feedback-question, .feedback-vote, '
    + '#chat-input, #chat-send, .chat-tool, #chat-launcher, #identity-state, .mode p, .card p';
  return [...document.querySelectorAll(sel)].map((e) => [e.className || e.id, ratio(e)]).filter(([, r]) => r < 4.5);
}"""


@pytest.fixture
def widget(page, fake_stack) -> Widget:
    return Widget(page, fake_stack.url).goto()


def test_development_mode_is_stated_and_the_token_reaches_the_assistant(widget, page):
    expect(page.locator(".mode-dev")).to_contain_text("Mode développement")
    widget.sign_in("directeur.papillons")
    expect(page.locator("#identity-state")).to_contain_text("Isabelle Roussel")
    widget.open()
    assert "jeton : oui" in widget.ask("live")
    widget.sign_in("")  # another person: a new conversation, without a token
    expect(widget.log.locator(".msg-user")).to_have_count(0)
    assert "jeton : non" in widget.ask("live")


def test_markdown_is_rendered_and_html_from_the_bot_stays_text(widget, page):
    widget.open()
    widget.ask("markdown")
    answer = widget.log.locator(".msg-bot").last
    expect(answer.locator("ol > li")).to_have_count(2)
    expect(answer.locator("ul > li")).to_have_count(2)
    expect(answer.locator("strong")).to_have_text("EduConnect")
    expect(answer.locator("li a")).to_have_count(0)  # the line after the list is its own paragraph
    link = answer.get_by_role("link")
    expect(link).to_have_attribute("href", "https://educonnect.education.gouv.fr/")
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    text = widget.ask("html")
    assert "<img src=x onerror=alert(1)>" in text and "<script>alert(2)</script>" in text
    expect(widget.log.locator("img, script, iframe")).to_have_count(0)
    expect(widget.log.locator("a[href^='javascript']")).to_have_count(0)
    page.wait_for_timeout(300)
    assert page.dialogs == []


def test_quick_reply_payload_is_sent_as_is_and_shown_by_its_title(widget):
    widget.open()
    widget.ask("qui suis-je")
    answer = widget.click_reply("Parent")
    assert widget.last_user_message() == "Parent"
    assert "Réponse pour un parent." in answer  # the fake answers only the exact payload
    expect(widget.log.get_by_role("button", name="Directeur")).to_have_count(0)  # used replies go away


def test_typing_indicator_while_waiting(widget, page):
    widget.open()
    widget.input.fill("une réponse lente")
    widget.input.press("Enter")
    expect(page.locator("#chat-typing")).to_have_text("L'assistant écrit…")
    expect(widget.log.locator(".msg-bot").last).to_contain_text("une réponse lente")
    expect(page.locator("#chat-typing")).to_have_text("")


def test_unreachable_assistant_then_reconnection(widget, fake_stack):
    widget.open()
    expect(widget.status).to_have_text("En ligne")
    fake_stack.stop_rasa()
    try:
        text = widget.ask("bonjour")
        assert "injoignable" in text
        expect(widget.status).to_have_attribute("data-state", "down")
        expect(widget.status).to_contain_text("injoignable")
        expect(widget.log.locator(".msg-user.msg-failed")).to_contain_text("Message non envoyé")
    finally:
        fake_stack.start_fake_rasa()
    expect(widget.status).to_have_text("En ligne", timeout=20_000)
    expect(widget.log).to_contain_text("Connexion rétablie.")
    answer = widget.click_reply("Renvoyer mon message")
    assert widget.last_user_message() == "bonjour"
    assert "Je n'ai pas compris : bonjour" in answer


def test_phone_sized_screen(page, fake_stack):
    page.set_viewport_size({"width": 375, "height": 667})
    widget = Widget(page, fake_stack.url).goto().open()
    box = widget.panel.bounding_box()
    assert (box["x"], box["y"], box["width"], box["height"]) == (0, 0, 375, 667)
    expect(page.locator("#chat-launcher")).to_be_hidden()
    assert "Je n'ai pas compris" in widget.ask("bonjour")
    page.keyboard.press("Escape")
    expect(page.locator("#chat-launcher")).to_be_focused()


def test_accessibility_basics(widget, page):
    widget.open()
    widget.ask("markdown")
    expect(widget.log).to_have_attribute("role", "log")
    expect(widget.log).to_have_attribute("aria-live", "polite")
    expect(widget.panel).to_have_attribute("aria-labelledby", "chat-title")
    expect(page.locator("#chat-launcher")).to_have_attribute("aria-expanded", "true")
    unnamed = page.evaluate(
        "() => [...document.querySelectorAll('button, input, select')].filter((e) => !(e.labels?.length"
        " || (e.getAttribute('aria-label') || e.textContent).trim())).map((e) => e.outerHTML)"
    )
    assert unnamed == []
    assert page.evaluate(CONTRAST) == []
    page.keyboard.press("Shift+Tab")  # keyboard focus is visible
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineWidth")
    assert float(outline.removesuffix("px")) >= 2


def test_a_vote_is_stored_and_kept_across_reload(widget, page):
    widget.open()
    widget.ask("markdown")
    before = len(feedback_rows())
    widget.log.locator(".msg-bot").last.get_by_role("button", name="Oui").click()
    thanks = widget.log.get_by_text("Merci pour votre avis.")
    expect(thanks).to_be_focused()
    assert feedback_rows()[before:] == [("utter_faq/activer_compte", "markdown", "up")]
    page.reload()
    expect(widget.log.get_by_text("Merci pour votre avis.")).to_be_visible()
    expect(widget.log.get_by_role("button", name="Oui")).to_have_count(0)


def conversation_cookie(page) -> str:
    [value] = [c["value"] for c in page.context.cookies() if c["name"] == COOKIE]
    return value


def test_the_conversation_id_is_an_httponly_cookie_renewed_by_nouvelle_conversation(widget, page):
    widget.open()
    first = conversation_cookie(page)
    assert COOKIE not in page.evaluate("document.cookie")  # out of reach of scripts
    assert "sender" not in page.evaluate("sessionStorage.getItem('ent-assistant:v1')")
    page.get_by_role("button", name="Nouvelle conversation").click()
    expect(widget.log.locator(".msg-bot").first).to_be_visible()  # greeted again
    assert conversation_cookie(page) != first


def test_a_refused_message_is_explained_in_french(widget):
    widget.open()
    answer = widget.ask("bonjour\u202e à l'envers")
    assert MESSAGES["bad_characters"] in answer
    expect(widget.log.get_by_text("Message non envoyé")).to_be_visible()


def test_an_empty_answer_becomes_a_polite_message(widget):
    assert NO_REPLY in widget.open().ask("silence")


def test_too_many_messages_get_the_polite_429(widget, page):
    widget.open()
    statuses = page.evaluate(
        """async () => {
          const send = () => fetch("/api/chat", {method: "POST", headers: {"Content-Type": "application/json"},
                                                  body: JSON.stringify({message: "encore"})});
          return (await Promise.all(Array.from({length: 25}, send))).map((r) => r.status);
        }"""
    )
    assert 429 in statuses
    assert MESSAGES["rate_limited"] in widget.ask("et maintenant ?")
