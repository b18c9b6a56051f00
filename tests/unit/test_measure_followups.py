"""The held-out follow-up conversations and their scoring (tools/measure/followups.py): no model, no process."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import yaml

from bot.paths import ROOT
from tools.measure import eval_report, followups

# failed_test_stories.yml as `rasa test core --e2e` writes it (Rasa 3.6): names quoted when they
# hold a colon, the source file appended, a `# predicted:` comment on each wrong step.
FAILED = """version: "3.1"
stories:
- story: 'sms code: nothing received (tests/heldout/conversations/test_followups.yml)'
  steps:
  - intent: faq/code_sms_non_recu
  - action: utter_faq
  - intent: still_failing  # predicted: nlu_fallback: rien reçu
  - action: action_followup
- story: a mother asks for a teacher (tests/heldout/conversations/test_followups.yml)
  steps:
  - intent: faq/identifiants_oublies
  - action: utter_faq
  - intent: inform_role  # predicted: inform_role: je suis la [maman]{"entity": "role", "value": "parent"}
  - action: action_set_role
  - intent: followup_role  # predicted: followup_role: et pour une [prof](role) ?
  - action: action_followup
- story: 'free space: opening misread (tests/heldout/conversations/test_followups.yml)'
  steps:
  - intent: faq/liberer_espace  # predicted: faq/quota_stockage: mon espace est plein
  - action: utter_faq  # predicted: action_default_fallback
  - action: action_listen  # predicted: action_default_fallback
  - intent: still_failing
  - action: action_followup
- story: 'l''action after it: wrong (tests/heldout/conversations/test_followups.yml)'
  steps:
  - intent: faq/bloquer_acces
  - action: utter_faq
  - intent: complaint
  - action: action_complaint  # predicted: action_did_you_mean
"""
NAMES = [
    "sms code: nothing received",
    "a mother asks for a teacher",
    "free space: opening misread",
    "l'action after it: wrong",
    "never failed",
]


def test_failed_stories_reads_names_and_keeps_the_comments() -> None:
    stories = followups.failed_stories(FAILED)
    assert list(stories) == NAMES[:4]
    assert any("# predicted: nlu_fallback" in line for line in stories[NAMES[0]])


def test_a_conversation_is_scored_on_its_follow_up_only() -> None:
    result = followups.score(NAMES, FAILED)
    assert result.conversations == 5
    # a wrong follow-up intent and a wrong action after the follow-up are misses; an entity
    # seen on the right intent is not; a misread opening is reported, not scored
    assert result.missed == ["sms code: nothing received", "l'action after it: wrong"]
    assert result.context_misread == ["free space: opening misread"]
    assert (result.right, result.rate) == (3, 0.6)


def test_no_failed_story_is_all_right_and_no_conversation_has_no_rate() -> None:
    assert followups.score(NAMES, "# None of the test stories failed - all good!").rate == 1.0
    assert followups.score([], "").rate is None


def test_measure_runs_rasa_once_in_e2e_and_checks_every_conversation_was_tested(tmp_path: Path) -> None:
    names = followups.story_names(followups.story_files())
    calls: list[tuple[str, bool]] = []

    def fake_run(stories: str, out: Path, e2e: bool = False) -> subprocess.CompletedProcess:
        calls.append((stories, e2e))
        out.mkdir(parents=True, exist_ok=True)
        total = len(names) - tested_fewer
        (out / "story_report.json").write_text(json.dumps({"conversation_accuracy": {"total": total}}))
        (out / "failed_test_stories.yml").write_text(
            f"stories:\n- story: '{names[0]} (x/test_a.yml)'\n"
            "  steps:\n  - intent: complaint  # predicted: greet: hi\n"
        )
        return subprocess.CompletedProcess([], 0, "", "")

    tested_fewer = 0
    figures = followups.measure(tmp_path / "a", fake_run)
    assert calls == [("tests/heldout/conversations", True)]
    assert figures["conversations"] == len(names) and figures["missed"] == [names[0]]
    assert figures["right"] == len(names) - 1
    tested_fewer = 3  # e.g. a file not named test_*.yml is silently skipped by Rasa
    assert "error" in followups.measure(tmp_path / "b", fake_run)


def test_the_report_has_the_line_and_the_goal() -> None:
    figures = followups.score(NAMES, FAILED).as_dict()
    line = followups.line(figures)
    assert "Follow-up conversations, held-out: **3/5 right (60.0 %)**" in line
    assert "missed: sms code: nothing received" in line
    assert followups.line({"conversations": 0, "error": "skipped"}).endswith("not run (skipped)")
    held = {"answer_accuracy": 0.95, "answer_in_candidates": 0.98, "confident_wrong_rate": 0.01}
    held["declined_rate"] = 0.95
    assert eval_report.goals(held, held, held, figures)["followups_at_least_90"] is False
    assert eval_report.goals(held, held, held, {"rate": 0.92})["followups_at_least_90"] is True
    assert "followups_at_least_90" not in eval_report.goals(held, held, held, None)
    assert "follow-ups ≥ 90 %" in eval_report.GOALS["followups_at_least_90"]


# --- the held-out set itself -------------------------------------------------------------------
def _normal(text: str) -> str:
    return re.sub(r"[^\w]+", " ", re.sub(r"\[([^\]]*)\][({][^)}]*[)}]", r"\1", text).lower()).strip()


def test_the_held_out_set_has_40_conversations_ending_with_a_follow_up_never_trained_on() -> None:
    files = followups.story_files()
    assert files and all(f.name.startswith("test_") for f in files)  # Rasa's --e2e reads only those
    stories = [s for f in files for s in yaml.safe_load(f.read_text(encoding="utf-8"))["stories"]]
    names = [s["story"] for s in stories]
    assert len(names) >= 40 and len(set(names)) == len(names)
    trained = set()
    for path in (ROOT / "data" / "nlu").glob("*.yml"):
        for item in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            trained |= {_normal(line.lstrip("- ")) for line in (item.get("examples") or "").splitlines()}
    intents = set()
    for story in stories:
        steps = story["steps"]
        last = max(i for i, step in enumerate(steps) if "user" in step)
        assert any("action" in step for step in steps[last:]), story["story"]
        assert _normal(steps[last]["user"]) not in trained, story["story"]
        intents.add(steps[last]["intent"])
    assert {"still_failing", "followup_role", "followup_school_change", "complaint"} <= intents


# --- tools/measure/rasa_in_context.py: each test text parsed with the conversation before it -----
async def test_the_conversation_test_parses_each_text_with_the_story_before_it() -> None:
    from rasa.shared.core.events import ActionExecuted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from tools.measure import rasa_in_context

    story = DialogueStateTracker.from_events(
        "story",
        [
            ActionExecuted("action_listen"),
            UserUttered("toujours rien", intent={"name": "faq"}),
            ActionExecuted("utter_faq"),
            ActionExecuted("action_listen"),
            UserUttered("toujours rien", intent={"name": "still_failing"}),
            ActionExecuted("action_followup"),
        ],
    )
    seen: list[list[str]] = []

    class Processor:
        async def parse_message(self, message, tracker=None, **more):  # type: ignore[no-untyped-def]
            seen.append([type(e).__name__ for e in tracker.events])
            return {}

    class Agent:
        processor = Processor()
        domain = None

    async def rasa_predict(tracker, agent, *args, **kwargs):  # type: ignore[no-untyped-def]
        """Rasa's loop in short: one parse per user text, without a tracker (rasa/core/test.py)."""
        from rasa.core.channels.channel import UserMessage

        for event in tracker.events:
            if isinstance(event, UserUttered):
                await agent.processor.parse_message(UserMessage(event.text))
        return "predicted"

    original = rasa_in_context._predict_tracker_actions
    rasa_in_context._predict_tracker_actions = rasa_predict
    try:
        agent = Agent()
        assert await rasa_in_context.predict_in_context(story, agent) == "predicted"  # type: ignore[arg-type]
    finally:
        rasa_in_context._predict_tracker_actions = original
    assert seen == [["ActionExecuted"], ["ActionExecuted", "UserUttered", "ActionExecuted", "ActionExecuted"]]
    assert "parse_message" not in vars(agent.processor), "the processor is given back its own method"


def test_the_eval_runs_conversation_tests_through_the_in_context_launcher(monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tools.measure import eval_runs

    commands: list[list[str]] = []
    monkeypatch.setattr(eval_runs.subprocess, "run", lambda command, **kwargs: commands.append(command))
    eval_runs.rasa_test_core("tests/heldout/conversations", tmp_path, e2e=True)
    assert commands[0][1:6] == ["-m", "tools.measure.rasa_in_context", "test", "core", "--model"]
    assert "--e2e" in commands[0]


def test_questions_asked_after_another_answer_are_counted_when_taken_for_follow_ups() -> None:
    def faq(key: str, confidence: float = 0.9) -> dict:
        response = {"intent_response_key": f"faq/{key}", "confidence": confidence}
        return {
            "intent": {"name": "faq", "confidence": confidence},
            "response_selector": {"faq": {"response": response}},
        }

    texts = ["rien reçu", "comment activer mon compte ?", "toujours rien", "le bus ne passe plus"]
    golds = ["faq/code_sms_non_recu", "faq/activer_educonnect", "still_failing", "out_of_scope"]
    parses = [
        {"intent": {"name": "nlu_fallback"}},
        faq("activer_educonnect"),
        {"intent": {"name": "still_failing"}},
        {"intent": {"name": "out_of_scope", "confidence": 0.9}},
    ]
    figures = followups.taken_after_other_answers(texts, golds, parses)
    contexts = len(followups_topics_keys())
    # the follow-up example is left out; each other question is read after every other answer
    assert figures["pairs"] == (contexts - 1) + (contexts - 1) + contexts
    assert figures["questions"] == ["rien reçu"] and figures["taken"] == contexts - 1
    assert "rien reçu" in followups.taken_line(figures)


def followups_topics_keys() -> list[str]:
    from bot.followup_topics import NEXT_STEP

    return sorted(NEXT_STEP)
