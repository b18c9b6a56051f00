"""The context a follow-up refers to, and the words that make a short reply a follow-up.

Shared by the NLU (bot/nlu_followup.py: which intent a reply has after an answer) and the
action server (actions/followup.py: what to say then). Both read the conversation's events as
Rasa serialises them (dicts), so one function finds the last answer for both.
"""

from __future__ import annotations

import re
from typing import Any

from bot.followup_topics import NEXT_STEP
from bot.nlu import FALLBACK_INTENT, RETRIEVAL_INTENT, Parsed, answer_key, chosen_answer
from bot.text import fold

SLOT = "last_answer"  # the guide answer the last follow-up was answered about
ANSWER_ACTION = f"utter_{RETRIEVAL_INTENT}"
FOLLOWUP_ACTION = "action_followup"
# A follow-up refers to an answer of the last few turns, not to one long ago.
MAX_TURNS_BACK = 3

STILL_FAILING = "still_failing"
FOLLOWUP_ROLE = "followup_role"
SCHOOL_CHANGE = "followup_school_change"
COMPLAINT = "complaint"
FOLLOWUP_INTENTS = frozenset({STILL_FAILING, FOLLOWUP_ROLE, SCHOOL_CHANGE, COMPLAINT})
NEIGHBOURS_INTENT = "hors_champ"  # a neighbouring topic, declined
OUT_OF_SCOPE_INTENT = "out_of_scope"  # not our field, declined
# An answer or a decline the two models' blend gives below this is a doubtful reading (it
# answers from 0.2 when both models put it first, bot/nlu_second_opinion.py): for a reply
# after an answer, it counts as the fallback it nearly was (chosen in docs/measuring.md).
UNSURE_BELOW = 0.3
UNSURE_READINGS = (RETRIEVAL_INTENT, NEIGHBOURS_INTENT, OUT_OF_SCOPE_INTENT)
# Right after an answer, "not our field" below this is doubtful too: « le lien de
# réinitialisation ne m'arrive pas » after the password answer names no other service, and the
# model said out of scope at 0.62; « le bus ne passe plus » is sure (a round value, docs/measuring.md).
UNSURE_DECLINE_AFTER_ANSWER = 0.7
# The classifier's own threshold (config.yml, FallbackClassifier; a test keeps them equal): a
# follow-up intent read this surely that fell back only for a near tie with another reading.
AMBIGUOUS_FROM = 0.4

ROLE_WORDS = {
    "parent": re.compile(r"\b(parents?|papas?|mamans?|m[eè]res?|p[eè]res?|familles?)\b", re.I),
    "enseignant": re.compile(r"\b(enseignante?s?|profs?|professeure?s?|ma[iî]tre(sse)?s?|instit)", re.I),
    "directeur": re.compile(r"\b(directeur|directrice|directeurs|directrices|direction)\b", re.I),
}


def _user_answer_key(event: dict[str, Any]) -> str | None:
    """The guide answer a user event was given, from its parse (the answer key of `faq/<key>`)."""
    intent = (event.get("parse_data") or {}).get("intent") or {}
    return answer_key(intent.get("full_retrieval_intent_name"))


def context_answer(events: list[dict[str, Any]]) -> tuple[str | None, bool]:
    """(the guide answer the current message follows, whether its next step was already given).

    `events` end with the current user message (and what followed it in this turn). The answer
    is read from the bot's `utter_faq/<key>` message, or, where the bot message is not recorded
    (conversation tests), from the full retrieval intent of the message `utter_faq` answered.
    """
    users = 0
    key: str | None = None
    answered = False  # an `utter_faq` seen, its bot message not (yet) seen
    for event in reversed(events):
        kind = event.get("event")
        if kind == "user":
            if key is not None:  # the message that asked the follow-up which set the slot
                intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
                return key, intent == STILL_FAILING
            if answered and (found := _user_answer_key(event)):
                return found, False
            answered = False
            users += 1
            if users > MAX_TURNS_BACK:
                break
        elif users == 0 or key is not None:
            continue  # events of the current turn, after the message
        elif kind == "slot" and event.get("name") == SLOT and event.get("value"):
            key = str(event["value"])
        elif kind == "action" and event.get("name") == ANSWER_ACTION:
            answered = True
        elif kind == "bot":
            action = (event.get("metadata") or {}).get("utter_action") or ""
            if action.startswith(f"{ANSWER_ACTION}/"):
                return action[len(ANSWER_ACTION) + 1 :], False
    return key, False


def last_action(events: list[dict[str, Any]]) -> str | None:
    """The last action the assistant ran before the events' end (action_listen aside)."""
    for event in reversed(events):
        if event.get("event") == "action" and event.get("name") != "action_listen":
            return str(event.get("name"))
    return None


# --- the words of a follow-up, compared folded (lower case, no accents) -----------------------
# "toujours rien", "ça ne marche pas", "le blocage ne s'applique pas", "ça plante", "c'est
# toujours plein": what a person says when the step just given did not work.
FAILING = re.compile(
    r"\b(toujours|tjs|tjrs|tjr)\s+(pas|pa|rien|plus|aucun|bloque|refuse|plein|pareil|le\s+meme|la\s+meme|impossible)"
    r"|\b(ne|n')\s*(\S+\s+){1,3}?(toujours\s+|plus\s+)?(pas|rien|plus|jamais|aucun\w*)\b"
    r"|\b(marche|fonctionne|s'applique|peux|peut|arrive|trouve|vois|voit|recois|recoit)\s+(toujours\s+)?pas\b"
    r"|\brien\b|\baucun|\berreur|\bplante\b|\bbug|\bbeug|\brefus|\brejet|\bincorrect|\binvalide"
    r"|\bimpossible\b|\bbloque|\bgrise\b|\bencore\s+(que|bloque|refuse|rien|pas|le\s+meme|la\s+meme|une\s+erreur)\b|\b(dit|affiche|indique|met)\s+(encore|toujours)\b|\b(est|reste|toujours|encore|page)\s+vide\b|\binsuffisant|\bpage\s+blanche\b|\breste\s+blanche\b"
    r"|\bpareil\b|\bidem\b|\bmeme\s+(probleme|souci|chose|erreur)\b|\bsans\s+succes\b|\bechou|\bechec\b"
)
# "j'ai fait la manip mais ...", "je l'ai ajouté hier mais ...": the step was done.
DONE = re.compile(
    r"\bj'?ai\s+(bien\s+|deja\s+|tout\s+|meme\s+|pourtant\s+|encore\s+)?(?!une\b|que\b)\w+(e|es|i|is|it|u|us|ert)\b|\bje\s+l'ai\b|\bje\s+les\s+ai\b|\bc'est\s+fait\b|\bdeja\b|\bpourtant\b|\bm'avoir\b"
    r"|\bcomme\s+indique\b|\bapres\s+avoir\b|\bca\s+fait\s+(\d+|une?|deux|trois|plusieurs)\s+(minute|heure|jour|semaine)"
    r"|\bdepuis\s+(\d+|une?|deux|trois|plusieurs|hier|ce\s+matin|ce\s+midi|lundi|la\s+semaine)"
)
# « génial, je n'avais pas vu le bouton, merci » : it worked.
THANKS = re.compile(
    r"\bmerci\b|\bgenial\b|\bparfait\b|\bnickel\b|\bc'est\s+bon\b|\bresolu\b"
    r"|\b(ca|sa)\s+(marche|fonctionne)\b(?!\s+(pas|toujours|plus|tjs|tjr|tjrs|pa)\b)"
)
# "toujours", "rien", "comme indiqué", "ça fait une semaine": the failure persists after the step.
STILL = re.compile(
    r"\b(toujours|tjs|tjrs|tjr|rien|aucun\w*|encore|pourtant|mais)\b|\bcomme\s+indique\b"
    r"|\bca\s+fait\s+(\d+|une?|deux|trois|plusieurs)\s+(minute|heure|jour|semaine)"
    r"|\bdepuis\s+(\d+|une?|deux|trois|plusieurs|hier|ce\s+matin|ce\s+midi|lundi|la\s+semaine)"
)
# "que faire ?", "comment ...", "je veux ...": a question of its own.
QUESTION = re.compile(
    r"\?|^\s*(quand|comment|pourquoi|ou)\b"
    r"|\b(que\s+faire|est-ce|je\s+veux|je\s+voudrais|faut-il|dois-je|comment\s+(faire|on|je))\b"
)
# "et pour un enseignant ?", "et les profs ?", "et si c'est une enseignante ?"
FOLLOWS_ON = re.compile(r"^\s*(et|mais|ok\s+et|d'accord\s+et)\b")
# "et pour un enfant qui n'est pas le mien ... ?": another subject, so a new question.
NEW_SUBJECT = re.compile(
    r"^\s*((et|mais)\s+(pour|concernant|quant|au\s+sujet|a\s+propos)|au\s+fait|autre\s+question|sinon|par\s+ailleurs)\b"
)
# "les enseignants aussi ?", "pareil pour les maîtresses ?": the same question, another role.
SAME_FOR = re.compile(r"\baussi\b|\bpareil\b|\bdu\s+cote\s+des?\b")
# ... and with these words (« un parent peut lui aussi ... ? », « y a l'équivalent pour les
# instituteurs ? »), up to SHORT_ROLE_WORDS.
SAME_FOR_STRONG = re.compile(
    r"\b(lui|elle|eux|elles)\s+aussi\b|\bequivalent\b|\bde\s+meme\b|\bmeme\s+chose\b|\bcomme\s+ca\b"
)
# "et si je change d'école ?", "et si j'obtiens ma mutation ?" (not "... au collège": its own topic)
SCHOOL_CHANGE_WORDS = re.compile(
    r"\bchang\w*\s+(d'|de\s+)?(ecole|etablissement)\b|\bmutation\b|\bmute\b|\bdemenag\w*"
    r"|\b(autre|nouvelle)\s+(ecole|ville|commune|region|academie)\b|\bquitt\w*\s+(l'|cette\s+|mon\s+|son\s+)?ecole\b"
)
# "vous êtes nuls", "c'est inutile" (not "est-il inutile de garder ...?": a question).
COMPLAINT_WORDS = re.compile(
    r"\bser(s|t|vez|vent)\s+(strictement\s+|absolument\s+|vraiment\s+)?a\s+rien\b|\bnul\s+nul\b"
    r"|\b(est|es|etes|c'est|vraiment|completement|totalement|trop|tellement)\s+(nul(le)?s?|inutiles?)\b"
    r"|\bn'importe\s+quoi\b|\bperte\s+de\s+temps\b|\btemps\s+perdu\b|\ben\s+rond\b"
    r"|\ba\s+cote\s+de\s+la\s+plaque\b|\bras\s+le\s+bol\b|\bj'en\s+ai\s+marre\b"
)
# "un enfant d'une autre famille": another person, not a role asked about.
ANOTHER_PERSON = re.compile(r"\bautres?\s+(famille|parent|enseignant|eleve|enfant)")
SHORT_FOLLOWUP_WORDS = 30  # a follow-up is a reply, not a new question with all its context
SHORT_ROLE_WORDS = 16  # "et pour les profs ?" is short; a longer question naming a role is a question
SHORT_SAME_FOR_WORDS = 8  # "les enseignants aussi ?" without "et": shorter still


def word_count(text: str) -> int:
    """The words of a message (punctuation marks aside)."""
    return sum(1 for word in text.split() if any(char.isalnum() for char in word))


def roles_named(text: str) -> list[str]:
    """The roles a message names by their words (a parent, a teacher, a director)."""
    return [role for role, pattern in ROLE_WORDS.items() if pattern.search(text)]


def same_topic(key: str | None, context: str) -> bool:
    """Whether answer `key` is the context's answer, or one with the same next step."""
    if key is None:
        return False
    return key == context or (context in NEXT_STEP and NEXT_STEP.get(key) == NEXT_STEP[context])


def model_reading(parse: Parsed, just_answered: bool = False) -> tuple[str | None, str | None]:
    """The model's reading of a message for `followup_intent`: (intent, guide answer key).

    A doubtful answer or decline counts as the fallback it nearly was; right after an answer
    (`just_answered`), a half-sure "not our field" too.
    """
    intent = parse.get("intent") or {}
    name = intent.get("name")
    confidence = float(intent.get("confidence") or 0.0)
    if name in UNSURE_READINGS and confidence < UNSURE_BELOW:
        return FALLBACK_INTENT, None
    if name == OUT_OF_SCOPE_INTENT and just_answered and confidence < UNSURE_DECLINE_AFTER_ANSWER:
        return FALLBACK_INTENT, None
    if name == FALLBACK_INTENT and just_answered:
        # right after an answer, a near tie between a follow-up (« c'est pénible, aucune réponse
        # utile »: a complaint at 0.44, a guide answer at 0.43) and anything else is the follow-up
        ranked = [item for item in parse.get("intent_ranking") or [] if item.get("name") != FALLBACK_INTENT]
        first = ranked[0] if ranked else {}
        if first.get("name") in FOLLOWUP_INTENTS and float(first.get("confidence") or 0.0) >= AMBIGUOUS_FROM:
            return str(first["name"]), None
    return name, chosen_answer(parse)[0] if name == RETRIEVAL_INTENT else None


def reply_in_context(
    text: str, parse: Parsed, context: str | None, just_answered: bool = False
) -> str | None:
    """The follow-up intent message `text` parsed as `parse` has in context, or None to keep the reading.

    `context` and `just_answered` as for `followup_intent`.
    """
    intent, key = model_reading(parse, just_answered)
    followup = followup_intent(text, intent, key, context, just_answered)
    read = (parse.get("intent") or {}).get("name")
    if followup is None and context is not None and intent in FOLLOWUP_INTENTS and intent != read:
        return intent  # a follow-up the model nearly read, taken in context
    return followup


def followup_intent(
    text: str, intent: str | None, key: str | None, context: str | None, just_answered: bool = False
) -> str | None:
    """The follow-up intent a message has in context, or None to keep what the model read.

    `intent` and `key` are the model's reading (the intent, and the guide answer for `faq`);
    `context` is the guide answer the message follows (None: no recent answer);
    `just_answered`: the assistant's last turn was that answer or its follow-up (not a question,
    so a "non" is not the answer to one).
    """
    folded = fold(text)
    words = word_count(folded)
    if words > SHORT_FOLLOWUP_WORDS:
        return None
    if COMPLAINT_WORDS.search(folded) and intent != COMPLAINT:
        return COMPLAINT
    if context is None or intent in FOLLOWUP_INTENTS:
        return None
    follows_on = FOLLOWS_ON.search(folded) is not None
    if follows_on and SCHOOL_CHANGE_WORDS.search(folded) and "college" not in folded:
        return SCHOOL_CHANGE
    # « les codes sont refusés eux aussi »: a failure, not another role's question
    failing = FAILING.search(folded) is not None
    strong = follows_on or (SAME_FOR_STRONG.search(folded) is not None and not failing)
    same_for = (strong and words <= SHORT_ROLE_WORDS) or (
        SAME_FOR.search(folded) is not None and words <= SHORT_SAME_FOR_WORDS and not failing
    )
    one_role = len(roles_named(folded)) == 1 and not ANOTHER_PERSON.search(folded)
    if same_for and one_role and intent != "inform_role":
        return FOLLOWUP_ROLE
    if NEW_SUBJECT.search(folded) or THANKS.search(folded):
        return None
    done = DONE.search(folded) is not None
    if intent == RETRIEVAL_INTENT and key == context and done:
        return STILL_FAILING  # "j'ai redemandé le code 3 fois": the answer just given, done
    if not failing:
        return None
    persists = STILL.search(folded) is not None
    fell_back = intent == FALLBACK_INTENT and (persists or not QUESTION.search(folded))
    # the answer just given again, or one with the same next step unless asked as a new question
    repeated = intent == RETRIEVAL_INTENT and (
        key == context or (same_topic(key, context) and (persists or not QUESTION.search(folded)))
    )
    done_answer = done and persists and intent in (RETRIEVAL_INTENT, NEIGHBOURS_INTENT)
    if fell_back or (intent == "deny" and just_answered) or repeated or done_answer:
        return STILL_FAILING
    return None
