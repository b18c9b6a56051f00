"""`make report` on a small synthetic history written by Rasa's own SQL tracker store."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from tools.measure import report

FALLBACK = [
    "quel est le menu de la cantine demain",
    "Quel est le menu de la cantine demain ?",
    "le menu cantine de demain svp",
    "mes notes sur pronote",
    "voir les notes de pronote",
    "je suis Marc Lefebvre, appelez moi au 06 12 34 56 78 ou marc.lefebvre@example.org",
]


def test_group_similar_groups_and_counts_deterministically() -> None:
    groups = report.group_similar(FALLBACK)
    assert [len(g) for g in groups] == [3, 2, 1]
    assert set(groups[0]) == set(FALLBACK[:3])
    assert set(groups[1]) == set(FALLBACK[3:5])
    shuffled = FALLBACK[:]
    random.Random(1).shuffle(shuffled)
    assert [sorted(g) for g in report.group_similar(shuffled)] == [sorted(g) for g in groups]
    assert report.group_similar([]) == []


def test_votes_by_answer_sorts_by_most_thumbs_down() -> None:
    votes = [
        {"answer_key": "a", "vote": "down", "question": "q"},
        {"answer_key": "b", "vote": "down", "question": None},
        {"answer_key": "b", "vote": "down", "question": "r"},
        {"answer_key": "b", "vote": "up", "question": None},
        {"answer_key": "c", "vote": "up", "question": None},
    ]
    ranked = report.votes_by_answer(votes)
    assert [(v["answer"], v["down"], v["up"]) for v in ranked] == [("b", 2, 1), ("a", 1, 0), ("c", 0, 1)]


def _user(
    text: str,
    intent: str,
    confidence: float,
    answer: str | None = None,
    answer_confidence: float = 0.0,
    timestamp: float = 1_760_000_000.0,
):
    from rasa.shared.core.events import UserUttered

    parse = {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "intent_ranking": [{"name": intent, "confidence": confidence}],
        "entities": [],
    }
    if answer:
        parse["response_selector"] = {  # a ResponseSelector without retrieval_intent answers under "default"
            "default": {
                "response": {"intent_response_key": f"faq/{answer}", "confidence": answer_confidence},
                "ranking": [],
            }
        }
    return UserUttered(text, parse["intent"], [], parse_data=parse, timestamp=timestamp)


@pytest.fixture
def history(tmp_path: Path) -> Path:
    """A SQLite tracker store with a few conversations, written by Rasa itself."""
    import asyncio

    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.events import ActionExecuted, BotUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    path = tmp_path / "conversations.db"
    store = SQLTrackerStore(dialect="sqlite", db=str(path))
    conversations = {
        "alice@example.org": [
            _user(FALLBACK[0], "out_of_scope", 0.8),
            ActionExecuted("utter_out_of_scope"),
            BotUttered("..."),
            _user(FALLBACK[5], "nlu_fallback", 0.3),
            ActionExecuted("action_did_you_mean"),
            _user("comment activer mon compte educonnect", "faq", 0.99, "activer_educonnect", 0.97),
            ActionExecuted("utter_faq"),
        ],
        "bob": [
            _user(FALLBACK[1], "out_of_scope", 0.7),
            ActionExecuted("utter_out_of_scope"),
            _user(FALLBACK[3], "nlu_fallback", 0.2),
            ActionExecuted("action_did_you_mean"),
            _user("ma fille Chloé Dubois ne voit pas sa classe", "faq", 0.9, "classes_manquantes", 0.31),
            ActionExecuted("utter_faq"),
            _user("/greet", "greet", 1.0),
            ActionExecuted("utter_greet"),
        ],
    }

    async def save() -> None:
        for sender, events in conversations.items():
            await store.save(DialogueStateTracker.from_events(sender, events))

    asyncio.run(save())
    store.engine.dispose()
    return path


def test_read_turns_from_rasa_tracker_store(history: Path) -> None:
    turns = report.read_turns(report.database_url(str(history)))
    assert len(turns) == 7
    by_text = {t.text: t for t in turns}
    assert by_text[FALLBACK[0]].outcome == "out of scope"
    assert by_text[FALLBACK[3]].outcome == "fallback"
    faq = by_text["ma fille Chloé Dubois ne voit pas sa classe"]
    assert (faq.outcome, faq.answer, faq.confidence, faq.label) == (
        "answered",
        "classes_manquantes",
        0.31,
        "faq/classes_manquantes",
    )
    assert not by_text["/greet"].typed


def test_report_groups_counts_and_masks_personal_data(history: Path) -> None:
    turns = report.read_turns(report.database_url(str(history)))
    feedback = [
        {
            "answer_key": "classes_manquantes",
            "vote": "down",
            "question": "Chloé Dubois ne voit pas sa classe, joignable au 06 11 22 33 44",
        },
        {"answer_key": "classes_manquantes", "vote": "up", "question": None},
    ]
    vocabulary = report.assistant_vocabulary()

    def masker(text: str) -> str:
        return report.mask(text, vocabulary=vocabulary, names={"Dubois"})

    text = report.build(turns, feedback, masker, {"tracker": "t", "feedback": "f"}, days=None)
    for personal in ("Marc", "Lefebvre", "06 12", "06 11", "example.org", "Chloé", "Dubois", "alice"):
        assert personal not in text
    assert "[nom]" in text and "[téléphone]" in text and "[e-mail]" in text
    assert "| 1 | 2 | « quel est le menu de la cantine demain »" in text  # two messages, one group
    assert "2 conversations, 6 typed messages" in text
    assert "| 0.31 | « ma fille [nom] ne voit pas sa classe » |" in text
    assert "| 1 | 1 | 50 % |" in text  # one 👎 and one 👍 on that answer


def test_report_on_an_empty_history_says_so(tmp_path: Path) -> None:
    out = tmp_path / "report.md"
    status = report.main(
        ["--tracker", str(tmp_path / "none.db"), "--ent-db", str(tmp_path / "none-ent.db"), "--out", str(out)]
    )
    assert status == 0
    assert "No conversation in the history yet." in out.read_text()


def test_the_report_reads_the_conversation_store_of_endpoints_yml(monkeypatch) -> None:
    from bot.conversation_store import URL_ENV, store_url

    monkeypatch.delenv(URL_ENV, raising=False)
    assert report.default_tracker() == store_url()
    assert report.default_tracker().endswith("var/conversations.db")
