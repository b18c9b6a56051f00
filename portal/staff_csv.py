"""The CSV exports of `/staff`: rows per export, cells a spreadsheet will not run."""

from __future__ import annotations

from bot.identity import Identity
from portal.staff_data import StaffReads


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
