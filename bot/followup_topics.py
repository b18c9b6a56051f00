"""Which follow-up fits which guide answer: the answers by audience, the next step of each topic.

The sentences themselves are domain responses (`utter_next_step_*`, domain.yml).
"""

from __future__ import annotations

# --- the answers, grouped by who they speak to --------------------------------------------
PARENT_KEYS = frozenset(
    {
        "identifiants_rentree",
        "educonnect_parents",
        "activer_educonnect",
        "connexion_franceconnect",
        "code_sms_non_recu",
        "changer_telephone",
        "adresse_mail",
        "changer_mot_de_passe",
        "identifiants_oublies",
        "delais_educonnect",
        "rattacher_enfants",
        "fratrie",
        "enfant_inconnu",
        "changement_ecole",
        "aide_parents",
        "familles_accueil",
        "one_pocket",
        "identifiants_ent_eleve",
    }
)
# Procedures done by the director (or the ENT's administrator), never by parents or teachers.
DIRECTOR_KEYS = frozenset(
    {
        "reediter_identifiants",
        "documentation_directeurs",
        "detacher_enseignants",
        "supprimer_groupes_manuels",
        "supprimer_favoris",
        "supprimer_comptes_manuels",
        "bloquer_acces",
        "rattacher_enseignants_classe",
        "resp_affect_gar",
        "onde_a_jour",
    }
)

# Answers that say the same thing to one role: for a director, the forgotten-credentials
# answer is the reissuing procedure (its `directeur` variation), so « Vouliez-vous dire »
# between the two would ask nothing (actions/answers.py gives the first instead).
SAME_ANSWER_FOR_ROLE: dict[str, dict[str, str]] = {
    "directeur": {"identifiants_oublies": "reediter_identifiants"},
}

# --- "toujours rien", "ça ne marche pas": the next step of that topic (domain responses) -----
NEXT_STEP: dict[str, str] = {
    "code_sms_non_recu": "utter_next_step_sms",
    "changer_telephone": "utter_next_step_sms",
    "activer_educonnect": "utter_next_step_activation",
    "educonnect_parents": "utter_next_step_activation",
    "identifiants_rentree": "utter_next_step_activation",
    "delais_educonnect": "utter_next_step_activation",
    "connexion_franceconnect": "utter_next_step_franceconnect",
    "identifiants_oublies": "utter_next_step_forgotten",
    "changer_mot_de_passe": "utter_next_step_forgotten",
    "adresse_mail": "utter_next_step_forgotten",
    "rattacher_enfants": "utter_next_step_children",
    "fratrie": "utter_next_step_children",
    "enfant_inconnu": "utter_next_step_children",
    "changement_ecole": "utter_next_step_children",
    "familles_accueil": "utter_next_step_ent_account",
    "identifiants_ent_eleve": "utter_next_step_ent_account",
    "liberer_espace": "utter_next_step_space",
    "quota_stockage": "utter_next_step_space",
    "classes_manquantes": "utter_next_step_classes",
    "premieres_classes": "utter_next_step_classes",
    "calendrier_rentree": "utter_next_step_classes",
    "resp_affect_gar": "utter_next_step_gar",
    "bloquer_acces": "utter_next_step_blocking",
    **{
        key: "utter_next_step_director_procedure"
        for key in (
            "detacher_enseignants",
            "supprimer_groupes_manuels",
            "supprimer_favoris",
            "supprimer_comptes_manuels",
            "rattacher_enseignants_classe",
            "reediter_identifiants",
        )
    },
}
