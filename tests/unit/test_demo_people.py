"""The demo people come from one list (bot/ent/demo_people.py): the seed, the portal and the docs agree."""

import re

from sqlalchemy import create_engine, select

from bot.ent import models as m
from bot.ent.db import make_session_factory, session_scope
from bot.ent.demo_people import BY_LOGIN, DEMO_PEOPLE, switcher
from bot.ent.seed import init_db
from bot.identity import role_for_profile
from bot.paths import ROOT
from portal.people import DEMO_PEOPLE as PORTAL_PEOPLE

DOC = ROOT / "docs" / "demo-logins.md"
LOGIN = re.compile(r"`([a-z0-9]+(?:\.[a-z0-9]+)+)`")


def seeded_accounts() -> dict[str, tuple[str, str, str]]:
    engine = create_engine("sqlite://")
    init_db(engine)
    with session_scope(make_session_factory(engine)) as session:
        rows = session.execute(
            select(m.Account.login, m.Person.first_name, m.Person.last_name, m.Person.profile).join(
                m.Person, m.Person.id == m.Account.person_id
            )
        ).all()
    return {login: (first, last, profile) for login, first, last, profile in rows}


def test_the_seed_creates_every_demo_person_with_the_listed_name_and_profile():
    accounts = seeded_accounts()
    for person in DEMO_PEOPLE:
        assert accounts.get(person.login) == (person.first_name, person.last_name, person.profile), (
            person.login
        )


def test_the_portal_switcher_offers_listed_people_only():
    assert switcher() == PORTAL_PEOPLE
    assert [login for login, _ in PORTAL_PEOPLE][:3] == [
        "parent.papillons",
        "enseignant.papillons",
        "directeur.papillons",
    ]
    assert dict(PORTAL_PEOPLE)["directeur.papillons"] == "Isabelle Roussel — directrice, École des Papillons"
    assert all(login in BY_LOGIN for login, _ in PORTAL_PEOPLE)


def test_the_docs_name_exactly_the_listed_logins():
    text = DOC.read_text(encoding="utf-8")
    assert {login for login in LOGIN.findall(text) if not login.endswith((".yml", ".py", ".md"))} == set(
        BY_LOGIN
    )


def test_a_docs_row_starting_with_a_login_gives_its_role_and_name():
    checked = 0
    for line in DOC.read_text(encoding="utf-8").splitlines():
        row = re.match(r"\| `([^`]+)` \| (\w+) \| (.*)\|$", line)
        if row and row.group(1) in BY_LOGIN:
            person = BY_LOGIN[row.group(1)]
            assert row.group(2) == role_for_profile(person.profile), person.login
            assert person.last_name in row.group(3), person.login
            checked += 1
    assert checked >= 14
