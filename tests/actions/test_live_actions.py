"""Live actions through the tracker helper: identity, forms with buttons, answers by role, failures."""

from __future__ import annotations

import asyncio
import logging
import time

import jwt
import pytest
from rasa_sdk.events import SlotSet

from actions.forms import (
    ActionAskLiveClass,
    ActionAskLiveParent,
    ValidateLiveClassForm,
    ValidateLiveParentForm,
)
from actions.live import (
    ActionLiveAccessBlocking,
    ActionLiveClassPupils,
    ActionLiveCleanup,
    ActionLiveGarGroup,
    ActionLiveMyChildren,
    ActionLiveParentActivation,
    ActionLiveRolloverStatus,
    ActionLiveStop,
    ActionLiveTeachersClasses,
    reset_events,
)
from actions.phrasing import procedures as guide
from bot.ent import models as m
from bot.ent.db import session_scope
from bot.ent.service import EntService
from tests.action_helper import (
    assert_events,
    buttons_of,
    create_tracker,
    entity,
    guide_text,
    run_action,
    said,
    slot_values,
    texts_of,
)
from tests.helpers.live import demo_service, live_backend, metadata_for, who
from tests.helpers.secret import TEST_SECRET

pytestmark = pytest.mark.asyncio

DIRECTOR = metadata_for("directeur.papillons", "directeur")
TEACHER = metadata_for("enseignant.papillons", "enseignant")
PARENT = metadata_for("parent.papillons", "parent")
ALL_ACTIONS = [
    ActionLiveClassPupils(),
    ActionLiveParentActivation(),
    ActionLiveRolloverStatus(),
    ActionLiveMyChildren(),
    ActionLiveTeachersClasses(),
    ActionLiveCleanup(),
    ActionLiveAccessBlocking(),
    ActionLiveGarGroup(),
]


def class_id(service: EntService, label: str, login: str = "directeur.papillons") -> str:
    return str(next(c.id for c in service.list_classes(who(login, "directeur")) if c.label == label))


def parent_id(service: EntService, name: str, login: str = "directeur.papillons") -> str:
    (found,) = service.find_parents(who(login, "directeur"), name)
    return str(found.id)


# --- who is chatting ---------------------------------------------------------------
# Without a token: the guide's procedure for the same need (its words, and the buttons offered
# under it), a lead-in when only the direction carries it out, then how to get one's own answer.
WITHOUT_TOKEN = {
    "action_live_class_pupils": (
        ["La réponse dépend de votre situation"],
        ["Parent", "Enseignant", "Directeur"],
    ),
    "action_live_parent_activation": (["Vérifiez d'abord l'origine du compte", "Eduline"], []),
    "action_live_rollover_status": (
        ["Bascule de ONDE", "structures – classes"],
        ["Les comptes pendant l'été"],
    ),
    "action_live_my_children": (
        ["confirmez sa date de naissance", "procédure manuelle"],
        ["Un de mes enfants manque dans mon compte"],
    ),
    "action_live_teachers_classes": (
        ["La réponse dépend de votre situation"],
        ["Parent", "Enseignant", "Directeur"],
    ),
    "action_live_cleanup": (
        ["filtre « Sources »", "Pré-supprimer le compte"],
        ["Supprimer les anciens groupes manuels", "Supprimer ses favoris de partage"],
    ),
    "action_live_access_blocking": (["Blocage en lot", "Débloquer"], []),
    "action_live_gar_group": (["Resp-Affect-GAR", "Gérer les utilisateurs du groupe"], []),
}


@pytest.mark.parametrize("action", ALL_ACTIONS, ids=lambda a: a.name())
async def test_without_token_every_live_question_gets_the_guide_then_the_sign_in_note(action):
    messages, events = await run_action(action, create_tracker(intent="x", text="?"))
    procedure = guide.PROCEDURES[action.name()]
    words, titles = WITHOUT_TOKEN[action.name()]
    responses = [m["response"] for m in messages if str(m.get("response")).startswith("utter_faq/")]
    assert responses == [f"utter_faq/{procedure.given}"]
    read = guide_text(messages)
    for word in words:
        assert word in read
    # Rasa's role question of the guide keeps its own buttons; the others are this action's.
    assert [b["title"] for b in buttons_of(messages)] == titles or procedure.given == "classes_manquantes"
    director_only = procedure.roles == guide.DIRECTION
    assert (messages[0].get("response") == "utter_live_for_direction") is director_only
    assert texts_of([messages[-1]]) == said("utter_live_sign_in_note") and "connectez-vous à l'ENT" in read
    assert said("utter_live_no_token") not in read
    assert_events(events, reset_events())


async def test_without_token_a_declared_parent_never_gets_a_directors_menu():
    """The declared role is not verified, but a parent is never told a director's menu as theirs."""
    for action in (ActionLiveGarGroup(), ActionLiveAccessBlocking(), ActionLiveCleanup()):
        messages, _ = await run_action(action, create_tracker(slots={"role": "parent"}))
        assert texts_of(messages) == said("utter_live_no_token") and [
            m.get("response") for m in messages
        ] == ["utter_live_no_token"]
    messages, _ = await run_action(ActionLiveGarGroup(), create_tracker(slots={"role": "directeur"}))
    assert messages[0]["response"] == "utter_faq/resp_affect_gar"  # no lead-in for a director
    messages, _ = await run_action(ActionLiveMyChildren(), create_tracker(slots={"role": "parent"}))
    assert "confirmez sa date de naissance" in guide_text(messages, "parent")
    assert texts_of([messages[-1]]) == said("utter_live_sign_in_note")


async def test_without_token_a_declared_role_reads_its_own_variation():
    messages, _ = await run_action(ActionLiveClassPupils(), create_tracker(slots={"role": "parent"}))
    read = guide_text(messages, "parent")
    assert "Pas d'inquiétude" in read and "Console d'administration" not in read
    messages, _ = await run_action(ActionLiveClassPupils(), create_tracker(slots={"role": "directeur"}))
    assert "Ajouter une classe" in guide_text(messages, "directeur")


async def test_expired_token_gets_the_guide_then_is_explained():
    now = int(time.time())
    token = jwt.encode(
        {"sub": "directeur.papillons", "role": "directeur", "iat": now - 7200, "exp": now - 60},
        TEST_SECRET,
        algorithm="HS256",
    )
    messages, _ = await run_action(ActionLiveGarGroup(), create_tracker(metadata={"ent_token": token}))
    assert [m.get("response") for m in messages if str(m.get("response")).startswith("utter_faq/")] == [
        "utter_faq/resp_affect_gar"
    ]
    assert texts_of([messages[-1]]) == said("utter_live_token_expired") and "expiré" in texts_of(messages)
    assert "Papillons" not in guide_text(messages)


async def test_forged_token_is_treated_as_no_token(caplog):
    forged = jwt.encode(
        {"sub": "directeur.papillons", "role": "directeur", "iat": int(time.time()), "exp": 2**40},
        "not-the-secret-" + "f" * 32,
        algorithm="HS256",
    )
    with caplog.at_level(logging.DEBUG):
        messages, _ = await run_action(
            ActionLiveAccessBlocking(), create_tracker(metadata={"ent_token": forged})
        )
    assert texts_of([messages[-1]]) == said("utter_live_token_invalid")
    assert [m.get("response") for m in messages if str(m.get("response")).startswith("utter_faq/")] == [
        "utter_faq/bloquer_acces"
    ]
    assert "bloqués" not in guide_text(messages) and "Papillons" not in guide_text(messages)
    assert forged not in caplog.text


async def test_saying_i_am_director_does_not_change_the_role():
    tracker = create_tracker(
        intent="inform_role",
        entities=[entity("role", "directeur")],
        text="je suis directeur",
        metadata=PARENT,
        slots={"role": "directeur"},
    )
    messages, _ = await run_action(ActionLiveAccessBlocking(), tracker)
    assert texts_of(messages) == said("utter_live_refused")


# --- 1. class pupils, through the form -----------------------------------------------
async def test_director_cp_question_fills_the_form_then_gets_the_live_answer(live):
    tracker = create_tracker(
        intent="live_class_pupils",
        entities=[entity("class_level", "CP")],
        text="la classe de CP a-t-elle des élèves ?",
        metadata=DIRECTOR,
    )
    _, events = await run_action(ValidateLiveClassForm(), tracker)
    slots = slot_values(events)
    assert slots["live_class"] == class_id(live, "CP") and slots["requested_slot"] is None
    messages, events = await run_action(
        ActionLiveClassPupils(), create_tracker(slots=slots, metadata=DIRECTOR)
    )
    answer = texts_of(messages)
    assert "« CP »" in answer and "aucun élève" in answer and "premières classes" in answer
    assert "rattacher l'enseignant" in answer
    assert_events(events, reset_events())


async def test_level_found_in_the_text_when_nlu_missed_the_entity(live):
    tracker = create_tracker(intent="live_class_pupils", text="combien d'élèves en ce1 ?", metadata=DIRECTOR)
    _, events = await run_action(ValidateLiveClassForm(), tracker)
    assert slot_values(events)["live_class"] == class_id(live, "CE1")


async def test_ce1_has_pupils_and_its_teacher(live):
    tracker = create_tracker(slots={"live_class": class_id(live, "CE1")}, metadata=DIRECTOR)
    answer = texts_of((await run_action(ActionLiveClassPupils(), tracker))[0])
    assert "élèves** dans l'ENT" in answer and "Nadia Benali" in answer


async def test_teacher_not_attached_is_told_the_director_attaches(live):
    tracker = create_tracker(slots={"live_class": class_id(live, "CE1")}, metadata=TEACHER)
    answer = texts_of((await run_action(ActionLiveClassPupils(), tracker))[0])
    assert "pas rattaché(e)" in answer and "direction" in answer


async def test_parent_asking_about_a_class_is_refused_politely(live):
    tracker = create_tracker(
        intent="live_class_pupils",
        entities=[entity("class_level", "CP")],
        text="la classe de CP a-t-elle des élèves ?",
        metadata=PARENT,
    )
    messages, events = await run_action(ValidateLiveClassForm(), tracker)
    assert messages == []
    # FormValidationAction always returns the validated slot: no class chosen, the form ends
    assert slot_values(events) == {"live_class": None, "live_problem": "refused", "requested_slot": None}
    messages, _ = await run_action(
        ActionLiveClassPupils(), create_tracker(slots=slot_values(events), metadata=PARENT)
    )
    # The refusal, then what the guide tells a parent whose child's class is not there yet.
    assert texts_of([messages[0]]) == said("utter_live_refused")
    assert [m.get("response") for m in messages[1:]] == ["utter_faq/classes_manquantes"]
    read = guide_text(messages, "parent")
    assert "Pas d'inquiétude" in read and "Console d'administration" not in read
    assert "CP" not in texts_of(messages) and "élève" not in texts_of(messages)


async def test_no_level_asks_with_a_button_per_class(live):
    tracker = create_tracker(
        intent="live_class_pupils", text="une classe a-t-elle des élèves ?", metadata=DIRECTOR
    )
    _, events = await run_action(ValidateLiveClassForm(), tracker)
    assert slot_values(events)["live_class"] is None and "requested_slot" not in slot_values(events)
    messages, _ = await run_action(ActionAskLiveClass(), tracker)
    buttons = buttons_of(messages)
    assert texts_of(messages) == said("utter_live_which_class")
    assert [b["title"] for b in buttons] == ["PS-MS", "GS", "CP", "CE1", "CE2-CM1", "CM2"]
    assert buttons[2]["payload"] == '/live_inform{{"class_ref": "{}"}}'.format(class_id(live, "CP"))


async def test_button_click_fills_the_class(live):
    tracker = create_tracker(
        intent="live_inform",
        entities=[entity("class_ref", class_id(live, "CM2"))],
        text='/live_inform{"class_ref": "x"}',
        slots={"requested_slot": "live_class"},
        metadata=DIRECTOR,
    )
    _, events = await run_action(ValidateLiveClassForm(), tracker)
    assert slot_values(events) == {
        "live_class": class_id(live, "CM2"),
        "live_problem": None,
        "requested_slot": None,
    }


async def test_typed_level_answers_the_question(live):
    tracker = create_tracker(
        intent="nlu_fallback", text="la cm1", slots={"requested_slot": "live_class"}, metadata=DIRECTOR
    )
    _, events = await run_action(ValidateLiveClassForm(), tracker)
    assert slot_values(events)["live_class"] == class_id(live, "CE2-CM1")


async def test_unknown_class_is_asked_again_then_given_up():
    slots = {"requested_slot": "live_class", "live_tries": 0}
    for attempt in range(1, 4):
        tracker = create_tracker(
            intent="nlu_fallback", text="la classe des dauphins", slots=slots, metadata=DIRECTOR
        )
        messages, events = await run_action(ValidateLiveClassForm(), tracker)
        assert texts_of(messages) == said("utter_live_class_not_found")
        slots = {**slots, **slot_values(events)}
        assert slots["live_tries"] == attempt
    assert slots["requested_slot"] is None
    messages, _ = await run_action(ActionLiveClassPupils(), create_tracker(slots=slots, metadata=DIRECTOR))
    assert texts_of(messages) == said("utter_live_class_give_up")


async def test_another_question_during_the_form_lets_the_rules_take_over():
    tracker = create_tracker(
        intent="faq",
        text="comment libérer de l'espace ?",
        slots={"requested_slot": "live_class"},
        metadata=DIRECTOR,
    )
    messages, events = await run_action(ValidateLiveClassForm(), tracker)
    assert messages == [] and events == []


async def test_stop_clears_the_forms():
    messages, events = await run_action(ActionLiveStop(), create_tracker(intent="deny"))
    assert texts_of(messages) == said("utter_live_stopped")
    assert_events(events, reset_events())


# --- 2. parent activation, through the form ---------------------------------------------
async def test_named_parent_is_found_without_an_entity(live):
    tracker = create_tracker(
        intent="live_parent_activation",
        text="Comment Sophie Lambert a-t-elle activé son compte EduConnect ?",
        metadata=DIRECTOR,
    )
    _, events = await run_action(ValidateLiveParentForm(), tracker)
    slots = slot_values(events)
    assert slots["live_parent"] == parent_id(live, "Sophie Lambert") and slots["requested_slot"] is None
    answer = texts_of(
        (await run_action(ActionLiveParentActivation(), create_tracker(slots=slots, metadata=DIRECTOR)))[0]
    )
    assert "FranceConnect" in answer and "Identifiant oublié" in answer and "Mot de passe oublié" in answer
    assert "recupererLoginResponsable" in answer


async def test_namesakes_are_told_apart_by_buttons(live):
    tracker = create_tracker(
        intent="live_parent_activation",
        entities=[entity("parent_name", "Lefebvre")],
        text="comment le parent Lefebvre a-t-il activé son compte ?",
        metadata=DIRECTOR,
    )
    _, events = await run_action(ValidateLiveParentForm(), tracker)
    slots = slot_values(events)
    assert slots["live_parent"] is None and slots["live_parent_query"] == "Lefebvre"
    messages, _ = await run_action(ActionAskLiveParent(), create_tracker(slots=slots, metadata=DIRECTOR))
    assert texts_of(messages) == said("utter_live_which_namesake")
    titles = [b["title"] for b in buttons_of(messages)]
    assert titles == ["Claire Lefebvre — parent de Léo (CE1)", "Julien Lefebvre — parent de Manon (CM2)"]
    payload = buttons_of(messages)[1]["payload"]
    assert payload == '/live_inform{{"parent_ref": "{}"}}'.format(parent_id(live, "Julien Lefebvre"))
    click = create_tracker(
        intent="live_inform",
        entities=[entity("parent_ref", parent_id(live, "Julien Lefebvre"))],
        text=payload,
        slots={**slots, "requested_slot": "live_parent"},
        metadata=DIRECTOR,
    )
    _, events = await run_action(ValidateLiveParentForm(), click)
    slots = {**slots, **slot_values(events)}
    answer = texts_of(
        (await run_action(ActionLiveParentActivation(), create_tracker(slots=slots, metadata=DIRECTOR)))[0]
    )
    assert answer.startswith("Julien Lefebvre a activé son compte EduConnect **par SMS**")


async def test_name_typed_when_asked(live):
    tracker = create_tracker(
        intent="nlu_fallback", text="Dubois", slots={"requested_slot": "live_parent"}, metadata=DIRECTOR
    )
    _, events = await run_action(ValidateLiveParentForm(), tracker)
    slots = slot_values(events)
    answer = texts_of(
        (await run_action(ActionLiveParentActivation(), create_tracker(slots=slots, metadata=DIRECTOR)))[0]
    )
    assert "identifiants édités par l'école" in answer and "Eduline" in answer and "rééditer" in answer


@pytest.mark.parametrize(
    "name,words",
    [
        ("Patrick Lemaire", ["pas encore activé", "FranceConnect", "SMS", "Eduline"]),
        ("Nathalie Morel", ["compte manuel", "Personnel collectivité et invité"]),
        ("Karim Haddad", ["par SMS", "autonomie", "Mot de passe oublié"]),
    ],
)
async def test_activation_answers(live, name, words):
    slots = {"live_parent": parent_id(live, name)}
    answer = texts_of(
        (await run_action(ActionLiveParentActivation(), create_tracker(slots=slots, metadata=DIRECTOR)))[0]
    )
    for word in words:
        assert word in answer


async def test_unknown_and_other_school_parents_get_the_same_sentence():
    answers = []
    for name in ("Aurélie Martin", "Zorglub Inexistant"):
        tracker = create_tracker(
            intent="nlu_fallback", text=name, slots={"requested_slot": "live_parent"}, metadata=DIRECTOR
        )
        messages, events = await run_action(ValidateLiveParentForm(), tracker)
        answers.append(texts_of(messages))
        assert slot_values(events)["live_parent"] is None
    assert answers == [said("utter_live_parent_not_found"), said("utter_live_parent_not_found")]


@pytest.mark.parametrize("metadata", [TEACHER, PARENT], ids=["teacher", "parent"])
async def test_teacher_and_parent_never_see_activation_origins(live, metadata):
    tracker = create_tracker(
        intent="live_parent_activation",
        text="Comment Karim Haddad a-t-il activé son compte ?",
        metadata=metadata,
    )
    messages, events = await run_action(ValidateLiveParentForm(), tracker)
    assert messages == [] and slot_values(events)["live_problem"] == "refused"
    forged = create_tracker(slots={"live_parent": parent_id(live, "Karim Haddad")}, metadata=metadata)
    messages, _ = await run_action(ActionLiveParentActivation(), forged)
    assert texts_of(messages) == said("utter_live_refused")


# --- 3 to 8 ------------------------------------------------------------------------
async def test_rollover_status_for_a_director():
    answer = texts_of((await run_action(ActionLiveRolloverStatus(), create_tracker(metadata=DIRECTOR)))[0])
    assert "bascule de ONDE : faite le 2 septembre 2025" in answer
    assert "« élèves – parents » : dernière alimentation le 3 septembre 2025 (réussie)" in answer
    assert "rattacher chaque enseignant à sa classe" in answer


async def test_rollover_status_before_the_switch():
    metadata = metadata_for("directeur.moulin", "directeur")
    answer = texts_of((await run_action(ActionLiveRolloverStatus(), create_tracker(metadata=metadata)))[0])
    assert "bascule de ONDE : pas encore faite" in answer and "fin août" in answer
    assert "détacher les enseignants qui ont quitté l'école" in answer


@pytest.mark.parametrize(
    "metadata,words",
    [(PARENT, ["EduConnect", "date de naissance"]), (TEACHER, ["Paramétrage de la classe"])],
    ids=["parent", "teacher"],
)
async def test_rollover_checklist_depends_on_the_role(metadata, words):
    answer = texts_of((await run_action(ActionLiveRolloverStatus(), create_tracker(metadata=metadata)))[0])
    for word in words:
        assert word in answer
    assert "Resp-Affect-GAR" not in answer


async def test_parent_children():
    answer = texts_of((await run_action(ActionLiveMyChildren(), create_tracker(metadata=PARENT)))[0])
    assert (
        "**Emma** (École des Papillons) : classe de CE1 cette année ; rattachement à votre compte : fait"
        in answer
    )
    assert (
        "**Hugo**" in answer
        and "pas encore de classe cette année" in answer
        and "l'an dernier : GS" in answer
    )
    assert "pas encore fait" in answer and "date de naissance" in answer


async def test_teacher_without_class():
    answer = texts_of((await run_action(ActionLiveTeachersClasses(), create_tracker(metadata=TEACHER)))[0])
    assert "École des Papillons** (votre école de rattachement) : pas encore de classe" in answer
    assert "direction" in answer


async def test_director_teacher_list_flags_absent_and_replacement():
    answer = texts_of((await run_action(ActionLiveTeachersClasses(), create_tracker(metadata=DIRECTOR)))[0])
    assert "Marc Delattre : pas encore de classe ; ⚠ n'apparaît pas dans la dernière alimentation" in answer
    assert "Julie Caron" in answer and "**école de rattachement**" in answer
    assert "croix rouge" in answer and "PES" in answer


async def test_cleanup():
    answer = texts_of((await run_action(ActionLiveCleanup(), create_tracker(metadata=DIRECTOR)))[0])
    assert (
        "Nathalie Morel (famille d'accueil), déjà activé : s'il n'a plus lieu d'exister, « Pré-supprimer le compte »"
        in answer
    )
    assert "Paul Verhaeghe (invité), jamais activé" in answer and "« Supprimer le compte »" in answer
    assert "APE (2024-2025) : 3 membres, encore utilisé dans 1 partage" in answer
    assert "Équipe 2024-2025" in answer and "Gérer mes favoris de partage" in answer


async def test_access_blocking():
    answer = texts_of((await run_action(ActionLiveAccessBlocking(), create_tracker(metadata=DIRECTOR)))[0])
    assert "accès des élèves : **bloqués** (depuis le 28 août 2025)" in answer
    assert "accès des parents : ouverts." in answer and "Blocage en lot" in answer


async def test_gar_group():
    answer = texts_of((await run_action(ActionLiveGarGroup(), create_tracker(metadata=DIRECTOR)))[0])
    assert "membres : Nadia Benali et Isabelle Roussel" in answer
    assert "en attente de la prochaine alimentation : Thomas Girard" in answer
    assert "lendemain" in answer and "Julie Caron" in answer


# --- names with quotes, SQL and HTML ---------------------------------------------------
async def test_names_with_html_sql_and_quotes_are_shown_harmlessly():
    service = demo_service()
    with session_scope(service._factory) as session:
        director = session.execute(
            m.Account.__table__.select().where(m.Account.login == "directeur.papillons")
        ).one()
        for i, (first, last) in enumerate(
            [("<img src=x onerror=alert(1)>", "Leroux"), ("Robert'); DROP TABLE ent_people;--", "Leroux")]
        ):
            person = m.Person(first_name=first, last_name=last, profile=m.TEACHER)
            session.add(person)
            session.flush()
            session.add(m.Account(person_id=person.id, login=f"bad{i}", source=m.SOURCE_ACADEMIC))
            school_id = (
                session.execute(
                    m.TeacherAttachment.__table__.select().where(
                        m.TeacherAttachment.person_id == director.person_id
                    )
                )
                .one()
                .school_id
            )
            session.add(m.TeacherAttachment(person_id=person.id, school_id=school_id))
    with live_backend(service):
        answer = texts_of(
            (await run_action(ActionLiveTeachersClasses(), create_tracker(metadata=DIRECTOR)))[0]
        )
    assert "<img" not in answer and "&lt;img src=x onerror=alert(1)&gt; Leroux" in answer
    assert "Robert'); DROP TABLE ent\\_people;-- Leroux" in answer
    assert "Nadia Benali" in answer  # the table is still there


# --- backend unavailable -----------------------------------------------------------------
async def test_unreachable_backend_gives_a_polite_message():
    with live_backend(EntService.from_url("postgresql://nobody@127.0.0.1:9/ent")):
        messages, events = await run_action(ActionLiveRolloverStatus(), create_tracker(metadata=DIRECTOR))
        assert texts_of(messages) == said("utter_live_unavailable")
        _, events = await run_action(
            ValidateLiveClassForm(),
            create_tracker(intent="live_class_pupils", text="le CP ?", metadata=DIRECTOR),
        )
        assert slot_values(events)["live_problem"] == "unavailable"


class SlowService(EntService):
    """A backend that hangs."""

    def rollover_status(self, viewer):
        time.sleep(3)
        return []

    list_classes = rollover_status


async def test_slow_backend_answers_within_two_seconds():
    with live_backend(SlowService()):
        started = time.perf_counter()
        messages, _ = await run_action(ActionLiveRolloverStatus(), create_tracker(metadata=DIRECTOR))
        elapsed = time.perf_counter() - started
    assert texts_of(messages) == said("utter_live_unavailable")
    assert elapsed < 2.5


async def test_the_conversation_goes_on_after_a_failure(live):
    with live_backend(SlowService()):
        await run_action(ActionLiveRolloverStatus(), create_tracker(metadata=DIRECTOR))
    await asyncio.sleep(0)
    messages, _ = await run_action(ActionLiveAccessBlocking(), create_tracker(metadata=DIRECTOR))
    assert "Blocage en lot" in texts_of(messages)


async def test_no_personal_data_in_logs(caplog):
    with caplog.at_level(logging.DEBUG):
        await run_action(ActionLiveMyChildren(), create_tracker(metadata=PARENT))
        await run_action(ActionLiveCleanup(), create_tracker(metadata=DIRECTOR))
        with live_backend(EntService.from_url("postgresql://nobody@127.0.0.1:9/ent")):
            await run_action(ActionLiveMyChildren(), create_tracker(metadata=PARENT))
    for word in ("Emma", "Hugo", "Lambert", "parent.papillons", "Morel", PARENT["ent_token"]):
        assert word not in caplog.text


async def test_events_are_plain_slot_sets():
    assert reset_events()[0] == SlotSet("live_class", None)


async def test_action_server_registers_every_live_action_of_the_domain():
    import yaml
    from rasa_sdk.executor import ActionExecutor

    from bot.paths import ROOT

    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    live_actions = {a for a in domain["actions"] if "live" in a}
    executor = ActionExecutor()
    executor.register_package("actions")
    assert len(live_actions) == 14
    assert live_actions <= set(executor.actions)
    assert {"live_class_form", "live_parent_form"} <= set(domain["forms"])


# --- nothing to list: a fixed sentence (a domain response) ----------------------------------
class EmptyService(EntService):
    """A backend that knows no child and no school for the person."""

    def my_children(self, viewer):
        return []

    def my_classes(self, viewer):
        return []


async def test_no_child_and_no_school_are_said_in_words():
    with live_backend(EmptyService()):
        children, _ = await run_action(ActionLiveMyChildren(), create_tracker(metadata=PARENT))
        classes, _ = await run_action(ActionLiveTeachersClasses(), create_tracker(metadata=TEACHER))
    assert [m["response"] for m in children + classes] == ["utter_live_no_child", "utter_live_no_school"]
    assert "Je ne trouve aucun enfant lié à votre compte dans l'ENT." in texts_of(children)
    assert texts_of(classes) == "Je ne trouve aucune école rattachée à votre compte dans l'ENT."


# --- logged in: the live answer, then a button to the guide's procedure when there is something to do
POINTED = [
    (ActionLiveMyChildren(), PARENT, {}, ["Rattacher mes enfants à mon compte"]),  # Hugo is not attached
    (ActionLiveGarGroup(), DIRECTOR, {}, ["Ajouter les enseignants à Resp-Affect-GAR"]),
    (ActionLiveAccessBlocking(), DIRECTOR, {}, ["Bloquer les accès avant la rentrée"]),
    (
        ActionLiveTeachersClasses(),
        DIRECTOR,
        {},
        ["Détacher un enseignant qui a quitté l'école", "Rattacher un enseignant à sa classe"],
    ),
    (
        ActionLiveCleanup(),
        DIRECTOR,
        {},
        [
            "Supprimer les anciens comptes manuels",
            "Supprimer les anciens groupes manuels",
            "Supprimer ses favoris de partage",
        ],
    ),
    (ActionLiveTeachersClasses(), TEACHER, {}, []),  # the answer already says what follows
    (ActionLiveRolloverStatus(), DIRECTOR, {}, []),  # its checklist is the "what to do"
]


@pytest.mark.parametrize(
    "action,metadata,slots,titles", POINTED, ids=lambda v: getattr(v, "name", lambda: "")()
)
async def test_logged_in_live_answer_points_to_the_procedure(action, metadata, slots, titles):
    messages, _ = await run_action(action, create_tracker(slots=slots, metadata=metadata))
    assert len(messages) == 1 and not messages[0].get("response")  # the live answer, no guide text
    buttons = buttons_of(messages)
    assert [b["title"] for b in buttons] == titles
    # A click sends a training example of the guide's answer (its title, as "Vouliez-vous dire",
    # unless the model reads the title as a live question: tests/unit/test_live_procedures.py).
    assert all(b["payload"] in (b["title"], *guide.PAYLOADS.values()) for b in buttons)


@pytest.mark.parametrize(
    "name,titles",
    [
        ("Dubois", ["Rééditer des identifiants EduConnect"]),  # identifiers issued by the school
        ("Patrick Lemaire", ["Rééditer des identifiants EduConnect"]),  # not activated yet
        ("Sophie Lambert", []),  # FranceConnect: self-service pages, already in the answer
        ("Nathalie Morel", []),  # foster family: manual ENT account
    ],
)
async def test_activation_points_to_reissuing_only_when_the_director_can(live, name, titles):
    slots = {"live_parent": parent_id(live, name)}
    messages, _ = await run_action(
        ActionLiveParentActivation(), create_tracker(slots=slots, metadata=DIRECTOR)
    )
    assert [b["title"] for b in buttons_of(messages)] == titles


@pytest.mark.parametrize(
    "label,titles", [("GS", ["Rattacher un enseignant à sa classe"]), ("CP", []), ("CE1", [])]
)
async def test_class_answer_points_to_attaching_only_with_pupils_and_no_teacher(live, label, titles):
    tracker = create_tracker(slots={"live_class": class_id(live, label)}, metadata=DIRECTOR)
    assert [b["title"] for b in buttons_of((await run_action(ActionLiveClassPupils(), tracker))[0])] == titles
    teacher = create_tracker(slots={"live_class": class_id(live, label)}, metadata=TEACHER)
    assert buttons_of((await run_action(ActionLiveClassPupils(), teacher))[0]) == []  # the director's task
