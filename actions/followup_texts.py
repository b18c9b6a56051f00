"""What the follow-ups say, by the guide's answer they follow; only from the sources."""

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

# --- "toujours rien", "ça ne marche pas": the next step of that topic -----------------------
_SMS = (
    "Si le code n'arrive toujours pas, le numéro que vous saisissez n'est sans doute pas celui que "
    "l'école a enregistré pour vous. Sans attendre, vous pouvez :\n"
    "- activer votre compte avec FranceConnect (identifiants impôts, Assurance Maladie...) ;\n"
    "- ou demander au directeur de l'école de vous remettre des identifiants EduConnect.\n"
    "Vous pouvez aussi demander à l'école de corriger votre numéro dans sa base élèves (ONDE) : "
    "la correction est ensuite reprise dans EduConnect."
)
_ACTIVATION = (
    "Si cela ne fonctionne toujours pas, demandez au directeur de l'école de vous remettre des "
    "identifiants EduConnect : il les édite depuis sa console EduConnect (Eduline). "
    "C'est la troisième méthode d'activation, quand les deux autres (FranceConnect, SMS) échouent."
)
_FRANCECONNECT = (
    "Si la connexion avec FranceConnect ne fonctionne toujours pas, vous pouvez activer votre compte "
    "par SMS (avec le numéro de portable enregistré par l'école), ou demander au directeur de l'école "
    "de vous remettre des identifiants EduConnect."
)
_FORGOTTEN = (
    "Si les pages « Identifiant oublié » et « Mot de passe oublié » ne suffisent pas, adressez-vous au "
    "directeur de l'école : il peut vérifier l'origine de votre compte et, si besoin, vous remettre de "
    "nouveaux identifiants EduConnect."
)
_CHILDREN = (
    "Si votre enfant n'apparaît toujours pas, rapprochez-vous du directeur de l'école : une procédure "
    "manuelle de rattachement existe, et il peut vérifier que la base élèves de l'école (ONDE), d'où "
    "viennent les informations d'EduConnect, est à jour pour vous et votre enfant. Une date de "
    "naissance mal saisie à la première connexion bloque le rattachement : dites-le-lui."
)
_ENT_ACCOUNT = (
    "Si la connexion ne fonctionne toujours pas, adressez-vous au directeur de l'école : lui ou "
    "l'administrateur de l'ENT peut réinitialiser le mot de passe des comptes gérés par l'ENT et "
    "imprimer une nouvelle fiche de connexion."
)
_SPACE = (
    "Si votre espace est toujours plein après ce tri, le directeur ou l'administrateur de l'ENT peut "
    "augmenter votre quota de stockage depuis la console d'administration : adressez-vous à lui."
)
_CLASSES = (
    "Les classes et les élèves arrivent par étapes après la bascule de ONDE. Si rien n'a changé après "
    "quelques jours :\n"
    "- enseignant, voyez avec le directeur de l'école : c'est lui qui rattache les enseignants à leur "
    "classe depuis la « Console d'administration » ;\n"
    "- directeur, contactez l'ERUN de votre circonscription."
)
_GAR = (
    "L'accès au module d'affectation des ressources GAR n'est ouvert que le lendemain de l'ajout au "
    "groupe Resp-Affect-GAR. Si c'est toujours bloqué le lendemain, contactez l'ERUN de votre "
    "circonscription."
)
_BLOCKING = (
    "Vérifiez en bas de la page « Blocage en lot » que l'action y apparaît bien. Si le blocage (ou le "
    "déblocage) ne s'applique toujours pas, contactez l'ERUN de votre circonscription."
)
_DIRECTOR_PROCEDURE = (
    "Si la manipulation ne donne toujours rien, contactez l'ERUN de votre circonscription en lui "
    "précisant l'étape où vous êtes bloqué(e)."
)
# The person to contact when nothing more precise is known, by role.
PERSON = {
    "directeur": "Désolé que cela ne fonctionne toujours pas. Contactez l'ERUN (enseignant référent "
    "pour les usages du numérique) de votre circonscription : il pourra vous aider.",
    None: "Désolé que cela ne fonctionne toujours pas. Adressez-vous au directeur ou à la directrice de "
    "l'école, qui pourra, si besoin, contacter l'ERUN (enseignant référent pour les usages du "
    "numérique) de votre circonscription.",
}

NEXT_STEP: dict[str, str] = {
    "code_sms_non_recu": _SMS,
    "changer_telephone": _SMS,
    "activer_educonnect": _ACTIVATION,
    "educonnect_parents": _ACTIVATION,
    "identifiants_rentree": _ACTIVATION,
    "delais_educonnect": _ACTIVATION,
    "connexion_franceconnect": _FRANCECONNECT,
    "identifiants_oublies": _FORGOTTEN,
    "changer_mot_de_passe": _FORGOTTEN,
    "adresse_mail": _FORGOTTEN,
    "rattacher_enfants": _CHILDREN,
    "fratrie": _CHILDREN,
    "enfant_inconnu": _CHILDREN,
    "changement_ecole": _CHILDREN,
    "familles_accueil": _ENT_ACCOUNT,
    "identifiants_ent_eleve": _ENT_ACCOUNT,
    "liberer_espace": _SPACE,
    "quota_stockage": _SPACE,
    "classes_manquantes": _CLASSES,
    "premieres_classes": _CLASSES,
    "calendrier_rentree": _CLASSES,
    "resp_affect_gar": _GAR,
    "bloquer_acces": _BLOCKING,
    **{
        key: _DIRECTOR_PROCEDURE
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

# --- "et pour un enseignant ?": the other role's variation ---------------------------------
FOR_ROLE = {
    "parent": "Pour un parent :",
    "enseignant": "Pour un enseignant :",
    "directeur": "Pour un directeur :",
}
SAME_FOR_ROLE = "La réponse est la même pour un {label} :"
NOT_FOR_STAFF = (
    "Les enseignants et les directeurs ne sont pas concernés par EduConnect : ils continuent de se "
    "connecter à l'ENT avec leurs identifiants académiques. EduConnect est le compte des parents."
)
DIRECTOR_ONLY = (
    "Cette démarche est faite par le directeur de l'école (ou l'administrateur de l'ENT) : "
    "adressez-vous à lui."
)
WHICH_QUESTION = "Sur quelle question ? Posez-la-moi, et je vous répondrai pour un {label}."
WHICH_ROLE = "Pour qui souhaitez-vous la réponse ? Dites-moi par exemple « et pour un enseignant ? »."

# --- "et si je change d'école ?" ------------------------------------------------------------
TEACHER_SCHOOL_CHANGE = (
    "Si vous changez d'école, avant de partir :\n"
    "- partagez les productions à poursuivre avec l'enseignant qui vous succède, en lui confiant les "
    "droits de gestion ;\n"
    "- si besoin, exportez vos propres contenus avec l'application « Mes données » (une archive .zip, "
    "que vous pourrez réimporter)."
)
BOTH_SCHOOL_CHANGE = "Pour un enseignant :\n{teacher}\n\nPour un parent :\n{parent}"
