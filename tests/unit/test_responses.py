"""Domain consistency (covidflow style): the responses the actions send exist, and every one is said."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from bot.knowledge_data import DOMAIN
from bot.paths import ROOT
from tools.validate import ignore_unused_warnings, names_in_code, names_sent_by_code

# Where rules and test conversations name an utterance.
DIALOGUES = ("data/rules", "data/stories", "tests/conversations")
ACTION_STEP = re.compile(r"^\s*-?\s*action:\s*(utter_[a-z0-9_]+)\s*$", re.M)


def domain_response_names() -> set[str]:
    """The responses of domain.yml (the guide's answers `utter_faq/...` live in data files)."""
    return set((yaml.safe_load(DOMAIN.read_text(encoding="utf-8")) or {}).get("responses") or {})


def names_in_dialogues() -> set[str]:
    """The utterances rules, stories and test conversations run."""
    return {
        name
        for folder in DIALOGUES
        for path in sorted((ROOT / folder).rglob("*.yml"))
        for name in ACTION_STEP.findall(path.read_text(encoding="utf-8"))
    }


def test_every_response_the_code_sends_is_in_the_domain() -> None:
    known = domain_response_names()
    missing = {file: sorted(names - known) for file, names in names_sent_by_code().items() if names - known}
    assert missing == {}


def test_every_response_of_the_domain_is_said_somewhere() -> None:
    used = set().union(*names_sent_by_code().values()) | names_in_dialogues()
    assert sorted(domain_response_names() - used) == []


def test_the_checks_see_a_response_in_code_and_in_a_rule(tmp_path: Path) -> None:
    code = tmp_path / "sample.py"
    code.write_text('x = "utter_live_stopped"\ny = f"utter_{x}"\nz = "utter_faq/key"\n', encoding="utf-8")
    assert names_in_code(code) == {"utter_live_stopped"}
    rule = "- rule: r\n  steps:\n  - intent: greet\n  - action: utter_greet\n"
    assert ACTION_STEP.findall(rule) == ["utter_greet"]


def test_the_responses_the_actions_fill_get_their_variables() -> None:
    """A `{variable}` of a response is one the code gives (a typo would show the braces)."""
    responses = (yaml.safe_load(DOMAIN.read_text(encoding="utf-8")) or {}).get("responses") or {}
    variables = {
        name: set(re.findall(r"{([^\n{}]+?)}", variation.get("text") or ""))
        for name, variations in responses.items()
        for variation in variations
    }
    expected = {
        "utter_role_noted": {"as_role"},
        "utter_role_from_token": {"label"},
        "utter_for_role": {"label"},
        "utter_same_for_role": {"label"},
        "utter_which_question": {"label"},
        "utter_school_change_both": {"teacher", "parent"},
        "utter_handoff_offer_to_school": {"school"},
        "utter_handoff_sent_to_school": {"id", "school"},
        "utter_handoff_sent_to_erun": {"id"},
        "utter_handoff_already_sent": {"id"},
        "utter_staff_closed": {"id"},
        "utter_staff_close_refused": {"id"},
        "utter_live_which_class_level": {"level"},
    }
    assert {name: found for name, found in variables.items() if found} == expected


def test_make_validate_hides_only_the_warnings_of_responses_sent_by_code() -> None:
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ignore_unused_warnings({"utter_live_stopped"})
        for name in ("utter_live_stopped", "utter_live_stopped_not_sent"):
            warnings.warn(
                f"The utterance '{name}' is not used in any story or rule.", UserWarning, stacklevel=1
            )
    assert [str(w.message) for w in caught] == [
        "The utterance 'utter_live_stopped_not_sent' is not used in any story or rule."
    ]
