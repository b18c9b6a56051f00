"""Phrasing of the class questions: does a class have pupils yet, my classes, the school's teachers."""

from __future__ import annotations

from actions.phrasing.common import french_date, join_names, safe
from actions.responses import Response
from bot.ent import results as r


# --- 1. does a class have pupils yet? --------------------------------------------
def class_pupils(result: r.ClassPupils, role: str) -> str:
    """Pupil count and what follows, for a director or a teacher."""
    name = f"La classe « {safe(result.label)} » ({safe(result.school_name)})"
    lines: list[str] = []
    if result.pupil_count > 0:
        plural = "s" if result.pupil_count > 1 else ""
        lines.append(f"{name} compte **{result.pupil_count} élève{plural}** dans l'ENT.")
        if result.teacher_names:
            lines.append(f"Enseignant(s) rattaché(s) à cette classe : {join_names(result.teacher_names)}.")
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


# --- 5. teacher: my schools and classes; director: the school's teachers -------------
def my_classes(schools: list[r.TeacherSchool]) -> str:
    """A teacher's schools and classes, and what to do without a class (a response if none)."""
    if not schools:
        return Response("utter_live_no_school")
    lines = ["Vos écoles dans l'ENT :"]
    without_class = False
    for school in schools:
        home = " (votre école de rattachement)" if school.is_home_school else ""
        if school.classes:
            classes = f"classe(s) : {join_names(school.classes)}"
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
        classes = join_names(teacher.classes) if teacher.classes else "pas encore de classe"
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
