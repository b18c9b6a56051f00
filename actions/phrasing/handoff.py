"""Phrasing of the staff's open requests (« quelles demandes ai-je reçues ? ») from the stored requests."""

from __future__ import annotations

from actions.phrasing.common import safe
from bot.ent import results as r

RECEIVED_HEAD = "Vous avez {count} demande{s} en attente :"
CLOSE_HOW = "Quand une demande est traitée, dites-moi par exemple « la demande {id} est traitée »."
CLOSE_BUTTON = "La demande {id} est traitée"
ROLE_WORDS = {"parent": "parent", "enseignant": "enseignant", "directeur": "direction"}


def received(requests: list[r.HandoffInfo]) -> str:
    """The open requests, one paragraph each (questions as stored, masked; made harmless)."""
    lines = [RECEIVED_HEAD.format(count=len(requests), s="s" if len(requests) > 1 else "")]
    for item in requests:
        who = f"{safe(item.requester_name)} ({ROLE_WORDS.get(item.requester_role, item.requester_role)}, {safe(item.school_name)})"
        lines.append(f"- **Demande n° {item.id}**, le {item.created_at:%d/%m à %H:%M}, de {who} :")
        for question in item.questions:
            lines.append(f"  « {safe(question)} »")
        if item.note:
            lines.append(f"  Précision : « {safe(item.note)} »")
    lines.append(CLOSE_HOW.format(id=requests[0].id))
    return "\n".join(lines)
