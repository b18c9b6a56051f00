"""Phrasing of the family questions: how a parent activated EduConnect, a parent's children."""

from __future__ import annotations

from actions.phrasing.common import FORGOT_LOGIN, FORGOT_PASSWORD, french_date, safe
from actions.responses import Response
from bot.ent import results as r


# --- 2. how did this parent activate EduConnect? ------------------------------------
def parent_activation(result: r.ParentActivation) -> str:
    """Origin of a parent's account and what the director should do."""
    name = safe(result.display_name)
    when = f" (le {french_date(result.activated_at)})" if result.activated_at else ""
    self_service = (
        "Ce parent a activé son compte en toute autonomie : lui fournir de nouveaux identifiants serait "
        "déroutant. En cas d'oubli, orientez-le plutôt vers les pages « Identifiant oublié » "
        f"({FORGOT_LOGIN}) ou « Mot de passe oublié » ({FORGOT_PASSWORD})."
    )
    if result.manual_account:
        return (
            f"{name} a un **compte manuel de l'ENT** (famille d'accueil), pas de compte EduConnect. "
            "Ce compte garde les identifiants générés par l'ENT ; la connexion se fait par l'entrée "
            "« Personnel collectivité et invité » de la page de connexion."
        )
    if result.origin == "franceconnect":
        return (
            f"{name} a activé son compte EduConnect avec **FranceConnect**{when}.\n{self_service}\n"
            "Avec FranceConnect, il n'y a pas de mot de passe EduConnect : il se change auprès du "
            "service utilisé (impots.gouv.fr, ameli.fr…)."
        )
    if result.origin == "responsable":
        return (
            f"{name} a activé son compte EduConnect **par SMS** (origine « Responsable »){when}.\n"
            f"{self_service}"
        )
    if result.origin == "etablissement":
        return (
            f"{name} a reçu des **identifiants édités par l'école** (origine « Établissement »){when}.\n"
            "En cas de perte, vous pouvez lui rééditer des identifiants depuis le portail Eduline, dans "
            "l'administration des comptes EduConnect."
        )
    return (
        f"{name} n'a **pas encore activé** de compte EduConnect.\n"
        "Trois méthodes existent : FranceConnect et le code par SMS (le numéro saisi doit être celui "
        "enregistré dans ONDE), en autonomie et à privilégier, ou des identifiants que vous éditez "
        "depuis la console EduConnect d'Eduline."
    )


# --- 4. parent: my children --------------------------------------------------------
def my_children(children: list[r.ChildInfo]) -> str:
    """Each child, this year's class in the ENT and the attachment to the account (a response if none)."""
    if not children:
        return Response("utter_live_no_child")
    lines = ["Voici vos enfants dans l'ENT :"]
    missing_attachment = False
    for child in children:
        school = f" ({safe(child.school_name)})" if child.school_name else ""
        if child.class_label:
            where = f"classe de {safe(child.class_label)} cette année"
        elif not child.families_fed:
            last = f" ({safe(child.last_year_class)})" if child.last_year_class else ""
            where = (
                f"la classe de l'an dernier{last} reste affichée jusqu'à la bascule de ONDE et à la "
                "première alimentation « élèves – parents »"
            )
        else:
            last = f" (l'an dernier : {safe(child.last_year_class)})" if child.last_year_class else ""
            where = (
                f"pas encore de classe cette année dans l'ENT{last} ; les « premières classes » "
                "(notamment TPS-PS et CP) et les nouveaux élèves arrivent progressivement dans les jours "
                "qui suivent la première alimentation"
            )
        attached = (
            "rattachement à votre compte : fait"
            if child.attached_to_account
            else "rattachement à votre compte : pas encore fait"
        )
        missing_attachment = missing_attachment or not child.attached_to_account
        lines.append(f"- **{safe(child.first_name)}**{school} : {where} ; {attached}.")
    if missing_attachment:
        lines.append(
            "Le rattachement de vos enfants à votre compte EduConnect vous est proposé à la première "
            "connexion : il suffit de confirmer leur date de naissance (sans erreur, sinon le "
            "rattachement est bloqué). Si un enfant n'est pas proposé, il existe une procédure manuelle : "
            "la direction de l'école peut vous orienter."
        )
    return "\n".join(lines)
