"""`/staff`: the school staff's page (directors, the ERUN).

Open requests, what the assistant misses, the answers voted down, 30 days of activity, CSV
exports.

Who may see it is decided by the backend (EntService), from the signed identity: the
`Authorization: Bearer` header (an ENT in front of the portal), or in development the
HttpOnly cookie set by the demo identity switcher. Anyone else gets a 403 page. Reads go
through portal/staff_data.py; the HTML is portal/staff_html.py (everything escaped), the CSV
exports portal/staff_csv.py.
"""

from __future__ import annotations

import asyncio
import csv
import io
import logging
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

from aiohttp import web

from bot.ent.errors import BackendUnavailable, NotAllowed
from bot.identity import MAX_TOKEN_LENGTH, METADATA_KEY, Identity, check_metadata
from portal.guard import error
from portal.staff_csv import cell, export_rows
from portal.staff_data import FIRST_READ_WAIT, QuestionGroup, StaffReads
from portal.staff_html import (
    ROLE_WORDS,
    activity_section,
    answers_section,
    e,
    forbidden_page,
    layout,
    questions_section,
    requests_section,
)

T = TypeVar("T")

logger = logging.getLogger("portal")
READS = web.AppKey("staff_reads", StaffReads)
WARM_UP = web.AppKey("staff_warm_up", asyncio.Task)
COOKIE = "ent_identity"  # development: set by /api/dev/token, HttpOnly, SameSite=Strict
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
