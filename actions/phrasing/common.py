"""Sentences and labels shared by the live answers; names from the backend made safe to show."""

from __future__ import annotations

import html
import re
from datetime import date, datetime

from bot.ent import results as r

# --- common sentences ---------------------------------------------------------
NO_TOKEN = (
    "Pour répondre à cette question, j'ai besoin de savoir qui vous êtes : connectez-vous à l'ENT "
    "et ouvrez l'assistant depuis le portail. Je peux en revanche répondre dès maintenant à vos "
    "questions générales sur la rentrée et sur EduConnect."
)
TOKEN_INVALID = (
    "Je n'ai pas pu vérifier votre connexion à l'ENT : je vous réponds donc comme à une personne "
    "non connectée. Reconnectez-vous à l'ENT puis rouvrez l'assistant pour cette question ; les "
    "questions générales restent possibles."
)
TOKEN_EXPIRED = (
    "Votre session ENT a expiré. Reconnectez-vous à l'ENT puis rouvrez l'assistant pour que je "
    "puisse répondre à cette question ; les questions générales restent possibles."
)
REFUSED = (
    "Je suis désolé, je ne peux pas vous donner cette information : elle n'est pas accessible "
    "avec votre profil. Pour toute question, rapprochez-vous de la direction de l'école."
)
UNAVAILABLE = (
    "Je n'arrive pas à consulter l'ENT pour le moment. Réessayez dans quelques instants ; en "
    "attendant, je peux répondre à vos questions générales sur la rentrée et sur EduConnect."
)
ASK_CLASS = "De quelle classe s'agit-il ?"
ASK_CLASS_LEVEL = "Plusieurs classes comprennent le niveau {level} : laquelle ?"
NO_CLASS = "Je ne trouve aucune classe pour cette année dans l'ENT de votre école."
CLASS_NOT_FOUND = "Je ne trouve pas cette classe parmi celles de votre école cette année."
CLASS_GIVE_UP = (
    "Je n'ai pas réussi à identifier la classe. Reposez votre question en précisant le niveau, "
    "par exemple : « la classe de CE1 a-t-elle des élèves ? »"
)
ASK_PARENT = "De quel parent s'agit-il ? Écrivez son nom (et son prénom si possible)."
ASK_PARENT_CHOICE = "Plusieurs parents de votre école correspondent : lequel ?"
PARENT_NOT_FOUND = "Je ne trouve aucun parent de votre école à ce nom."
PARENT_GIVE_UP = (
    "Je n'ai pas réussi à identifier le parent. Reposez votre question avec son nom, par exemple : "
    "« comment le parent Dupont a-t-il activé son compte EduConnect ? »"
)
STOPPED = "D'accord, je laisse cette question de côté."
INFORM_ALONE = (
    "Que souhaitez-vous savoir ? Par exemple : « la classe de CP a-t-elle des élèves ? », « comment "
    "le parent Dupont a-t-il activé son compte EduConnect ? » ou « où en est la bascule pour mon école ? »"
)

FORGOT_LOGIN = (
    "https://moncompte.educonnect.education.gouv.fr/educt-self-service/oubliLogin/recupererLoginResponsable"
)
FORGOT_PASSWORD = "https://moncompte.educonnect.education.gouv.fr/educt-self-service/oubliMdp/recupererMotDePasseResponsable"

MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]
FEED_LABELS = {
    "enseignants_personnels": "« enseignants – personnels »",
    "eleves_parents": "« élèves – parents »",
    "structures_classes": "« structures – classes »",
}
OUTCOME_LABELS = {"ok": "réussie", "partiel": "partielle", "erreur": "en erreur"}
PROFILE_LABELS = {
    "parent": "parent",
    "invite": "invité",
    "personnel": "personnel",
    "enseignant": "enseignant",
    "directeur": "direction",
    "eleve": "élève",
}
_MARKDOWN = re.compile(r"([\\`*_\[\]#|])")


def safe(text: str | None) -> str:
    """A name from the backend, made harmless for HTML and Markdown rendering."""
    return _MARKDOWN.sub(r"\\\1", html.escape(text or "", quote=False))


def french_date(value: date | datetime | None) -> str:
    """'3 septembre 2025' (or 1er)."""
    if value is None:
        return ""
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {MONTHS[value.month - 1]} {value.year}"


def join_names(names: tuple[str, ...] | list[str]) -> str:
    """'A', 'A et B', 'A, B et C' (names made safe)."""
    items = [safe(n) for n in names]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " et " + items[-1]


def class_button_title(ref: r.ClassRef, several_schools: bool) -> str:
    """Button title for a class."""
    title = ref.label
    return f"{title} ({ref.school_name})" if several_schools else title


def parent_button_title(ref: r.ParentRef) -> str:
    """Button title for a parent: name and children, to tell namesakes apart."""
    if ref.children:
        return f"{ref.display_name} — parent de {', '.join(ref.children)}"
    return ref.display_name
