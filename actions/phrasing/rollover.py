"""Phrasing of where a school is in the rollover, with what to do next for each role."""

from __future__ import annotations

from actions.phrasing.common import FEED_LABELS, OUTCOME_LABELS, french_date, safe
from bot.ent import results as r

# --- 3. where is my school in the rollover? -----------------------------------------
PHASES = {
    r.PHASE_SUMMER: (
        "l'été : les fichiers d'alimentation ne sont plus transmis ; tout le monde peut encore se "
        "connecter, mais les changements ne sont pas pris en compte."
    ),
    r.PHASE_LATE_AUGUST: (
        "fin août, avant la bascule de ONDE : les enseignants retrouvent le rattachement à leur(s) "
        "école(s), mais pas encore à leur classe ; élèves et parents voient encore le rattachement de "
        "l'an dernier."
    ),
    r.PHASE_SWITCHED: (
        "la bascule de ONDE est faite ; la première alimentation « élèves – parents » est attendue "
        "dans la foulée. Jusque-là, élèves et parents voient encore le rattachement de l'an dernier."
    ),
    r.PHASE_CLASSES: (
        "la première alimentation « élèves – parents » a eu lieu : élèves et parents sont rattachés à "
        "leur école et à leur classe de cette année. Les « premières classes » (notamment TPS-PS et CP) "
        "et les nouveaux élèves peuvent arriver quelques jours plus tard."
    ),
}

_EARLY = (r.PHASE_SUMMER, r.PHASE_LATE_AUGUST, r.PHASE_SWITCHED)
CHECKLISTS = {
    ("directeur", r.PHASE_SUMMER): [
        "Rien à faire dans l'ENT pour l'instant : les changements seront pris en compte à partir de "
        "la première alimentation, dans la dernière quinzaine d'août."
    ],
    ("directeur", r.PHASE_LATE_AUGUST): [
        "détacher les enseignants qui ont quitté l'école (jamais un remplaçant ou un PES dont votre "
        "école est l'école de rattachement) ;",
        "supprimer les groupes manuels et les anciens comptes manuels qui n'ont plus lieu d'être ;",
        "faire le tri dans vos favoris de partage ;",
        "si vous le souhaitez, bloquer les accès des élèves et des parents (« Blocage en lot ») pour "
        "rouvrir avec les bonnes données.",
    ],
    ("directeur", r.PHASE_SWITCHED): [
        "attendre la première alimentation « élèves – parents » : vos classes et vos élèves arriveront "
        "avec elle ;",
        "en attendant, poursuivre le ménage : enseignants partis, groupes manuels, comptes manuels, "
        "favoris de partage.",
    ],
    ("directeur", r.PHASE_CLASSES): [
        "rattacher chaque enseignant à sa classe dès qu'elle a au moins un élève dans l'ENT ;",
        "ajouter les enseignants au groupe « Resp-Affect-GAR » (effectif après la prochaine alimentation) ;",
        "si vous aviez bloqué les accès des élèves ou des parents, penser à les débloquer ;",
        "terminer le ménage : enseignants partis, groupes manuels, comptes manuels, favoris de partage.",
    ],
    ("enseignant", r.PHASE_CLASSES): [
        "si vous n'êtes pas encore rattaché(e) à votre classe, demandez-le à la direction : c'est "
        "possible dès que la classe a au moins un élève dans l'ENT ;",
        "une fois rattaché(e), le « Paramétrage de la classe » devient disponible.",
    ],
    ("parent", r.PHASE_CLASSES): [
        "votre enfant apparaît dans sa classe de cette année ; les « premières classes » (TPS-PS, CP) "
        "peuvent arriver quelques jours plus tard ;",
        "si ce n'est pas déjà fait, passez à EduConnect : à la première connexion, rattachez vos "
        "enfants en confirmant leur date de naissance.",
    ],
}
for _phase in _EARLY:
    CHECKLISTS[("enseignant", _phase)] = [
        "vous pouvez produire du contenu non partagé et échanger avec vos collègues ;",
        "vous serez rattaché(e) à votre classe par la direction, une fois les classes arrivées dans "
        "l'ENT, après la bascule de ONDE.",
    ]
    CHECKLISTS[("parent", _phase)] = [
        "vous pouvez toujours vous connecter ; vous voyez encore la classe de l'an dernier jusqu'à la "
        "bascule de ONDE et à la première alimentation « élèves – parents » ;",
        "pensez à passer à EduConnect si ce n'est pas déjà fait (FranceConnect ou SMS, en autonomie).",
    ]


def rollover_status(statuses: list[r.RolloverStatus], role: str) -> str:
    """Feeds, ONDE switch, calendar phase and a short checklist for the role."""
    parts = []
    for status in statuses:
        lines = [f"**{safe(status.school_name)}** : où en est la bascule ({status.school_year})"]
        for feed in status.feeds:
            label = FEED_LABELS.get(feed.file, feed.file)
            if feed.run_at is None:
                lines.append(f"- fichier {label} : pas encore d'alimentation cette année ;")
            else:
                outcome = OUTCOME_LABELS.get(feed.outcome or "", feed.outcome or "")
                lines.append(
                    f"- fichier {label} : dernière alimentation le {french_date(feed.run_at)} ({outcome}) ;"
                )
        if status.onde_switch_date:
            lines.append(f"- bascule de ONDE : faite le {french_date(status.onde_switch_date)}.")
        else:
            lines.append("- bascule de ONDE : pas encore faite.")
        lines.append(f"Où en est le calendrier : {PHASES[status.phase]}")
        checklist = CHECKLISTS.get((role, status.phase))
        if checklist:
            lines.append("Ce que vous pouvez faire maintenant :")
            lines.extend(f"- {item}" for item in checklist)
        else:
            lines.append("Pour toute question sur votre compte, adressez-vous à la direction de l'école.")
        parts.append("\n".join(lines))
    return "\n\n".join(parts)
