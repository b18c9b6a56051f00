"""The widget's accessibility against the scripted fake Rasa: focus, target sizes, zoom, pastes, labels."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.widget import Widget

pytestmark = pytest.mark.browser

INSIDE = "() => document.getElementById('chat-panel').contains(document.activeElement)"


@pytest.mark.parametrize("size", [{"width": 375, "height": 667}, {"width": 595, "height": 335}])
def test_focus_stays_in_the_chat_while_it_covers_the_page(page, fake_stack, size):
    """A phone, and a 1280 x 720 desktop at 215 % zoom: Tab and Shift+Tab go round inside."""
    page.set_viewport_size(size)
    widget = Widget(page, fake_stack.url).goto().open()
    widget.ask("markdown")  # a link and feedback buttons in the log
    expect(widget.panel).to_have_attribute("aria-modal", "true")
    for key in ["Tab"] * 12 + ["Shift+Tab"] * 12:
        page.keyboard.press(key)
        assert page.evaluate(INSIDE), key


def test_focus_may_leave_the_chat_when_it_does_not_cover_the_page(widget_page):
    widget, page = widget_page
    expect(widget.panel).to_have_attribute("aria-modal", "false")
    left = False
    for _ in range(25):
        page.keyboard.press("Tab")
        left = left or not page.evaluate(INSIDE)
    assert left


@pytest.fixture
def widget_page(page, fake_stack):
    page.set_viewport_size({"width": 1280, "height": 800})
    return Widget(page, fake_stack.url).goto().open(), page


def test_targets_are_at_least_24_pixels(widget_page):
    widget, page = widget_page
    widget.ask("markdown")
    for selector in [".feedback-vote", "#chat-reset", "#chat-close"]:
        for box in [e.bounding_box() for e in page.locator(selector).all()]:
            assert box["height"] >= 24 and box["width"] >= 24, (selector, box)
    page.set_viewport_size({"width": 375, "height": 667})
    box = page.locator("#chat-close").bounding_box()
    assert box["height"] >= 24 and box["width"] >= 24


def test_thumbs_down_offers_a_rephrase_or_a_person(widget_page):
    widget, _ = widget_page
    widget.ask("markdown")
    widget.log.locator(".msg-bot").last.get_by_role("button", name="Non").click()
    expect(widget.log.get_by_text("Vous pouvez reformuler votre question")).to_be_visible()
    widget.log.get_by_role("button", name="Reformuler ma question").click()
    expect(widget.input).to_be_focused()
    expect(widget.input).to_have_attribute("placeholder", "Reformulez votre question…")
    answer = widget.click_reply("Transmettre ma question à une personne")
    assert "Une personne peut prendre le relais" in answer
    assert widget.last_user_message() == "Cette réponse ne m'aide pas"
    expect(
        widget.log.get_by_role("button", name="Transmettre ma question à la direction de l'école")
    ).to_be_visible()
    expect(widget.log.get_by_role("button", name="Reformuler ma question")).to_have_count(0)


def test_a_paste_longer_than_2000_characters_is_announced(widget_page):
    widget, page = widget_page
    notice = page.locator("#chat-notice")
    expect(notice).to_be_hidden()
    widget.input.focus()
    page.evaluate(
        """() => { const data = new DataTransfer(); data.setData('text/plain', 'a'.repeat(2500));
           document.getElementById('chat-input').dispatchEvent(
             new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true})); }"""
    )
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("seuls les 2 000 premiers ont été gardés")
    expect(notice).to_have_attribute("role", "status")


def test_a_message_sent_while_an_answer_is_pending_is_kept_and_explained(widget_page):
    widget, page = widget_page
    send = page.locator("#chat-send")
    before = widget.count()
    widget.input.fill("lent")
    widget.input.press("Enter")
    expect(send).to_have_attribute("aria-disabled", "true")
    expect(send).to_have_text("Patientez…")
    widget.input.fill("deuxième message")
    widget.input.press("Enter")
    expect(page.locator("#chat-notice")).to_contain_text("l'assistant répond encore")
    expect(widget.input).to_have_value("deuxième message")  # nothing lost
    widget.replied(before)
    expect(send).to_have_text("Envoyer")
    expect(send).to_have_attribute("aria-disabled", "false")
    expect(page.locator("#chat-notice")).to_be_hidden()


def test_one_banner_and_an_unclipped_focus_ring(widget_page):
    widget, page = widget_page
    assert page.locator("#chat-panel header").count() == 0  # the page's header is the only banner
    assert page.locator("header").count() == 1
    widget.input.focus()
    for _ in range(10):  # reach the log with the keyboard, as a person would
        page.keyboard.press("Shift+Tab")
        if page.evaluate("() => document.activeElement.id") == "chat-log":
            break
    assert page.evaluate("() => document.activeElement.id") == "chat-log"
    offset = page.evaluate(
        "() => parseFloat(getComputedStyle(document.getElementById('chat-log')).outlineOffset)"
    )
    width = page.evaluate(
        "() => parseFloat(getComputedStyle(document.getElementById('chat-log')).outlineWidth)"
    )
    assert width >= 2 and offset <= -width  # drawn inside the log: the panel's overflow cannot clip it


def test_at_400_percent_zoom_the_header_is_one_short_line(page, fake_stack):
    page.set_viewport_size({"width": 320, "height": 180})  # 1280 x 720 at 400 %
    widget = Widget(page, fake_stack.url).goto().open()
    header = page.locator(".chat-head").bounding_box()
    log = widget.log.bounding_box()
    assert header["height"] <= 40, header
    assert log["height"] >= 50, log


def test_nouvelle_conversation_asks_before_wiping_what_was_written(widget_page):
    widget, page = widget_page
    widget.ask("markdown")
    page.get_by_role("button", name="Nouvelle conversation").click()  # the page fixture dismisses it
    expect(widget.log.locator(".msg-user")).to_have_count(1)  # kept
    assert page.dialogs == ["Effacer cette conversation et en commencer une nouvelle ?"]
    page.evaluate("() => { window.confirm = () => true; }")  # the person says yes
    page.get_by_role("button", name="Nouvelle conversation").click()
    expect(widget.log.locator(".msg-user")).to_have_count(0)
    page.dialogs.clear()


def test_raw_addresses_get_a_readable_link_label(widget_page):
    widget, _ = widget_page
    widget.ask("markdown")
    link = widget.log.locator(".msg-bot a").last
    expect(link).to_have_attribute("href", "https://educonnect.education.gouv.fr/")
    expect(link).to_have_text("site educonnect.education.gouv.fr (nouvel onglet)")
