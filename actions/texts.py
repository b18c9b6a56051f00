"""Sentences said only by actions (the guide's answers are in data/nlu/responses)."""

DID_YOU_MEAN = "Je ne suis pas sûr d'avoir compris. Vouliez-vous dire :"
SOMETHING_ELSE = "Autre chose"
REPHRASE = "Pouvez-vous reformuler votre question avec d'autres mots ?"
CONTACT_ERUN = (
    "Je n'arrive pas à trouver la réponse à votre question, désolé.\n"
    "Pour l'ENT de l'école, adressez-vous au directeur de l'école ; il pourra, si besoin, "
    "contacter l'ERUN (enseignant référent pour les usages du numérique) de votre circonscription.\n"
    "Vous pouvez aussi me demander « que sais-tu faire ? » pour voir les sujets que je connais."
)
# The second failure in a row: a director is pointed to the ERUN, not to the director.
CONTACT_ERUN_DIRECTOR = (
    "Je n'arrive pas à trouver la réponse à votre question, désolé.\n"
    "Pour l'ENT de votre école, contactez l'ERUN (enseignant référent pour les usages du numérique) "
    "de votre circonscription.\n"
    "Vous pouvez aussi me demander « que sais-tu faire ? » pour voir les sujets que je connais."
)
ROLE_NOTED = "C'est noté : je vous réponds en tant {label}."
ROLE_LABELS = {"parent": "parent", "enseignant": "enseignant", "directeur": "directeur", "erun": "ERUN"}
# "en tant que parent", "en tant qu'enseignant": the elision before a vowel.
ROLE_AS = {
    "parent": "que parent",
    "enseignant": "qu'enseignant",
    "directeur": "que directeur",
    "erun": "qu'ERUN",
}
ROLE_FROM_TOKEN = (
    "Vous êtes connecté à l'ENT : je vous réponds selon le profil de votre compte "
    "({label}), qui ne peut pas être changé ici."
)
ROLE_UNKNOWN = "Je n'ai pas compris votre profil. Vous êtes :"
ROLE_BUTTONS = [
    {"title": "Parent", "payload": '/inform_role{"role":"parent"}'},
    {"title": "Enseignant", "payload": '/inform_role{"role":"enseignant"}'},
    {"title": "Directeur", "payload": '/inform_role{"role":"directeur"}'},
]
TOKEN_REJECTED = (
    "Votre connexion à l'ENT n'a pas pu être vérifiée (session expirée ou invalide) : "
    "je vous réponds comme à un visiteur non connecté. Reconnectez-vous à l'ENT pour "
    "les questions sur votre école."
)
DEFAULT_FALLBACK = "Je n'ai pas bien compris. Pouvez-vous reformuler votre question ?"
