"""The mock ENT backend on an in-memory database: seed, service answers, feedback, failures."""

from __future__ import annotations

import os
import time

import pytest
from sqlalchemy import func, inspect, select

from bot.ent import models as m
from bot.ent.db import make_engine, make_session_factory, session_scope
from bot.ent.errors import AccountRefused, AlreadyRecorded, BackendUnavailable, NotAllowed
from bot.ent.seed import init_db, reset_db
from bot.ent.service import EntService
from tests.helpers.live import demo_service, who

DIRECTOR = who("directeur.papillons", "directeur")
TEACHER = who("enseignant.papillons", "enseignant")
PARENT = who("parent.papillons", "parent")


@pytest.fixture(scope="module")
def ent() -> EntService:
    """The seeded demo backend, shared by the read-only tests of this module."""
    return demo_service()


def rows(service: EntService, query):
    with session_scope(service._factory) as session:
        return session.execute(query).all()


# --- the demo seed ----------------------------------------------------------------
def test_seed_is_a_circonscription_of_at_least_three_schools(ent):
    schools = rows(ent, select(m.School.name, m.School.circonscription))
    assert len(schools) >= 3
    assert len({c for _, c in schools}) == 1
    assert "École des Papillons" in {n for n, _ in schools}


def test_seed_has_the_demo_logins(ent):
    logins = {login for (login,) in rows(ent, select(m.Account.login))}
    for login in (
        "directeur.papillons",
        "enseignant.papillons",
        "parent.papillons",
        "parent.sms.papillons",
        "parent.etablissement.papillons",
        "parent.nonactive.papillons",
        "parent.lefebvre1.papillons",
        "parent.lefebvre2.papillons",
        "famille.accueil.papillons",
        "invite.papillons",
        "remplacant.papillons",
        "directeur.tilleuls",
        "parent.tilleuls",
    ):
        assert login in logins


def test_seed_is_deterministic():
    def snapshot(service: EntService):
        return rows(
            service,
            select(m.Person.first_name, m.Person.last_name, m.Person.profile, m.Account.login)
            .join(m.Account, m.Account.person_id == m.Person.id)
            .order_by(m.Person.id),
        )

    assert snapshot(demo_service()) == snapshot(demo_service())


def test_init_creates_and_seeds_once_and_is_fast_the_second_time():
    engine = make_engine("sqlite://")
    assert init_db(engine) is True
    started = time.perf_counter()
    assert init_db(engine) is False
    assert time.perf_counter() - started < 1.0
    factory = make_session_factory(engine)
    with session_scope(factory) as session:
        count = session.execute(select(func.count(m.School.id))).scalar_one()
    reset_db(engine)
    with session_scope(factory) as session:
        assert session.execute(select(func.count(m.School.id))).scalar_one() == count


def test_session_scope_rolls_back_on_error():
    service = demo_service()
    with pytest.raises(RuntimeError), session_scope(service._factory) as session:
        session.add(m.Feedback(answer_key="x", question="q", vote="up"))
        session.flush()
        raise RuntimeError("boom")
    assert rows(service, select(m.Feedback.id)) == []


# --- 1. classes -----------------------------------------------------------------
def test_director_sees_the_cp_class_without_pupils_and_the_ce1_class_with_pupils(ent):
    cp = ent.find_classes(DIRECTOR, "CP")
    assert [c.label for c in cp] == ["CP"]
    result = ent.class_pupils(DIRECTOR, cp[0].id)
    assert result.pupil_count == 0 and result.first_class and result.families_fed
    ce1 = ent.find_classes(DIRECTOR, "ce1")[0]
    result = ent.class_pupils(DIRECTOR, ce1.id)
    assert result.pupil_count >= 3 and result.teacher_names == ("Nadia Benali",)


def test_classes_are_listed_in_school_order(ent):
    labels = [c.label for c in ent.list_classes(DIRECTOR)]
    assert labels == ["PS-MS", "GS", "CP", "CE1", "CE2-CM1", "CM2"]


def test_teacher_sees_classes_of_own_schools_only(ent):
    own = {c.id for c in ent.list_classes(TEACHER)}
    other = {c.id for c in ent.list_classes(who("directeur.tilleuls", "directeur"))}
    assert own and other and not own & other
    with pytest.raises(NotAllowed):
        ent.class_pupils(TEACHER, next(iter(other)))


# --- 2. parents -----------------------------------------------------------------
def test_namesakes_are_both_found_and_told_apart_by_their_children(ent):
    found = ent.find_parents(DIRECTOR, "Lefebvre")
    assert [p.display_name for p in found] == ["Claire Lefebvre", "Julien Lefebvre"]
    assert found[0].children != found[1].children
    assert [p.display_name for p in ent.find_parents(DIRECTOR, "Mme Claire LEFEBVRE")] == ["Claire Lefebvre"]


def test_parent_of_another_school_is_not_found(ent):
    assert ent.find_parents(DIRECTOR, "Aurélie Martin") == []
    assert [p.display_name for p in ent.find_parents(DIRECTOR, "Marion Lefebvre")] == []


@pytest.mark.parametrize(
    "login,origin",
    [
        ("parent.papillons", "franceconnect"),
        ("parent.sms.papillons", "responsable"),
        ("parent.etablissement.papillons", "etablissement"),
        ("parent.nonactive.papillons", None),
    ],
)
def test_activation_origins(ent, login, origin):
    (person_id,) = rows(
        ent,
        select(m.Account.person_id).where(m.Account.login == login),
    )[0]
    result = ent.parent_activation(DIRECTOR, person_id)
    assert result.origin == origin and not result.manual_account
    assert (result.activated_at is None) == (origin is None)


def test_foster_family_is_a_manual_account(ent):
    found = ent.find_parents(DIRECTOR, "Morel")
    result = ent.parent_activation(DIRECTOR, found[0].id)
    assert result.manual_account and result.origin is None


# --- 3. rollover ----------------------------------------------------------------
@pytest.mark.parametrize(
    "login,role,phase",
    [
        ("directeur.papillons", "directeur", "classes"),
        ("directeur.moulin", "directeur", "fin_aout"),
        ("directeur.jaures", "directeur", "bascule_faite"),
        ("parent.papillons", "parent", "classes"),
        ("famille.accueil.papillons", "parent", "classes"),
        ("directeur.tilleuls", "directeur", "classes"),
    ],
)
def test_rollover_phase_follows_the_feeds(ent, login, role, phase):
    statuses = ent.rollover_status(who(login, role))
    assert [s.phase for s in statuses] == [phase]
    assert {f.file for f in statuses[0].feeds} == set(m.FEED_FILES)


def test_replacement_teacher_sees_both_schools(ent):
    statuses = ent.rollover_status(who("remplacant.papillons", "enseignant"))
    assert {s.school_name for s in statuses} == {"École des Papillons", "École des Tilleuls"}


# --- 4. children ----------------------------------------------------------------
def test_parent_children_one_in_ce1_one_not_fed_yet(ent):
    children = {c.first_name: c for c in ent.my_children(PARENT)}
    assert children["Emma"].class_label == "CE1" and children["Emma"].attached_to_account
    assert children["Hugo"].class_label is None and children["Hugo"].last_year_class == "GS"
    assert not children["Hugo"].attached_to_account


# --- 5. teachers ----------------------------------------------------------------
def test_teacher_attached_to_school_but_not_to_a_class(ent):
    (school,) = ent.my_classes(TEACHER)
    assert school.school_name == "École des Papillons" and school.classes == ()


def test_director_sees_left_teacher_and_replacement_flagged(ent):
    teachers = {t.display_name: t for t in ent.school_teachers(DIRECTOR).teachers}
    assert not teachers["Marc Delattre"].in_latest_feed
    assert not teachers["Marc Delattre"].is_home_school
    assert not teachers["Julie Caron"].in_latest_feed and teachers["Julie Caron"].is_home_school
    assert teachers["Thomas Girard"].in_latest_feed and teachers["Thomas Girard"].classes == ()


# --- 6, 7, 8. director's housekeeping ------------------------------------------------
def test_cleanup_report(ent):
    report = ent.cleanup_report(DIRECTOR)
    removal = {a.display_name: a.removal for a in report.manual_accounts}
    assert removal == {"Nathalie Morel": "Pré-supprimer le compte", "Paul Verhaeghe": "Supprimer le compte"}
    assert [g.name for g in report.old_groups] == ["APE"]
    assert [f.name for f in report.favourites] == ["Équipe 2024-2025"]
    assert report.old_groups[0].share_count == 1


def test_access_blocking(ent):
    state = ent.access_blocking(DIRECTOR)
    assert state.pupils_blocked and not state.parents_blocked


def test_gar_group(ent):
    report = ent.gar_group(DIRECTOR)
    assert set(report.members) == {"Isabelle Roussel", "Nadia Benali"}
    assert report.pending_additions == ("Thomas Girard",)
    assert "Julie Caron" in report.missing_teachers
    assert "Marc Delattre" not in report.missing_teachers  # left: flagged by question 5 instead


# --- who may ask ------------------------------------------------------------------
def test_role_in_token_must_match_the_profile(ent):
    with pytest.raises(NotAllowed):
        ent.access_blocking(who("parent.papillons", "directeur"))
    with pytest.raises(NotAllowed):
        ent.my_children(who("inconnu.papillons", "parent"))


def test_not_allowed_carries_no_detail(ent):
    with pytest.raises(NotAllowed) as error:
        ent.gar_group(TEACHER)
    assert str(error.value) == "" and error.value.args == ("",)


def test_role_of_login(ent):
    assert ent.role_of("directeur.papillons") == "directeur"
    assert ent.role_of("famille.accueil.papillons") == "parent"
    assert ent.role_of("invite.papillons") == "autre"
    assert ent.role_of("personne") is None


# --- names with quotes, SQL and HTML -------------------------------------------------
def test_names_with_quotes_sql_and_html_are_plain_data():
    service = demo_service()
    nasty = [
        ("Robert'); DROP TABLE ent_people;--", "O'Brien"),
        ("<script>alert(1)</script>", "Dupont"),
        ('Jean "Jo"', "D'Almeida-Ñúñez"),
    ]
    with session_scope(service._factory) as session:
        school_class = session.execute(
            select(m.SchoolClass)
            .where(m.SchoolClass.label == "CE1", m.SchoolClass.school_year == "2025-2026")
            .join(m.School)
            .where(m.School.name == "École des Papillons")
        ).scalar_one()
        for i, (first, last) in enumerate(nasty):
            parent = m.Person(first_name=first, last_name=last, profile=m.PARENT)
            child = m.Person(first_name=f"Enfant{i}", last_name=last, profile=m.PUPIL)
            session.add_all([parent, child])
            session.flush()
            session.add(m.Account(person_id=parent.id, login=f"nasty{i}", source=m.SOURCE_ONDE))
            session.add(m.Enrolment(pupil_id=child.id, class_id=school_class.id))
            session.add(m.ParentLink(parent_id=parent.id, child_id=child.id))
    assert [p.display_name for p in service.find_parents(DIRECTOR, "O'Brien")] == [
        "Robert'); DROP TABLE ent_people;-- O'Brien"
    ]
    assert len(service.find_parents(DIRECTOR, "'; DROP TABLE ent_people;--")) <= 1
    assert service.find_parents(DIRECTOR, "%") == []
    assert [p.display_name for p in service.find_parents(DIRECTOR, "d'almeida-nunez")] == [
        'Jean "Jo" D\'Almeida-Ñúñez'
    ]
    assert [p.display_name for p in service.find_parents(DIRECTOR, "<script>alert(1)</script>")] == [
        "<script>alert(1)</script> Dupont"
    ]
    engine = service._factory.kw["bind"]
    assert "ent_people" in inspect(engine).get_table_names()
    assert rows(service, select(func.count(m.Person.id)))[0][0] > 50


# --- feedback ---------------------------------------------------------------------
def test_record_feedback_stores_a_row_without_contact_details():
    service = demo_service()
    service.record_feedback("activer_educonnect", "mon mail est jean@exemple.fr, tel 06 12 34 56 78", "down")
    service.record_feedback("liberer_espace", None, "up")
    stored = rows(
        service, select(m.Feedback.answer_key, m.Feedback.question, m.Feedback.vote).order_by(m.Feedback.id)
    )
    assert stored[0][0] == "activer_educonnect" and stored[0][2] == "down"
    assert "jean@exemple.fr" not in stored[0][1] and "06 12 34 56 78" not in stored[0][1]
    assert stored[1] == ("liberer_espace", None, "up")
    with pytest.raises(ValueError):
        service.record_feedback("x", "q", "maybe")


def test_feedback_question_is_masked_at_write_time_with_the_report_masking():
    service = demo_service()
    question = "Bonjour, ma fille Emma Lambert ne voit pas sa classe, écrivez à sophie.lambert@exemple.fr ou au 06 12 34 56 78"
    service.record_feedback("utter_faq/classe", question, "down")
    (stored,) = rows(service, select(m.Feedback.question).order_by(m.Feedback.id.desc()).limit(1))[0]
    for personal in ("Emma", "Lambert", "sophie", "06 12"):
        assert personal not in stored, stored
    assert "[nom]" in stored and "[e-mail]" in stored and "[téléphone]" in stored
    assert stored.startswith("Bonjour") and "ne voit pas sa classe" in stored


def test_a_ticket_is_stored_once_even_by_a_new_service_after_a_restart():
    service = demo_service()
    service.record_feedback("utter_faq/x", "question", "up", ticket_id="ticket-1")
    restarted = EntService(service._factory)  # same database, nothing kept in memory
    with pytest.raises(AlreadyRecorded):
        restarted.record_feedback("utter_faq/x", "question", "down", ticket_id="ticket-1")
    assert rows(service, select(func.count(m.Feedback.id)))[0][0] == 1
    assert rows(service, select(func.count(m.FeedbackTicket.id)))[0][0] == 1


# --- account state: blocked in bulk, never activated ------------------------------------
@pytest.mark.parametrize(
    "login,role",
    [
        ("parent.tilleuls", "parent"),  # the Tilleuls block parents' access in bulk
        ("parent.lefebvre.tilleuls", "parent"),
        ("invite.papillons", "autre"),  # manual account never activated
        ("parent.nonactive.papillons", "parent"),  # account never activated
    ],
)
def test_blocked_or_never_activated_accounts_get_no_live_answer(ent, login, role):
    for question in (ent.rollover_status, ent.my_children, ent.list_classes):
        with pytest.raises(AccountRefused) as error:
            question(who(login, role))
        assert isinstance(error.value, NotAllowed) and str(error.value) == ""


def test_unblocking_the_parents_gives_answers_again():
    service = demo_service()
    parent = who("parent.tilleuls", "parent")
    with pytest.raises(AccountRefused):
        service.my_children(parent)
    with session_scope(service._factory) as session:
        for block in session.execute(
            select(m.AccessBlock).where(m.AccessBlock.profile == m.PARENT)
        ).scalars():
            block.blocked = False
    assert [c.first_name for c in service.my_children(parent)] == ["Jade"]


def test_activating_the_manual_account_gives_answers_again():
    service = demo_service()
    guest = who("invite.papillons", "autre")
    with pytest.raises(AccountRefused):
        service.rollover_status(guest)
    with session_scope(service._factory) as session:
        account = session.execute(select(m.Account).where(m.Account.login == "invite.papillons")).scalar_one()
        account.activated = True
    assert [s.school_name for s in service.rollover_status(guest)] == ["École des Papillons"]


# --- backend unavailable -------------------------------------------------------------
def test_unreachable_database_is_backend_unavailable():
    service = EntService.from_url("postgresql://nobody:secret@127.0.0.1:9/ent")
    started = time.perf_counter()
    with pytest.raises(BackendUnavailable) as error:
        service.list_classes(DIRECTOR)
    assert time.perf_counter() - started < 3
    assert "secret" not in str(error.value)


def test_database_without_tables_is_backend_unavailable(tmp_path):
    service = EntService.from_url(f"sqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(BackendUnavailable):
        service.rollover_status(PARENT)


@pytest.mark.skipif(not os.environ.get("ENT_TEST_POSTGRES_URL"), reason="ENT_TEST_POSTGRES_URL not set")
def test_postgresql_backend():
    engine = make_engine(os.environ["ENT_TEST_POSTGRES_URL"])
    reset_db(engine)
    service = EntService(make_session_factory(engine))
    assert ent_results(service) == ent_results(demo_service())


def ent_results(service: EntService) -> tuple:
    """A few answers, to compare two backends."""
    cp = service.find_classes(DIRECTOR, "CP")[0]
    return (
        service.class_pupils(DIRECTOR, cp.id).pupil_count,
        [p.display_name for p in service.find_parents(DIRECTOR, "Lefebvre")],
        [s.phase for s in service.rollover_status(PARENT)],
        [c.first_name for c in service.my_children(PARENT)],
        service.gar_group(DIRECTOR).pending_additions,
    )
