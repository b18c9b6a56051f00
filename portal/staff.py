"""`/staff`: the school staff's page (directors, the ERUN).

Open requests, what the assistant misses, the answers voted down, 30 days of activity, CSV
exports.

Who may see it is decided by the backend (EntService), from the signed identity: the
`Authorization: Bearer` header (an ENT in front of the portal), or in development the
HttpOnly cookie set by the demo identity switcher. Anyone else gets a 403 page. Reads go
through portal/staff_data.py; this module only renders (everything escaped).
"""

from __future__ import annotations

import asyncio
import csv
import html
import io
import logging
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, TypeVar

from aiohttp import web

from bot.ent import results as r
from bot.ent.errors import BackendUnavailable, NotAllowed
from bot.identity import MAX_TOKEN_LENGTH, METADATA_KEY, Identity, check_metadata
from bot.titles import answer_title
from portal.charts import bar_chart
from portal.guard import error
from portal.staff_data import DAYS, FIRST_READ_WAIT, DayRow, QuestionGroup, StaffReads

T = TypeVar("T")

logger = logging.getLogger("portal")
READS = web.AppKey("staff_reads", StaffReads)
WARM_UP = web.AppKey("staff_warm_up", asyncio.Task)
COOKIE = "ent_identity"  # development: set by /api/dev/token, HttpOnly, SameSite=Strict
ROLE_WORDS = {"parent": "parent", "enseignant": "enseignant", "directeur": "direction", "erun": "ERUN"}
EXPORTS = ("demandes", "activite", "questions", "reponses")


def identity_of(request: web.Request) -> Identity | None:
    """The signed identity: a Bearer token, else the development cookie."""
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else request.cookies.get(COOKIE, "")
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    return check_metadata({METADATA_KEY: token}).identity


def set_identity_cookie(
    response: web.StreamResponse, request: web.Request, token: str | None, ttl: int
) -> None:
    """Development: the demo identity for /staff (the widget gets the token itself)."""
    if token:
        response.set_cookie(
            COOKIE, token, path="/", max_age=ttl, httponly=True, samesite="Strict", secure=request.secure
        )
    else:
        response.del_cookie(COOKIE, path="/")


async def run(request: web.Request, function: Callable[..., T], *args: object) -> T:
    """A blocking read off the event loop."""
    return await asyncio.get_running_loop().run_in_executor(None, function, *args)


def page_number(request: web.Request, name: str) -> int:
    """A page number from the query string (1 when absent or wrong)."""
    try:
        return max(1, min(int(request.query.get(name, "1")), 10_000))
    except ValueError:
        return 1


# --- the page -----------------------------------------------------------------------
def e(value: object) -> str:
    """Escaped for HTML text and attributes."""
    return html.escape(str(value if value is not None else ""), quote=True)


def answer_label(key: str | None) -> str:
    """The answer's readable title (the key when it has none)."""
    if not key:
        return "–"
    short = key.split("/", 1)[1] if key.startswith(("utter_faq/", "faq/")) else key
    return answer_title(short) or key


def pct(value: float) -> str:
    """A share as « 12 % »."""
    return f"{value * 100:.0f} %"


def layout(title: str, body: str) -> str:
    """The page around a body: the portal's header, one script."""
    return (
        '<!doctype html><html lang="fr"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{e(title)} — ENT Hauts-de-France (démonstration)</title>"
        '<link rel="icon" href="data:,"><link rel="stylesheet" href="/static/portal.css">'
        '<link rel="stylesheet" href="/static/staff.css"></head><body>'
        '<a class="skip-link" href="#main">Aller au contenu</a>'
        '<header class="topbar"><p class="brand">ENT <strong>Hauts-de-France</strong> '
        '<span class="badge">démonstration</span></p><nav aria-label="Services de l\'ENT"><ul>'
        '<li><a href="/">Accueil</a></li><li><a href="/staff" aria-current="page">Espace direction</a></li>'
        f'</ul></nav></header><main id="main" tabindex="-1">{body}</main>'
        '<script src="/static/staff.js"></script></body></html>'
    )


def forbidden_page(reason: str) -> web.Response:
    """The 403 page, with the reason in one sentence."""
    body = (
        "<h1>Accès réservé</h1>"
        f"<p>{e(reason)}</p>"
        "<p>Cette page est réservée à la direction des écoles et à l'ERUN de la circonscription. "
        '<a href="/">Revenir à l\'accueil</a>.</p>'
    )
    return web.Response(
        text=layout("Accès réservé", body), status=403, content_type="text/html", charset="utf-8"
    )


def pager(name: str, page: int, has_next: bool, label: str) -> str:
    """Previous and next page links (none when there is one page)."""
    links = []
    if page > 1:
        links.append(f'<a href="?{name}={page - 1}#{name}">Page précédente</a>')
    if has_next:
        links.append(f'<a href="?{name}={page + 1}#{name}">Page suivante</a>')
    if not links:
        return ""
    return f'<nav class="pager" aria-label="{e(label)}"><p>Page {page}</p>{" ".join(links)}</nav>'


def requests_section(requests: Sequence[r.HandoffInfo], page: int, has_next: bool) -> str:
    """The open requests, with « Traitée » on each."""
    rows = []
    for item in requests:
        questions = "".join(f"<li>{e(q)}</li>" for q in item.questions) or "<li>–</li>"
        who = f"{e(item.requester_name)} ({e(ROLE_WORDS.get(item.requester_role, item.requester_role))})"
        rows.append(
            f'<tr id="demande-{item.id}"><th scope="row">{item.id}</th>'
            f"<td>{item.created_at:%d/%m/%Y %H:%M}</td><td>{who}</td><td>{e(item.school_name)}</td>"
            f'<td><ul class="questions">{questions}</ul></td><td>{e(item.note or "–")}</td>'
            f"<td>{e(answer_label(item.last_answer_key))}</td>"
            f'<td><form class="close-form" data-id="{item.id}"><button type="submit">'
            f'Traitée<span class="sr-only"> : demande {item.id}</span></button></form></td></tr>'
        )
    table = (
        '<div class="scroll" tabindex="0" role="region" aria-labelledby="demandes-t">'
        '<table><caption id="demandes-t">Demandes ouvertes, les plus récentes d\'abord</caption><thead><tr>'
        '<th scope="col">N°</th><th scope="col">Reçue le</th><th scope="col">De</th><th scope="col">École</th>'
        '<th scope="col">Questions (noms, e-mails et téléphones masqués)</th><th scope="col">Précision</th>'
        '<th scope="col">Dernière réponse donnée</th><th scope="col">Action</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
        if rows
        else "<p>Aucune demande en attente.</p>"
    )
    return (
        '<section aria-labelledby="demandes"><h2 id="demandes">Demandes à traiter</h2>'
        "<p>Répondez à la personne par l'école (cahier de liaison, messagerie de l'ENT, téléphone), "
        "puis marquez la demande comme traitée.</p>"
        '<p id="staff-status" role="status"></p>'
        f"{table}{pager('demandes', page, has_next, 'Pages des demandes')}"
        '<p><a href="/staff/export/demandes.csv">Exporter les demandes ouvertes (CSV)</a></p></section>'
    )


PENDING = (
    '<p class="pending" role="status">Mise à jour en cours : le portail vient de démarrer et lit '
    "l'historique des conversations. Ces chiffres seront affichés dans quelques secondes : "
    '<a href="/staff#{anchor}">rechargez la page</a>.</p>'
)


def activity_section(days: Sequence[DayRow] | None) -> str:
    """The 30 days: four charts and their table (a note while the history is being read)."""
    if days is None:
        return (
            f'<section aria-labelledby="activite"><h2 id="activite">Activité des {DAYS} derniers jours</h2>'
            f"{PENDING.format(anchor='activite')}</section>"
        )
    labels = [f"{d.day:%d/%m}" for d in days]

    def series(values: list[float]) -> list[tuple[str, float]]:
        return list(zip(labels, values, strict=True))

    charts = [
        bar_chart("c-conv", "Conversations par jour", series([d.conversations for d in days])),
        bar_chart("c-msg", "Messages par jour", series([d.messages for d in days])),
        bar_chart("c-fb", "Part des messages incompris", series([d.fallback_share for d in days]), pct, 1.0),
        bar_chart("c-down", "Part des avis négatifs", series([d.down_share for d in days]), pct, 1.0),
    ]
    titles = [
        "Conversations par jour",
        "Messages par jour",
        "Part des messages incompris",
        "Part des avis négatifs",
    ]
    rows = "".join(
        f'<tr><th scope="row">{d.day:%d/%m/%Y}</th><td>{d.conversations}</td><td>{d.messages}</td>'
        f"<td>{pct(d.fallback_share)}</td><td>{d.votes}</td><td>{pct(d.down_share)}</td></tr>"
        for d in reversed(days)
    )
    return (
        f'<section aria-labelledby="activite"><h2 id="activite">Activité des {DAYS} derniers jours</h2>'
        f'<div class="charts">{"".join(figure(t, c) for t, c in zip(titles, charts, strict=True))}</div>'
        '<div class="scroll" tabindex="0" role="region" aria-labelledby="activite-t">'
        f'<table><caption id="activite-t">Chiffres par jour (les graphiques ci-dessus)</caption><thead><tr>'
        '<th scope="col">Jour</th><th scope="col">Conversations</th><th scope="col">Messages</th>'
        '<th scope="col">Part incomprise</th><th scope="col">Avis</th><th scope="col">Part d\'avis négatifs</th>'
        f"</tr></thead><tbody>{rows}</tbody></table></div>"
        '<p><a href="/staff/export/activite.csv">Exporter l\'activité (CSV)</a></p></section>'
    )


def figure(title: str, chart: str) -> str:
    """A chart with its visible title (the chart's numbers are in the table below)."""
    return f'<figure><figcaption aria-hidden="true">{e(title)}</figcaption>{chart}</figure>'


def questions_section(groups: Sequence[QuestionGroup] | None, page: int, has_next: bool) -> str:
    """The unanswered questions, grouped (a note while the history is being read)."""
    if groups is None:
        return (
            '<section aria-labelledby="questions"><h2 id="questions">Questions restées sans réponse</h2>'
            f"{PENDING.format(anchor='questions')}</section>"
        )
    rows = "".join(
        f"<tr><td>{g.count}</td><td>{e(g.question)}</td><td>{'<br>'.join(e(s) for s in g.similar) or '–'}</td></tr>"
        for g in groups
    )
    table = (
        '<div class="scroll" tabindex="0" role="region" aria-labelledby="questions-t">'
        '<table><caption id="questions-t">Questions regroupées par ressemblance, les plus fréquentes '
        'd\'abord</caption><thead><tr><th scope="col">Fois</th><th scope="col">Question</th>'
        f'<th scope="col">Questions semblables</th></tr></thead><tbody>{rows}</tbody></table></div>'
        if rows
        else "<p>Aucune question sans réponse sur la période.</p>"
    )
    return (
        '<section aria-labelledby="questions"><h2 id="questions">Questions restées sans réponse</h2>'
        f"<p>Ce que l'assistant n'a pas compris ou qui sortait de son sujet ({DAYS} derniers jours, "
        "noms, e-mails et téléphones masqués).</p>"
        f"{table}{pager('questions', page, has_next, 'Pages des questions')}"
        '<p><a href="/staff/export/questions.csv">Exporter les questions (CSV)</a></p></section>'
    )


def answers_section(answers: Sequence[r.AnswerVotes]) -> str:
    """The answers with the most 👎."""
    rows = "".join(
        f"<tr><td>{e(answer_label(a.answer_key))}</td><td>{a.down}</td><td>{a.up}</td>"
        f"<td>{'<br>'.join(e(q) for q in a.questions) or '–'}</td></tr>"
        for a in answers
    )
    table = (
        '<div class="scroll" tabindex="0" role="region" aria-labelledby="reponses-t">'
        '<table><caption id="reponses-t">Réponses avec le plus d\'avis négatifs (👎)</caption><thead><tr>'
        '<th scope="col">Réponse</th><th scope="col">Avis négatifs</th><th scope="col">Avis positifs</th>'
        f'<th scope="col">Questions jugées mal répondues</th></tr></thead><tbody>{rows}</tbody></table></div>'
        if rows
        else "<p>Aucun avis négatif sur la période.</p>"
    )
    return (
        '<section aria-labelledby="reponses"><h2 id="reponses">Réponses les moins utiles</h2>'
        f'{table}<p><a href="/staff/export/reponses.csv">Exporter les réponses (CSV)</a></p></section>'
    )


def gather(reads: StaffReads, viewer: Identity, requests_page: int, questions_page: int) -> dict[str, Any]:
    """Every read of the page (blocking; NotAllowed if the viewer is not staff).

    The page waits at most FIRST_READ_WAIT seconds for the first read of the conversation history
    (a few seconds on a long one, started when the portal starts): until it is done, `days` and
    the questions are None and the page says so.
    """
    requests, more_requests = reads.requests(viewer, requests_page)
    return {
        "requests": (requests, requests_page, more_requests),
        "days": reads.days(viewer, wait=FIRST_READ_WAIT),
        "questions": _questions(reads, viewer, questions_page),
        "answers": reads.answers(viewer),
    }


def _questions(
    reads: StaffReads, viewer: Identity, page: int
) -> tuple[list[QuestionGroup] | None, int, bool]:
    found = reads.questions(viewer, page, wait=0)  # after days(): read, or still reading
    return (None, page, False) if found is None else (found[0], page, found[1])


async def staff_page(request: web.Request) -> web.Response:
    """GET /staff."""
    viewer = identity_of(request)
    if viewer is None:
        return forbidden_page("Connectez-vous à l'ENT avec un compte de direction ou d'ERUN.")
    try:
        data = await run(
            request,
            gather,
            request.app[READS],
            viewer,
            page_number(request, "demandes"),
            page_number(request, "questions"),
        )
    except NotAllowed:
        return forbidden_page("Votre profil ne donne pas accès à cette page.")
    except BackendUnavailable:
        return web.Response(
            text=layout(
                "Indisponible",
                "<h1>Espace direction</h1><p>L'ENT ne répond pas : réessayez dans un instant.</p>",
            ),
            status=503,
            content_type="text/html",
            charset="utf-8",
        )
    role = ROLE_WORDS.get(viewer.role, viewer.role)
    body = (
        "<h1>Espace direction : demandes et suivi de l'assistant</h1>"
        f'<p class="who">Connecté : {e(viewer.login)} ({e(role)})</p>'
        + requests_section(*data["requests"])
        + activity_section(data["days"])
        + questions_section(data["questions"][0], data["questions"][1], data["questions"][2])
        + answers_section(data["answers"])
    )
    return web.Response(text=layout("Espace direction", body), content_type="text/html", charset="utf-8")


async def close_request(request: web.Request) -> web.Response:
    """POST /api/staff/requests/{id}/close (JSON, same origin): mark one request as handled."""
    viewer = identity_of(request)
    if viewer is None:
        return error(403, "forbidden")
    try:
        closed = await run(request, request.app[READS].close, viewer, request.match_info["id"])
    except NotAllowed:
        return error(403, "forbidden")
    except BackendUnavailable:
        return error(503, "backend_unavailable")
    return web.json_response({"closed": closed.id})


# --- CSV -------------------------------------------------------------------------------
def cell(value: object) -> str:
    """A CSV cell a spreadsheet will not run as a formula."""
    text = str(value if value is not None else "")
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def export_rows(reads: StaffReads, viewer: Identity, name: str) -> list[list[object]]:
    """The rows of one CSV export, header first (all pages, 500 at most)."""
    if name == "demandes":
        rows: list[list[object]] = [
            ["numero", "recue_le", "de", "role", "ecole", "questions", "precision", "derniere_reponse"]
        ]
        page = 1
        while True:
            items, more = reads.requests(viewer, page)
            rows += [
                [i.id, f"{i.created_at:%Y-%m-%d %H:%M}", i.requester_name, i.requester_role, i.school_name,
                 " | ".join(i.questions), i.note or "", i.last_answer_key or ""]
                for i in items
            ]  # fmt: skip
            if not more or page >= 500:
                return rows
            page += 1
    if name == "activite":
        header: list[list[object]] = [
            ["jour", "conversations", "messages", "part_incomprise", "avis", "part_avis_negatifs"]
        ]
        return header + [
            [
                f"{d.day:%Y-%m-%d}",
                d.conversations,
                d.messages,
                f"{d.fallback_share:.4f}",
                d.votes,
                f"{d.down_share:.4f}",
            ]
            for d in reads.days(viewer) or []
        ]
    if name == "questions":
        rows = [["fois", "question", "questions_semblables"]]
        page = 1
        while True:
            groups, more = reads.questions(viewer, page) or ([], False)
            rows += [[g.count, g.question, " | ".join(g.similar)] for g in groups]
            if not more or page >= 500:
                return rows
            page += 1
    answers: list[list[object]] = [["reponse", "avis_negatifs", "avis_positifs", "questions"]]
    return answers + [[a.answer_key, a.down, a.up, " | ".join(a.questions)] for a in reads.answers(viewer)]


async def export(request: web.Request) -> web.Response:
    """GET /staff/export/{name}.csv."""
    name = request.match_info["name"]
    if name not in EXPORTS:
        raise web.HTTPNotFound()
    viewer = identity_of(request)
    if viewer is None:
        return forbidden_page("Connectez-vous à l'ENT avec un compte de direction ou d'ERUN.")
    try:
        rows = await run(request, export_rows, request.app[READS], viewer, name)
    except NotAllowed:
        return forbidden_page("Votre profil ne donne pas accès à cette page.")
    except BackendUnavailable:
        return error(503, "backend_unavailable")
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    for row in rows:
        writer.writerow([cell(v) for v in row])
    return web.Response(
        body=("\ufeff" + out.getvalue()).encode("utf-8"),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}-{date.today():%Y-%m-%d}.csv"'},
    )


def add_routes(app: web.Application, reads: StaffReads) -> None:
    """The staff page, its exports and its one action."""
    app[READS] = reads
    app.router.add_get("/staff", staff_page)
    app.router.add_get("/staff/export/{name}.csv", export)
    app.router.add_post("/api/staff/requests/{id:\\d{1,9}}/close", close_request)
    app.on_startup.append(warm_up)
    app.on_cleanup.append(save_counts)


async def warm_up(app: web.Application) -> None:
    """Read the conversation history once in the background (the page does not wait for it)."""

    async def read() -> None:
        try:
            await asyncio.get_running_loop().run_in_executor(None, app[READS].warm_up)
        except Exception as problem:  # noqa: BLE001 - a failed warm-up only makes the first load slower
            logger.warning("staff page: history not read in advance (%s)", type(problem).__name__)

    app[WARM_UP] = asyncio.get_running_loop().create_task(read())


async def save_counts(app: web.Application) -> None:
    """At shutdown: keep the counts read since the last save (portal/staff_snapshot.py)."""
    task = app.get(WARM_UP)
    if task is not None and not task.done():
        task.cancel()  # the thread goes on; save() waits for it through the lock
    try:
        await asyncio.get_running_loop().run_in_executor(None, app[READS].activity.save)
    except Exception as problem:  # noqa: BLE001 - not saving only makes the next start slower
        logger.warning("staff page: counts not saved at shutdown (%s)", type(problem).__name__)
