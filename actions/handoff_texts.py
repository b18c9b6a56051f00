"""French phrasing of the hand-off to a person and of the staff's live questions."""

from __future__ import annotations

from actions.phrasing.common import safe
from bot.ent import results as r

TO_DIRECTOR_BUTTON = "Transmettre ma question à la direction de l'école"
TO_ERUN_BUTTON = "Transmettre à l'ERUN de la circonscription"
NO_THANKS = "Non merci"
SEND_BUTTON = "Envoyer ma demande"
CANCEL_BUTTON = "Annuler"

NOT_FOUND = "Je n'arrive pas à trouver la réponse à votre question, désolé."
OFFER = {
    "directeur": (
        "Je peux transmettre votre question à l'ERUN (enseignant référent pour les usages du "
        "numérique) de la circonscription : il la lira et vous répondra en dehors de l'assistant."
    ),
    "erun": (
        "Pour une question que je ne couvre pas, rapprochez-vous de vos interlocuteurs habituels "
        "de la circonscription. Vous pouvez aussi me demander « quelles demandes ai-je reçues ? »."
    ),
}
OFFER_SCHOOL = (
    "Je peux transmettre votre question à la direction de l'école ({school}) : le directeur ou la "
    "directrice la lira et vous répondra par l'école, en dehors de l'assistant."
)
ANONYMOUS = (
    "Pour une réponse personnalisée, adressez-vous directement à l'école : au directeur ou à la "
    "directrice, qui pourra si besoin contacter l'ERUN de la circonscription. Si vous êtes "
    "connecté à l'ENT, ouvrez l'assistant depuis le portail : je pourrai alors transmettre votre "
    "question pour vous. Rien de ce que vous avez écrit n'a été transmis."
)
NOBODY = (
    "Je ne peux pas transmettre de question avec votre profil. Adressez-vous directement à la "
    "direction de l'école."
)
ASK_NOTE = {
    "directeur": "Souhaitez-vous ajouter une phrase pour l'ERUN ? Écrivez-la, ou envoyez votre demande telle quelle.",
    "default": "Souhaitez-vous ajouter une phrase pour la direction ? Écrivez-la, ou envoyez votre demande telle quelle.",
}
NOTE_ADDED = "C'est noté, votre phrase accompagnera la demande. Vous pouvez en ajouter une autre, ou envoyer la demande."
CANCELLED = "D'accord, je ne transmets rien. Puis-je vous aider autrement ?"
NOTHING_PENDING = (
    "Je n'ai pas de demande en attente d'envoi. Si vous souhaitez transmettre une question, "
    "dites-moi « je veux parler à quelqu'un »."
)
TOO_MANY = (
    "Vous avez déjà 5 demandes en attente de réponse : je ne peux pas en transmettre une nouvelle "
    "pour l'instant. La personne qui les lit vous répondra par l'école ; vous pouvez aussi la "
    "contacter directement."
)
SENT = {
    "directeur": (
        "C'est transmis (demande n° {id}). La direction de l'école ({school}) lira votre question et vous "
        "répondra par l'école, en dehors de l'assistant : je ne recevrai pas sa réponse."
    ),
    "erun": (
        "C'est transmis (demande n° {id}). L'ERUN de la circonscription lira votre question et "
        "vous répondra directement, en dehors de l'assistant."
    ),
}
ALREADY_SENT = "Cette demande est déjà transmise (demande n° {id}) : inutile de la renvoyer."
NOT_A_READER = (
    "Seuls la direction d'une école et l'ERUN de la circonscription reçoivent des demandes : "
    "je n'en ai aucune à vous montrer."
)
NONE_RECEIVED = "Vous n'avez aucune demande en attente. Bonne nouvelle !"
RECEIVED_HEAD = "Vous avez {count} demande{s} en attente :"
CLOSE_HOW = "Quand une demande est traitée, dites-moi par exemple « la demande {id} est traitée »."
WHICH_REQUEST = "De quelle demande s'agit-il ? Précisez son numéro, par exemple « la demande 3 est traitée »."
CLOSED = "La demande n° {id} est marquée comme traitée. Merci !"
CLOSED_ALREADY = "La demande n° {id} était déjà marquée comme traitée."
CLOSE_REFUSED = "Je ne trouve pas la demande n° {id} parmi celles que vous avez reçues."
ROLE_WORDS = {"parent": "parent", "enseignant": "enseignant", "directeur": "direction"}


def offer(recipient: r.HandoffReceipt | None, role: str) -> str:
    """The sentence that offers the hand-off to this person."""
    if role in OFFER:
        return OFFER[role]
    return OFFER_SCHOOL.format(school=safe(recipient.school_name if recipient else ""))


def received(requests: list[r.HandoffInfo]) -> str:
    """The open requests, one paragraph each (questions as stored, masked; made harmless)."""
    if not requests:
        return NONE_RECEIVED
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


OFFER_INTRO = "Je comprends : une personne peut prendre le relais."
COMPLAINT_INTRO = "Je suis désolé de ne pas avoir pu vous aider : une personne peut prendre le relais."
UNAVAILABLE = (
    "Je ne peux pas transmettre votre question pour le moment. Réessayez dans quelques instants, "
    "ou adressez-vous directement à la direction de l'école."
)
CLOSE_BUTTON = "La demande {id} est traitée"
