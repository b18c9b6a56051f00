"""French phrasing of the live answers, for the role of the person asking."""

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


def _join(names: tuple[str, ...] | list[str]) -> str:
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


# --- 1. does a class have pupils yet? --------------------------------------------
def class_pupils(result: r.ClassPupils, role: str) -> str:
    """Pupil count and what follows, for a director or a teacher."""
    name = f"La classe « {safe(result.label)} » ({safe(result.school_name)})"
    lines: list[str] = []
    if result.pupil_count > 0:
        plural = "s" if result.pupil_count > 1 else ""
        lines.append(f"{name} compte **{result.pupil_count} élève{plural}** dans l'ENT.")
        if result.teacher_names:
            lines.append(f"Enseignant(s) rattaché(s) à cette classe : {_join(result.teacher_names)}.")
        if role == "directeur" and not result.teacher_names:
            lines.append(
                "Aucun enseignant n'y est encore rattaché : vous pouvez le faire dès maintenant dans la "
                "« Console d'administration », onglet « Utilisateurs » : ouvrez la fiche de l'enseignant, "
                "rubrique « Classe(s) », puis « Ajouter une classe »."
            )
        elif role == "enseignant" and result.viewer_attached:
            lines.append("Vous êtes rattaché(e) à cette classe.")
        elif role == "enseignant":
            lines.append(
                "Vous n'y êtes pas rattaché(e) : ce rattachement est fait par la direction de l'école, "
                "dans la « Console d'administration ». Il est possible dès maintenant, puisque la classe "
                "a des élèves."
            )
        return "\n".join(lines)

    if not result.families_fed:
        lines.append(
            f"{name} n'a pas encore d'élèves dans l'ENT : la première alimentation « élèves – parents » "
            "de l'école n'a pas encore eu lieu. Elle arrive dans la foulée de la bascule de ONDE, juste "
            "après la rentrée ; d'ici là, élèves et parents voient encore le rattachement de l'an dernier."
        )
    else:
        lines.append(f"{name} n'a encore **aucun élève** dans l'ENT.")
        if result.first_class:
            lines.append(
                "C'est fréquent pour les « premières classes » (notamment les TPS-PS et les CP) : à la "
                "rentrée, la base ONDE est très sollicitée (attribution des INE) et ces élèves arrivent "
                "progressivement dans les jours qui suivent la première alimentation."
            )
        else:
            lines.append(
                "Les élèves manquants, notamment les nouveaux élèves de l'école, arrivent progressivement "
                "dans l'ENT dans les jours qui suivent la première alimentation."
            )
    lines.append(
        "Tant que la classe n'a pas au moins un élève dans l'ENT, elle n'y apparaît pas et aucun "
        "enseignant ne peut y être rattaché."
    )
    if role == "directeur":
        lines.append(
            "Vous pourrez rattacher l'enseignant à cette classe dès qu'un premier élève y apparaîtra."
        )
    elif role == "enseignant":
        lines.append(
            "La direction de l'école pourra vous y rattacher dès qu'un premier élève y apparaîtra ; "
            "en attendant, vous pouvez déjà produire du contenu non partagé et échanger avec vos collègues."
        )
    return "\n".join(lines)


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


# --- 4. parent: my children --------------------------------------------------------
def my_children(children: list[r.ChildInfo]) -> str:
    """Each child, this year's class in the ENT and the attachment to the account."""
    if not children:
        return (
            "Je ne trouve aucun enfant lié à votre compte dans l'ENT. Si l'un de vos enfants manque, "
            "adressez-vous à la direction de son école."
        )
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


# --- 5. teacher: my schools and classes; director: the school's teachers -------------
def my_classes(schools: list[r.TeacherSchool]) -> str:
    """A teacher's schools and classes, and what to do without a class."""
    if not schools:
        return "Je ne trouve aucune école rattachée à votre compte dans l'ENT."
    lines = ["Vos écoles dans l'ENT :"]
    without_class = False
    for school in schools:
        home = " (votre école de rattachement)" if school.is_home_school else ""
        if school.classes:
            classes = f"classe(s) : {_join(school.classes)}"
        else:
            classes = "pas encore de classe"
            without_class = True
        lines.append(f"- **{safe(school.school_name)}**{home} : {classes}.")
    if without_class:
        lines.append(
            "Le rattachement à votre classe est fait par la direction de l'école, dès que la classe a au "
            "moins un élève dans l'ENT (après la bascule de ONDE). En attendant, vous pouvez produire du "
            "contenu non partagé et échanger avec vos collègues."
        )
    return "\n".join(lines)


def school_teachers(result: r.SchoolTeachers) -> str:
    """The school's teachers, flagging those absent from the latest feed."""
    feed = (
        f" (dernière alimentation « enseignants – personnels » le {french_date(result.latest_staff_feed)})"
        if result.latest_staff_feed
        else ""
    )
    lines = [f"Enseignants rattachés à **{safe(result.school_name)}**{feed} :"]
    absent_to_check = False
    for teacher in result.teachers:
        name = safe(teacher.display_name) + (" (direction)" if teacher.is_director else "")
        classes = _join(teacher.classes) if teacher.classes else "pas encore de classe"
        line = f"- {name} : {classes}"
        if not teacher.in_latest_feed and teacher.is_home_school:
            line += (
                " ; n'apparaît pas dans la dernière alimentation, mais votre école est son **école de "
                "rattachement** (remplaçant, PES…) : ne pas le ou la détacher"
            )
        elif not teacher.in_latest_feed:
            line += " ; ⚠ n'apparaît pas dans la dernière alimentation"
            absent_to_check = True
        lines.append(line + ".")
    if absent_to_check:
        lines.append(
            "Si une personne signalée a quitté l'école, vous pouvez la détacher : « Console "
            "d'administration », onglet « Utilisateurs », sa fiche, rubrique « Établissement(s) », "
            "puis la petite croix rouge à côté du nom de votre école."
        )
    lines.append(
        "Attention : ne détachez jamais un enseignant dont votre école est l'école de rattachement "
        "(remplaçant, PES…)."
    )
    return "\n".join(lines)


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
    lines.append(
        "**Groupes manuels des années précédentes** (« Console d'administration », « Groupes », le "
        "groupe, « Supprimer ») :"
    )
    if not result.old_groups:
        lines.append("- aucun.")
    for group in result.old_groups:
        lines.append(f"- {safe(group.name)} ({group.school_year}) : {_usage(group)}.")
    lines.append(
        "**Vos favoris de partage des années précédentes** (application « Annuaire », onglet « Gérer "
        "mes favoris de partage », icône « Corbeille » au survol) :"
    )
    if not result.favourites:
        lines.append("- aucun.")
    for favourite in result.favourites:
        lines.append(f"- {safe(favourite.name)} ({favourite.school_year}) : {_usage(favourite)}.")
    lines.append(
        "Pourquoi : les partages faits à un groupe manuel ou à un favori durent d'une année sur l'autre, "
        "contrairement aux groupes de scolarité. Astuce : inscrivez l'année scolaire dans le nom de "
        "chaque groupe manuel."
    )
    return "\n".join(lines)


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
    lines.append(f"- membres : {_join(result.members) if result.members else 'aucun'} ;")
    if result.pending_additions:
        lines.append(
            f"- ajout(s) en attente de la prochaine alimentation : {_join(result.pending_additions)} ;"
        )
    if result.pending_removals:
        lines.append(
            f"- retrait(s) en attente de la prochaine alimentation : {_join(result.pending_removals)} ;"
        )
    missing = _join(result.missing_teachers) if result.missing_teachers else "aucun"
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
