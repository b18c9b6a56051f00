"""The staff side of EntService: votes on answers and hand-off requests, read by directors and the ERUN."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.ent import feedback as fb
from bot.ent import handoff as h
from bot.ent import models as m
from bot.ent import reads, scope
from bot.ent import results as r
from bot.ent.core import ServiceCore
from bot.ent.errors import NotAllowed, TooManyOpen
from bot.identity import Identity


class StaffDesk(ServiceCore):
    """Votes and hand-off requests: stored masked, read only by the staff who receive them."""

    # --- feedback from the web widget ------------------------------------------
    def record_feedback(
        self, answer_key: str, question: str | None, vote: str, ticket_id: str | None = None
    ) -> None:
        """Store a 👍/👎 on an answer, the question masked first (names, e-mails, phone numbers).

        With a ticket id, the vote is stored once: the id is kept with a unique constraint, in
        the same transaction (AlreadyRecorded on a second use, even after a restart).
        """
        if vote not in fb.VOTES:
            raise ValueError("vote must be 'up' or 'down'")
        key = fb.answer_key(answer_key)
        self._run(lambda session: fb.record(session, key, question, vote, ticket_id))

    def forget_used_tickets(self, before: datetime) -> int:
        """Delete the used-ticket rows older than `before` (their tickets have expired); the count."""
        return self._run(lambda session: fb.forget_used_tickets(session, before))

    def feedback_stats(self, viewer: Identity, since: datetime, top: int = 15) -> r.FeedbackStats:
        """Votes since a date for the staff page (directors and the ERUN only).

        Per day, and the answers with the most 👎 with up to 3 of their questions (masked when
        stored).
        """

        def work(session: Session) -> r.FeedbackStats:
            scope.reader_schools(session, scope.viewer(session, viewer))
            return fb.stats(session, since, top)

        return self._run(work)

    # --- hand-off to a person ---------------------------------------

    def handoff_recipient(self, viewer: Identity) -> r.HandoffReceipt:
        """Who would read a request of this viewer (id 0: nothing stored); NotAllowed if nobody."""

        def work(session: Session) -> r.HandoffReceipt:
            person = scope.viewer(session, viewer)
            school = scope.sender_school(session, person)
            return r.HandoffReceipt(
                id=0, recipient=h.SENDERS[person.profile], school_name=school.name, created=False
            )

        return self._run(work)

    def submit_handoff(
        self,
        viewer: Identity,
        key: str,
        questions: list[str],
        note: str | None = None,
        last_answer_key: str | None = None,
    ) -> r.HandoffReceipt:
        """Store a hand-off request once per key.

        A parent's or a teacher's goes to the director, a director's to the ERUN; questions and
        note masked and capped; TooManyOpen past 5 open requests.
        """

        def work(session: Session) -> r.HandoffReceipt:
            person = scope.viewer(session, viewer)
            school = scope.sender_school(session, person)
            names = reads.known_names(session)
            try:
                return h.submit(
                    session,
                    person,
                    school,
                    str(key)[:64],
                    h.masked_questions(questions, names),
                    h.masked_note(note, names),
                    last_answer_key,
                )
            except h.TooManyOpen:
                raise TooManyOpen() from None

        return self._run(work)

    def received_handoffs(
        self, viewer: Identity, status: str | None = m.REQUEST_OPEN, limit: int = 20, offset: int = 0
    ) -> list[r.HandoffInfo]:
        """Requests a director (their school) or an ERUN (their circonscription) received."""

        def work(session: Session) -> list[r.HandoffInfo]:
            person = scope.viewer(session, viewer)
            schools = scope.reader_schools(session, person)
            return h.received(session, person, schools, status, max(1, min(limit, 200)), max(0, offset))

        return self._run(work)

    def close_handoff(self, viewer: Identity, request_id: object) -> r.HandoffInfo:
        """Mark a received request as handled; NotAllowed if the viewer may not see it."""

        def work(session: Session) -> r.HandoffInfo:
            person = scope.viewer(session, viewer)
            schools = scope.reader_schools(session, person)
            try:
                return h.close(session, person, schools, reads.as_int(request_id))
            except LookupError:
                raise NotAllowed() from None

        return self._run(work)
