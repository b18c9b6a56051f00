"""The named people of the demo ENT: one list, read by the seed, the portal's switcher and a docs test.

`bot/ent/seed.py` creates each of them (name, profile, login); the portal offers those with a
`switcher` label in its development identity switcher; tests/unit/test_demo_people.py checks that
docs/demo-logins.md names the same people. Every name is invented.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.ent import models as m

PAPILLONS = "École des Papillons"
TILLEULS = "École des Tilleuls"
MOULIN = "École maternelle du Moulin"
JAURES = "École Jean Jaurès"


@dataclass(frozen=True)
class DemoPerson:
    """One named demo account."""

    login: str
    first_name: str
    last_name: str
    profile: str
    school: str | None  # None: the ERUN, for the whole circonscription
    switcher: str | None = None  # what the portal's switcher says after the name (None: not offered)

    @property
    def name(self) -> str:
        """First name then last name."""
        return f"{self.first_name} {self.last_name}"

    @property
    def label(self) -> str:
        """The switcher's label: the name, then who this is."""
        return f"{self.name} — {self.switcher}"


DEMO_PEOPLE: tuple[DemoPerson, ...] = (
    # Offered by the portal's development switcher, in this order
    DemoPerson("parent.papillons", "Sophie", "Lambert", m.PARENT, PAPILLONS, f"parent, {PAPILLONS}"),
    DemoPerson(
        "enseignant.papillons",
        "Thomas",
        "Girard",
        m.TEACHER,
        PAPILLONS,
        f"enseignant sans classe, {PAPILLONS}",
    ),
    DemoPerson(
        "directeur.papillons", "Isabelle", "Roussel", m.DIRECTOR, PAPILLONS, f"directrice, {PAPILLONS}"
    ),
    DemoPerson(
        "enseignant.ce1.papillons",
        "Nadia",
        "Benali",
        m.TEACHER,
        PAPILLONS,
        f"enseignante de CE1, {PAPILLONS}",
    ),
    DemoPerson(
        "remplacant.papillons",
        "Julie",
        "Caron",
        m.TEACHER,
        PAPILLONS,
        f"enseignante remplaçante, {PAPILLONS}",
    ),
    DemoPerson(
        "parent.sms.papillons",
        "Karim",
        "Haddad",
        m.PARENT,
        PAPILLONS,
        f"parent (activé par SMS), {PAPILLONS}",
    ),
    DemoPerson(
        "parent.nonactive.papillons",
        "Patrick",
        "Lemaire",
        m.PARENT,
        PAPILLONS,
        f"parent sans EduConnect, {PAPILLONS}",
    ),
    DemoPerson(
        "famille.accueil.papillons",
        "Nathalie",
        "Morel",
        m.PARENT,
        PAPILLONS,
        f"famille d'accueil, {PAPILLONS}",
    ),
    DemoPerson("directeur.tilleuls", "Olivier", "Fontaine", m.DIRECTOR, TILLEULS, f"directeur, {TILLEULS}"),
    DemoPerson("directeur.moulin", "Valérie", "Noël", m.DIRECTOR, MOULIN, f"directrice, {MOULIN}"),
    DemoPerson(
        "erun.demo", "Hélène", "Marchand", m.ERUN, None, "ERUN de la circonscription de démonstration"
    ),
    # The other named people of the seed (docs/demo-logins.md)
    DemoPerson("enseignant.cm.papillons", "Antoine", "Vasseur", m.TEACHER, PAPILLONS),
    DemoPerson("enseignant.parti.papillons", "Marc", "Delattre", m.TEACHER, PAPILLONS),
    DemoPerson("parent.etablissement.papillons", "Céline", "Dubois", m.PARENT, PAPILLONS),
    DemoPerson("parent.lefebvre1.papillons", "Claire", "Lefebvre", m.PARENT, PAPILLONS),
    DemoPerson("parent.lefebvre2.papillons", "Julien", "Lefebvre", m.PARENT, PAPILLONS),
    DemoPerson("invite.papillons", "Paul", "Verhaeghe", m.GUEST, PAPILLONS),
    DemoPerson("enseignant.tilleuls", "Camille", "Petit", m.TEACHER, TILLEULS),
    DemoPerson("parent.tilleuls", "Aurélie", "Martin", m.PARENT, TILLEULS),
    DemoPerson("parent.lefebvre.tilleuls", "Marion", "Lefebvre", m.PARENT, TILLEULS),
    DemoPerson("enseignant.moulin", "Hélène", "Bertrand", m.TEACHER, MOULIN),
    DemoPerson("directeur.jaures", "Stéphane", "Leroy", m.DIRECTOR, JAURES),
)

BY_LOGIN = {person.login: person for person in DEMO_PEOPLE}


def switcher() -> tuple[tuple[str, str], ...]:
    """(login, label) of the people the portal's development switcher offers, in its order."""
    return tuple((person.login, person.label) for person in DEMO_PEOPLE if person.switcher)
