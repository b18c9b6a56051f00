"""Driving the chat widget like a person would, and reading what it stored."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select

from bot.ent import models as m
from bot.ent.db import session_factory, session_scope

ANSWERED = (
    "n => document.querySelectorAll('#chat-log .msg-bot, #chat-log .msg-info').length > n"
    " && !document.getElementById('chat-typing').classList.contains('on')"
)


class Widget:
    def __init__(self, page: Page, url: str) -> None:
        self.page = page
        self.url = url
        self.panel = page.locator("#chat-panel")
        self.log = page.locator("#chat-log")
        self.input = page.get_by_label("Votre message à l'assistant")
        self.status = page.locator("#chat-status")

    def goto(self) -> Widget:
        self.page.goto(self.url)
        return self

    def open(self) -> Widget:
        """Open the widget and wait for the greeting."""
        self.page.get_by_role("button", name="Assistant ENT").click()
        expect(self.panel).to_be_visible()
        expect(self.log.locator(".msg-bot").first).to_be_visible()
        return self

    def sign_in(self, login: str) -> None:
        """Pick a demo identity (development mode) and wait for its token."""
        self.page.select_option("#identity", login)
        self.page.get_by_role("button", name="Changer d'identité").click()
        state = "Connecté" if login else "Non connecté"
        expect(self.page.locator("#identity-state")).to_contain_text(state)

    def replied(self, before: int) -> Locator:
        """Wait for the answer to the message just sent; the new bot messages."""
        self.page.wait_for_function(ANSWERED, arg=before)
        return self.log.locator(".msg-bot, .msg-info").locator(f"nth={before}")

    def count(self) -> int:
        return self.log.locator(".msg-bot, .msg-info").count()

    def ask(self, text: str) -> str:
        """Type a message, send it with Enter, return the text of the replies."""
        before = self.count()
        self.input.fill(text)
        self.input.press("Enter")
        self.replied(before)
        return self.texts_since(before)

    def click_reply(self, title: str) -> str:
        """Click a quick-reply button; the text of the replies."""
        before = self.count()
        self.log.get_by_role("button", name=title).last.click()
        self.replied(before)
        return self.texts_since(before)

    def texts_since(self, before: int) -> str:
        return "\n".join(self.log.locator(".msg-bot, .msg-info").all_inner_texts()[before:])

    def last_user_message(self) -> str:
        return self.log.locator(".msg-user .msg-body").last.inner_text()


def feedback_rows() -> list[tuple[str, str | None, str]]:
    """(answer key, question, vote) of every stored vote, oldest first."""
    with session_scope(session_factory()) as session:
        rows = session.execute(select(m.Feedback).order_by(m.Feedback.id)).scalars()
        return [(row.answer_key, row.question, row.vote) for row in rows]
