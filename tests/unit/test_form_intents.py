"""The intents that interrupt a live form come from the domain, and each one has its rules."""

from collections import defaultdict

import yaml

from actions.forms import NOT_INTERRUPTIONS, OTHER_INTENTS
from bot.knowledge_data import domain_intents
from bot.paths import ROOT

FORMS = {"live_class_form": "live_class_pupils", "live_parent_form": "live_parent_activation"}


def rule_intents() -> tuple[dict[str, set[str]], set[str]]:
    """Intents that open a rule, by the form the rule's condition needs; and those of rules with no form."""
    in_form: dict[str, set[str]] = defaultdict(set)
    anywhere: set[str] = set()
    for path in sorted((ROOT / "data" / "rules").glob("*.yml")):
        for rule in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("rules", []):
            first = next((step["intent"] for step in rule.get("steps", []) if "intent" in step), None)
            loops = [c["active_loop"] for c in rule.get("condition", []) if "active_loop" in c]
            if first and loops:
                for loop in loops:
                    in_form[loop].add(first)
            elif first:
                anywhere.add(first)
    return in_form, anywhere


def test_every_intent_of_the_domain_is_classified_and_the_exceptions_exist():
    assert set(domain_intents()) >= NOT_INTERRUPTIONS
    assert set(domain_intents()) == OTHER_INTENTS | NOT_INTERRUPTIONS
    assert {"faq", "deny", "goodbye", "live_gar_group"} <= OTHER_INTENTS
    assert "live_inform" not in OTHER_INTENTS


def unhandled(interrupting: set[str]) -> dict[str, list[str]]:
    """Per form, the interrupting intents that no rule handles while the form waits."""
    in_form, anywhere = rule_intents()
    return {form: sorted(interrupting - {own} - in_form[form] - anywhere) for form, own in FORMS.items()}


def test_each_interrupting_intent_has_a_rule_for_each_form():
    assert unhandled(OTHER_INTENTS) == {form: [] for form in FORMS}, (
        "add the interruption rules, or list the intent in actions.forms.NOT_INTERRUPTIONS"
    )


def test_a_new_intent_without_rules_is_reported():
    assert unhandled(OTHER_INTENTS | {"ask_canteen_menu"}) == {form: ["ask_canteen_menu"] for form in FORMS}
