"""Hand-off requests in the backend: storage, masking, caps, idempotency, readers."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from bot.ent import models as m
from bot.ent.errors import NotAllowed, TooManyOpen
from bot.ent.handoff import CUT_MARK, MAX_TEXT
from bot.ent.service import EntService
from tests.helpers.live import demo_service, who

PARENT = who("parent.papillons", "parent")
TEACHER = who("enseignant.ce1.papillons", "enseignant")
DIRECTOR = who("directeur.papillons", "directeur")
OTHER_DIRECTOR = who("directeur.tilleuls", "directeur")
ERUN = who("erun.demo", "erun")


@pytest.fixture()
def service() -> EntService:
    return demo_service()


def rows(service: EntService) -> list[m.HandoffRequest]:
    with service._factory() as session:
        return list(session.execute(select(m.HandoffRequest)).scalars())


def test_a_parents_question_reaches_the_director_of_the_childrens_school(service: EntService) -> None:
    receipt = service.submit_handoff(PARENT, "k1", ["comment voir le blog de la classe ?"], None, "blog")
    assert (
        receipt.created and receipt.recipient == "directeur" and receipt.school_name == "École des Papillons"
    )
    [request] = service.received_handoffs(DIRECTOR)
    assert request.id == receipt.id and request.requester_name == "Sophie Lambert"
    assert request.questions == ("comment voir le blog de la classe ?",) and request.last_answer_key == "blog"
    assert service.received_handoffs(OTHER_DIRECTOR) == []
    assert service.received_handoffs(ERUN) == []  # addressed to the director, not the ERUN


def test_a_directors_question_reaches_the_erun_of_the_circonscription(service: EntService) -> None:
    receipt = service.submit_handoff(DIRECTOR, "k2", ["le GAR ne marche pas"])
    assert receipt.recipient == "erun"
    assert [r.id for r in service.received_handoffs(ERUN)] == [receipt.id]
    assert service.received_handoffs(DIRECTOR) == [] and service.received_handoffs(OTHER_DIRECTOR) == []


def test_other_peoples_names_emails_and_phones_are_masked(service: EntService) -> None:
    text = "La maîtresse Nadia Benali m'a dit d'écrire à sophie.l@example.fr ou au 06 12 34 56 78"
    service.submit_handoff(PARENT, "k3", [text], "Merci de rappeler Mme Benali")
    [row] = rows(service)
    assert (
        "Benali" not in row.questions and "example.fr" not in row.questions and "06 12" not in row.questions
    )
    assert "[nom]" in row.questions and "[e-mail]" in row.questions and "[téléphone]" in row.questions
    assert "Benali" not in row.note


def test_a_text_longer_than_2000_characters_is_cut_not_refused(service: EntService) -> None:
    receipt = service.submit_handoff(PARENT, "k4", ["mot " * 1500], "très " * 1000)
    assert receipt.created
    [row] = rows(service)
    assert len(row.questions) <= MAX_TEXT and row.questions.endswith(CUT_MARK.strip())
    assert len(row.note) <= MAX_TEXT


def test_the_same_key_stores_one_request(service: EntService) -> None:
    first = service.submit_handoff(PARENT, "same", ["question"])
    again = service.submit_handoff(PARENT, "same", ["question"])
    assert first.created and not again.created and again.id == first.id
    assert len(rows(service)) == 1


def test_simultaneous_retries_store_one_request(tmp_path) -> None:
    service = EntService.from_url(f"sqlite:///{tmp_path / 'ent.db'}")
    from bot.ent.seed import init_db

    init_db(service._factory.kw["bind"])
    results: list = []
    threads = [
        threading.Thread(target=lambda: results.append(service.submit_handoff(PARENT, "race", ["q"])))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert len({r.id for r in results}) == 1 and sum(r.created for r in results) == 1
    assert len(rows(service)) == 1


def test_at_most_five_open_requests_per_person(service: EntService) -> None:
    for n in range(5):
        service.submit_handoff(TEACHER, f"t{n}", [f"question {n}"])
    with pytest.raises(TooManyOpen):
        service.submit_handoff(TEACHER, "t5", ["une de trop"])
    first = service.received_handoffs(DIRECTOR)[-1]
    service.close_handoff(DIRECTOR, first.id)
    assert service.submit_handoff(TEACHER, "t5", ["une de plus"]).created


def test_closing_a_request(service: EntService) -> None:
    receipt = service.submit_handoff(PARENT, "k5", ["question"])
    closed = service.close_handoff(DIRECTOR, str(receipt.id))
    assert closed.status == m.REQUEST_DONE
    assert service.received_handoffs(DIRECTOR) == []
    assert [r.id for r in service.received_handoffs(DIRECTOR, status=None)] == [receipt.id]
    [row] = rows(service)
    assert row.closed_at is not None and row.closed_by_id is not None


@pytest.mark.parametrize("reader", [OTHER_DIRECTOR, ERUN, PARENT, TEACHER])
def test_nobody_else_may_close_a_request(service: EntService, reader) -> None:
    receipt = service.submit_handoff(PARENT, "k6", ["question"])
    with pytest.raises(NotAllowed):
        service.close_handoff(reader, receipt.id)
    assert rows(service)[0].status == m.REQUEST_OPEN


@pytest.mark.parametrize("viewer", [PARENT, TEACHER, who("invite.papillons", "autre")])
def test_only_directors_and_the_erun_read_requests(service: EntService, viewer) -> None:
    service.submit_handoff(PARENT, "k7", ["question"])
    with pytest.raises(NotAllowed):
        service.received_handoffs(viewer)


def test_an_erun_sees_only_their_circonscription(service: EntService) -> None:
    with service._factory() as session:
        school = m.School(uai="0599999Z", name="École d'ailleurs", circonscription="Autre circonscription")
        session.add(school)
        session.flush()
        person = m.Person(first_name="Yves", last_name="Autre", profile=m.DIRECTOR)
        session.add(person)
        session.flush()
        session.add(
            m.Account(
                person_id=person.id, login="directeur.ailleurs", source=m.SOURCE_ACADEMIC, activated=True
            )
        )
        session.add(m.TeacherAttachment(person_id=person.id, school_id=school.id, is_home_school=True))
        session.commit()
    elsewhere = service.submit_handoff(who("directeur.ailleurs", "directeur"), "k8", ["question d'ailleurs"])
    here = service.submit_handoff(DIRECTOR, "k9", ["question d'ici"])
    assert [r.id for r in service.received_handoffs(ERUN)] == [here.id]
    with pytest.raises(NotAllowed):
        service.close_handoff(ERUN, elsewhere.id)


def test_the_erun_may_not_send_a_request(service: EntService) -> None:
    with pytest.raises(NotAllowed):
        service.submit_handoff(ERUN, "k10", ["question"])


def test_an_older_database_gets_its_erun(tmp_path) -> None:
    from bot.ent.db import make_engine
    from bot.ent.seed import init_db

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    init_db(engine)
    with engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM ent_erun_scopes")
        connection.exec_driver_sql("DELETE FROM ent_accounts WHERE login = 'erun.demo'")
    assert init_db(engine) is False
    with engine.connect() as connection:
        assert (
            connection.exec_driver_sql("SELECT count(*) FROM ent_accounts WHERE login='erun.demo'").scalar()
            == 1
        )
