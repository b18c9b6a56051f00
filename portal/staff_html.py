"""The HTML of `/staff`: the layout, the 403 page and the sections, everything escaped."""

from __future__ import annotations

import html
from collections.abc import Sequence

from aiohttp import web

from bot.ent import results as r
from bot.titles import answer_title
from portal.charts import bar_chart
from portal.staff_data import DAYS, DayRow, QuestionGroup

ROLE_WORDS = {"parent": "parent", "enseignant": "enseignant", "directeur": "direction", "erun": "ERUN"}


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
