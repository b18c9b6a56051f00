"""The demo identities offered by the page's switcher (development mode only)."""

from __future__ import annotations

# (login, label shown in the switcher). The role always comes from the ENT backend.
DEMO_PEOPLE: tuple[tuple[str, str], ...] = (
    ("parent.papillons", "Sophie Lambert — parent, École des Papillons"),
    ("enseignant.papillons", "Thomas Girard — enseignant sans classe, École des Papillons"),
    ("directeur.papillons", "Isabelle Roussel — directrice, École des Papillons"),
    ("enseignant.ce1.papillons", "Nadia Benali — enseignante de CE1, École des Papillons"),
    ("remplacant.papillons", "Julie Caron — enseignante remplaçante, École des Papillons"),
    ("parent.sms.papillons", "Karim Haddad — parent (activé par SMS), École des Papillons"),
    ("parent.nonactive.papillons", "Patrick Lemaire — parent sans EduConnect, École des Papillons"),
    ("famille.accueil.papillons", "Nathalie Morel — famille d'accueil, École des Papillons"),
    ("directeur.tilleuls", "Olivier Fontaine — directeur, École des Tilleuls"),
    ("directeur.moulin", "Valérie Noël — directrice, École maternelle du Moulin"),
    ("erun.demo", "Hélène Marchand — ERUN de la circonscription de démonstration"),
)

LABELS = dict(DEMO_PEOPLE)
