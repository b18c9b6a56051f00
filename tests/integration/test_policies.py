"""TED skips its model when a rule decides: the assistant's choices stay the same."""

from __future__ import annotations

import pytest
from rasa.shared.core.events import ActionExecuted

from bot import policies
from bot.identity import mint_token
from tests.helpers.chat import Chat
from tests.helpers.secret import TEST_SECRET

pytestmark = pytest.mark.model

DIRECTOR = {"ent_token": mint_token("directeur.papillons", "directeur", secret=TEST_SECRET)}
CONVERSATIONS: list[tuple[dict | None, list[str]]] = [
    (None, ["bonjour", "comment activer mon compte educonnect ?", "merci", "au revoir"]),
    (None, ["j'ai oublié mon mot de passe", '/inform_role{"role":"parent"}', "et la classe de mon fils ?"]),
    (None, ["azerty uiop", "qsdfg hjklm", "quel temps fait-il à Lille ?", "the weather in London?"]),
    (DIRECTOR, ["la classe a-t-elle déjà des élèves ?", "comment libérer de l'espace ?", "CE1"]),
    (
        DIRECTOR,
        [
            "comment un parent a-t-il activé son compte ?",
            "au revoir",
            "qui est dans le groupe Resp-Affect-GAR ?",
        ],
    ),
]


async def choices(agent, metadata: dict | None, texts: list[str]) -> list[tuple[str, str | None]]:
    """The actions the assistant ran in one conversation, with the policy that chose each."""
    chat = Chat(agent, metadata=metadata)
    for text in texts:
        await chat.say(text)
    tracker = await chat.tracker()
    return [(e.action_name, e.policy) for e in tracker.events if isinstance(e, ActionExecuted)]


@pytest.mark.parametrize(("metadata", "texts"), CONVERSATIONS)
async def test_skipping_ted_changes_no_choice(
    agent, metadata, texts, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = policies.RuleAwareTEDPolicy.skipped
    with_skip = await choices(agent, metadata, texts)
    assert policies.RuleAwareTEDPolicy.skipped > before, "no TED prediction was skipped"

    monkeypatch.setattr(policies._Decision, "taken_for", classmethod(lambda cls, tracker: False))
    without_skip = await choices(agent, metadata, texts)
    assert with_skip == without_skip
    assert any(policy and "RulePolicy" in policy for _, policy in with_skip)
