"""Phrasing of the director's housekeeping: what to clean, access blocking, Resp-Affect-GAR."""

from __future__ import annotations

from datetime import datetime

from actions.phrasing.common import PROFILE_LABELS, french_date, join_names, safe
from bot.ent import results as r


# --- 6. director: what to clean ---------------------------------------------------
def cleanup(result: r.CleanupReport) -> str:
    """Manual accounts (Supprimer / Pré-supprimer), last year's groups and favourites."""
    lines = [f"Le ménage de rentrée à **{safe(result.school_name)}** :"]
    lines.append(
        "**Comptes manuels** (« Console d'administration », « Utilisateurs », filtre « Sources » puis "
        "« Manuel ») :"
    )
    if not result.manual_accounts:
        lines.append("- aucun compte manuel.")
    for account in result.manual_accounts:
        kind = "famille d'accueil" if account.foster_family else PROFILE_LABELS.get(account.profile, "")
        state = "déjà activé" if account.activated else "jamais activé"
        lines.append(
            f"- {safe(account.display_name)} ({kind}), {state} : s'il n'a plus lieu d'exister, "
            f"« {account.removal} »."
        )
    _old_shares(
        lines,
        "**Groupes manuels des années précédentes** (« Console d'administration », « Groupes », le "
        "groupe, « Supprimer ») :",
        result.old_groups,
    )
    _old_shares(
        lines,
        "**Vos favoris de partage des années précédentes** (application « Annuaire », onglet « Gérer "
        "mes favoris de partage », icône « Corbeille » au survol) :",
        result.favourites,
    )
    lines.append(
        "Pourquoi : les partages faits à un groupe manuel ou à un favori durent d'une année sur l'autre, "
        "contrairement aux groupes de scolarité. Astuce : inscrivez l'année scolaire dans le nom de "
        "chaque groupe manuel."
    )
    return "\n".join(lines)


def _old_shares(lines: list[str], heading: str, groups: tuple[r.GroupInfo, ...]) -> None:
    """A heading, then each group or favourite left from earlier years with its use (or « aucun »)."""
    lines.append(heading)
    if not groups:
        lines.append("- aucun.")
    for group in groups:
        lines.append(f"- {safe(group.name)} ({group.school_year}) : {_usage(group)}.")


def _usage(group: r.GroupInfo) -> str:
    """'3 membres, encore utilisé dans 1 partage'."""
    members = f"{group.member_count} membre{'s' if group.member_count > 1 else ''}"
    if group.share_count:
        plural = "s" if group.share_count > 1 else ""
        return f"{members}, encore utilisé dans {group.share_count} partage{plural}"
    return members


# --- 7. director: is access blocked? ------------------------------------------------
def access_blocking(result: r.AccessState) -> str:
    """Whether pupils' and parents' access is blocked, and how to change it."""

    def line(who: str, blocked: bool, since: datetime | None) -> str:
        when = f" (depuis le {french_date(since)})" if since and blocked else ""
        return f"- accès des {who} : **bloqués**{when} ;" if blocked else f"- accès des {who} : ouverts ;"

    lines = [
        f"À **{safe(result.school_name)}** :",
        line("élèves", result.pupils_blocked, result.pupils_changed_at),
        line("parents", result.parents_blocked, result.parents_changed_at).rstrip(";").rstrip() + ".",
    ]
    lines.append(
        "Pour changer cela : « Console d'administration », onglet « Gérer mon établissement », rubrique "
        "« Blocage en lot », puis « Bloquer » ou « Débloquer » sur la ligne « Élèves » ou « Parents »."
    )
    if result.pupils_blocked or result.parents_blocked:
        lines.append("N'oubliez pas de débloquer une fois les bonnes données arrivées après la rentrée.")
    return "\n".join(lines)


# --- 8. director: Resp-Affect-GAR ---------------------------------------------------
def gar_group(result: r.GarReport) -> str:
    """Members, pending changes and teachers not yet in Resp-Affect-GAR."""
    lines = [f"Groupe « Resp-Affect-GAR » de **{safe(result.school_name)}** :"]
    lines.append(f"- membres : {join_names(result.members) if result.members else 'aucun'} ;")
    if result.pending_additions:
        lines.append(
            f"- ajout(s) en attente de la prochaine alimentation : {join_names(result.pending_additions)} ;"
        )
    if result.pending_removals:
        lines.append(
            f"- retrait(s) en attente de la prochaine alimentation : {join_names(result.pending_removals)} ;"
        )
    missing = join_names(result.missing_teachers) if result.missing_teachers else "aucun"
    lines.append(f"- enseignants pas encore dans le groupe : {missing}.")
    if result.pending_additions or result.pending_removals:
        lines.append(
            "Les changements prennent effet après la prochaine alimentation : les enseignants ajoutés "
            "auront accès au module d'affectation des ressources du GAR le lendemain."
        )
    if result.missing_teachers:
        lines.append(
            "Pour les ajouter : « Console d'administration », onglet « Groupes », « Resp-Affect-GAR », "
            "« Gérer les utilisateurs du groupe », filtre « Profils » (enseignants seulement), puis « + »."
        )
    return "\n".join(lines)
