"""/staff: who may see it, what it shows (escaped), closing, CSV, the reads module."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from datetime import datetime, timezone

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.ent.service import EntService
from bot.identity import Identity, mint_token
from portal.server import create_app
from portal.staff import WARM_UP
from portal.staff_data import StaffReads
from tests.helpers.secret import TEST_SECRET
from tools.measure.staff_history import generate, user_event

DIRECTOR = Identity("directeur.papillons", "directeur")
PARENT = Identity("parent.papillons", "parent")


def bearer(login: str, role: str) -> dict[str, str]:
    return {"Authorization": "Bearer " + mint_token(login, role, secret=TEST_SECRET)}


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("staff") / "conversations.db"
    generate(path, 300)
    return f"sqlite:///{path}"


@pytest.fixture
async def portal(ent_env, history):
    app = create_app("http://127.0.0.1:9", None, dev=False, service=EntService(), conversation_store=history)
    client = TestClient(TestServer(app))
    await client.start_server()
    yield client
    await client.close()


@pytest.mark.parametrize(
    "headers",
    [
        {},
        bearer("parent.papillons", "parent"),
        bearer("enseignant.papillons", "enseignant"),
        bearer("directeur.papillons", "parent"),  # the token's role must match the account
        {"Authorization": "Bearer not-a-token"},
    ],
)
async def test_only_directors_and_the_erun_get_the_page(portal, headers):
    response = await portal.get("/staff", headers=headers)
    assert response.status == 403
    page = await response.text()
    assert "Accès réservé" in page and "Demandes à traiter" not in page
    assert (await portal.get("/staff/export/demandes.csv", headers=headers)).status == 403


@pytest.mark.parametrize("login,role", [("directeur.papillons", "directeur"), ("erun.demo", "erun")])
async def test_the_page_for_staff(portal, login, role):
    response = await portal.get("/staff", headers=bearer(login, role))
    assert response.status == 200
    page = await response.text()
    for heading in ("Demandes à traiter", "Activité des 30 derniers jours", "Questions restées sans réponse"):
        assert heading in page
    assert page.count('<svg class="chart"') == 4 and 'role="img"' in page
    assert "le truc bleu ne marche plus" in page  # an unanswered question of the history
    assert "06 12 34 56 78" not in page and "[téléphone]" in page  # masked
    assert response.headers["Cache-Control"] == "no-store"


async def test_a_stored_question_cannot_inject_markup_and_the_director_closes_it(portal):
    service = EntService()
    attack = '<script>alert("x")</script><img src=x onerror=alert(1)> =HYPERLINK("http://evil")'
    sent = service.submit_handoff(PARENT, f"xss-{time.time()}", [attack], "<b>gras</b>")
    page = await (await portal.get("/staff", headers=bearer("directeur.papillons", "directeur"))).text()
    assert f'id="demande-{sent.id}"' in page
    assert "<script>alert" not in page and "<img src=x" not in page and "<b>gras" not in page
    assert "&lt;script&gt;alert" in page
    csv = await (
        await portal.get("/staff/export/demandes.csv", headers=bearer("directeur.papillons", "directeur"))
    ).text()
    assert csv.startswith("\ufeffnumero;") and str(sent.id) in csv
    # Nobody else closes it; the director does.
    for login, role in [
        ("directeur.tilleuls", "directeur"),
        ("erun.demo", "erun"),
        ("parent.papillons", "parent"),
    ]:
        response = await portal.post(
            f"/api/staff/requests/{sent.id}/close", json={}, headers=bearer(login, role)
        )
        assert response.status == 403
    response = await portal.post(
        f"/api/staff/requests/{sent.id}/close", json={}, headers=bearer("directeur.papillons", "directeur")
    )
    assert response.status == 200 and (await response.json()) == {"closed": sent.id}
    page = await (await portal.get("/staff", headers=bearer("directeur.papillons", "directeur"))).text()
    assert f'id="demande-{sent.id}"' not in page


async def test_exports_are_csv_and_formulas_are_neutralised(portal):
    for name in ("demandes", "activite", "questions", "reponses"):
        response = await portal.get(
            f"/staff/export/{name}.csv", headers=bearer("directeur.papillons", "directeur")
        )
        assert response.status == 200 and response.content_type == "text/csv"
        assert "attachment" in response.headers["Content-Disposition"]
    from portal.staff import cell

    assert cell("=1+1") == "'=1+1" and cell("@SUM(A1)") == "'@SUM(A1)" and cell("bonjour") == "bonjour"


def test_daily_counts_match_the_store_and_are_read_incrementally(ent_env, history, tmp_path):
    path = tmp_path / "store.db"
    generate(path, 200)
    url = f"sqlite:///{path}"
    reads = StaffReads(EntService(), url)
    days = reads.days(DIRECTOR)
    assert len(days) == 30
    with sqlite3.connect(path) as connection:
        users = connection.execute("SELECT count(*) FROM events WHERE type_name = 'user'").fetchone()[0]
        fallbacks = connection.execute(
            "SELECT count(*) FROM events WHERE intent_name = 'nlu_fallback'"
        ).fetchone()[0]
    assert sum(d.messages for d in days) == users
    assert round(sum(d.fallback_share * d.messages for d in days)) == fallbacks
    # A new message today: only that row is read.
    now = datetime.now(timezone.utc).timestamp()
    with sqlite3.connect(path) as connection:
        new_id = connection.execute(
            "INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, data) VALUES (?,?,?,?,?,?)",
            user_event("new-one", now, "une question toute neuve", "nlu_fallback", None),
        ).lastrowid
    today = reads.days(DIRECTOR)[-1]
    assert reads.activity.last_id == new_id and "new-one" in reads.activity.days[today.day].conversations
    groups, _ = reads.questions(DIRECTOR)
    assert any("une question toute neuve" in (g.question, *g.similar) for g in groups)
    with pytest.raises(Exception) as refused:
        reads.days(PARENT)
    assert type(refused.value).__name__ == "NotAllowed"


def test_while_the_history_is_first_read_the_page_says_so_and_shows_no_partial_figure(ent_env, history):
    """A fresh portal on a long history: the page does not wait for the first read, nor guess."""
    from portal.staff import gather

    reads = StaffReads(EntService(), history)
    reads.activity._lock.acquire()  # the first read is running in another thread
    try:
        assert reads.days(DIRECTOR, wait=0.05) is None
        data = gather(reads, DIRECTOR, 1, 1)
        assert data["days"] is None and data["questions"][0] is None
        assert data["requests"][0] is not None  # the ENT's part of the page is there
    finally:
        reads.activity._lock.release()
    with pytest.raises(Exception) as refused:  # still checked by the backend first
        reads.days(PARENT, wait=0)
    assert type(refused.value).__name__ == "NotAllowed"
    data = gather(reads, DIRECTOR, 1, 1)  # the read is done: every figure, nothing pending
    assert len(data["days"]) == 30 and sum(d.messages for d in data["days"]) > 0
    assert data["questions"][0] and reads.activity.loaded


async def test_a_fresh_portal_page_shows_the_update_note_instead_of_figures(ent_env, history):
    from portal.staff import READS

    app = create_app("http://127.0.0.1:9", None, dev=False, service=EntService(), conversation_store=history)
    client = TestClient(TestServer(app))
    await client.start_server()
    activity = app[READS].activity
    try:
        await asyncio.wait_for(asyncio.shield(app[WARM_UP]), 30)  # the background read is done
        activity.loaded = False  # as if it were still running: the page must not wait
        activity._lock.acquire()
        try:
            page = await (
                await client.get("/staff", headers=bearer("directeur.papillons", "directeur"))
            ).text()
        finally:
            activity._lock.release()
            activity.loaded = True
        assert page.count("Mise à jour en cours") == 2 and "rechargez la page" in page
        pending = page[page.index('id="activite"') : page.index('id="reponses"')]  # activity, questions
        assert "<svg" not in pending and "<table" not in pending and "le truc bleu" not in pending
        assert "Demandes à traiter" in page
        page = await (await client.get("/staff", headers=bearer("directeur.papillons", "directeur"))).text()
        assert "Mise à jour en cours" not in page and page.count('<svg class="chart"') == 4
    finally:
        await client.close()


def test_a_restarted_portal_starts_from_the_saved_counts_and_reads_only_new_rows(ent_env, tmp_path):
    path, snapshot = tmp_path / "store.db", tmp_path / "var" / "staff-activity.json"
    generate(path, 200)
    url = f"sqlite:///{path}"
    first = StaffReads(EntService(), url, snapshot)
    days, questions = first.days(DIRECTOR), first.questions(DIRECTOR)
    assert snapshot.exists() and snapshot.stat().st_mode & 0o777 == 0o600
    saved = snapshot.read_text(encoding="utf-8")
    assert "le truc bleu" not in saved and "06 12 34 56 78" not in saved  # counts and ids, no text
    restarted = StaffReads(EntService(), url, snapshot)
    assert restarted.days(DIRECTOR) == days and restarted.questions(DIRECTOR) == questions
    assert restarted.activity.last_id == first.activity.last_id
    # A new message after the restart is counted once, with its conversation.
    now = datetime.now(timezone.utc).timestamp()
    with sqlite3.connect(path) as connection:
        connection.execute(
            "INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, data) VALUES (?,?,?,?,?,?)",
            user_event("after-restart", now, "une question après le redémarrage", "nlu_fallback", None),
        )
        # Rewrite the old rows: a portal that read the history again would count no fallback.
        connection.execute("UPDATE events SET intent_name = 'greet' WHERE sender_id != 'after-restart'")
    today = restarted.days(DIRECTOR)[-1]
    assert today.messages == days[-1].messages + 1 and today.conversations == days[-1].conversations + 1
    again = StaffReads(EntService(), url, snapshot)  # saved after the new row: starts from there
    assert [d.fallback_share for d in again.days(DIRECTOR)] == [
        d.fallback_share for d in restarted.days(DIRECTOR)
    ]
    assert sum(d.fallback_share * d.messages for d in again.days(DIRECTOR)) > 1
    # Another store, or this one reset, is read from the start.
    path.unlink()
    generate(path, 20)
    with sqlite3.connect(path) as connection:
        users = connection.execute("SELECT count(*) FROM events WHERE type_name = 'user'").fetchone()[0]
    assert sum(d.messages for d in StaffReads(EntService(), url, snapshot).days(DIRECTOR)) == users
    other = tmp_path / "other.db"
    generate(other, 20)
    reads = StaffReads(EntService(), f"sqlite:///{other}", snapshot)
    assert sum(d.messages for d in reads.days(DIRECTOR)) == users  # same generator, same 20


async def test_the_identity_switcher_opens_and_closes_the_staff_page(ent_env, history):
    """Development: the switcher's token also goes in an HttpOnly cookie for /staff; sign-out removes it."""
    app = create_app("http://127.0.0.1:9", None, dev=True, service=EntService(), conversation_store=history)
    client = TestClient(TestServer(app))
    await client.start_server()
    try:
        response = await client.post("/api/dev/token", json={"login": "erun.demo"})
        assert response.status == 200 and (await response.json())["role"] == "erun"
        cookie = response.cookies["ent_identity"]
        assert cookie["httponly"] and cookie["samesite"] == "Strict"
        assert (await client.get("/staff")).status == 200
        await client.post("/api/dev/signout", json={})
        assert (await client.get("/staff")).status == 403
        await client.post("/api/dev/token", json={"login": "parent.papillons"})
        assert (await client.get("/staff")).status == 403
    finally:
        await client.close()
