"""Labels and helpers shared by the live answers; names from the backend made safe to show.

The fixed sentences (no token, refused, which class...) are domain responses (`utter_live_*`).
"""

from __future__ import annotations

import html
import re
from datetime import date, datetime

from bot.ent import results as r

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
# A role's label in « ({label}) », and « en tant que parent », « en tant qu'enseignant » (elision).
ROLE_LABELS = {"parent": "parent", "enseignant": "enseignant", "directeur": "directeur", "erun": "ERUN"}
ROLE_AS = {
    "parent": "que parent",
    "enseignant": "qu'enseignant",
    "directeur": "que directeur",
    "erun": "qu'ERUN",
}
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
