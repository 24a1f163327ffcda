"""Send a weekly issue to every confirmed subscriber, exactly once.

``send_issue(factory, settings, week=None, dry_run_dir=None)`` is the entry
point of ``tracker newsletter send``, ``tracker run`` and the scheduler.

How "never twice" holds, also when the process is killed and started again:

1. The issue is sent from its archive (``data.json``), built first if needed;
   once sending has begun, ``build_issue`` leaves that archive alone.
2. Every confirmed subscriber gets a ``deliveries`` row (unique per issue and
   address). Rows are *claimed* in batches by this run (``pending`` →
   ``claimed``, an atomic conditional update, so two senders never take one row).
3. Per message, after the server said ``354`` and right before the body goes
   on the wire, the row is committed as ``sending``; after the server's ``250``
   it is committed as ``sent``.
4. A later run finds the rows a dead run left behind: ``claimed`` ones were
   certainly not transmitted and go back to ``pending``; ``sending`` ones may
   or may not have arrived and become ``uncertain``, which are **not** sent
   again unless asked for (``resend_uncertain``): a possible gap is reported,
   a duplicate is never risked.

Transient failures (4xx, a connection lost before the body ended) are retried
in the same run with a growing delay, up to ``smtp.max_attempts`` attempts per
recipient; after that, and at once for permanent failures (5xx), the row is
``failed`` with the server's reply.

A failure that is not about one recipient (the server refuses ``MAIL FROM``,
answers ``421``, cannot be reached, TLS or login fails, the connection drops
before a message) counts against no recipient. It is retried with the same
growing delay; when it persists for ``smtp.max_attempts`` tries in a row, the
whole send is **deferred**: the run stops, every unsent row stays ``pending``
and :class:`SendDeferred` says "deferred, N owed". The next ``newsletter send``
resumes those rows, and also rows an older version failed for such a reason
(:func:`retryable`). Per-recipient refusals (``RCPT TO`` 5xx, a ``DATA``
refusal past the attempt limit) stay ``failed`` and are listed. A recipient who unsubscribed before their
message went out is ``cancelled``. ``dry_run_dir`` writes one ``.eml`` per
recipient who would get the issue and changes nothing in the database.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import heapq
import itertools
import logging
import os
import secrets
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.headerregistry import Address
from pathlib import Path
from typing import Any

from sqlalchemy import and_, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from tracker.config import NewsletterSettings, Settings
from tracker.deliver import tokens
from tracker.deliver.errors import DeliveryError
from tracker.deliver.message import MessageTemplate, message_id, parse_sender
from tracker.deliver.outbox import write_eml
from tracker.deliver.smtp import PermanentFailure, ServerFailure, SmtpSender, TransientFailure, UncertainFailure
from tracker.newsletter import archive
from tracker.newsletter.build import build_issue, record_issue, week_bounds
from tracker.newsletter.content import IssueContext
from tracker.newsletter.render import RenderedIssue, render_issue
from tracker.newsletter.week import parse_week
from tracker.store.db import session_scope
from tracker.store.runs import finish_run, start_run
from tracker.store.tables import Run
from tracker.store.tables.newsletter import Delivery, NewsletterIssue, Subscriber

log = logging.getLogger(__name__)

#: Rows claimed per batch.
BATCH = 200
#: The secret shipped as the default: links signed with it could be forged by anyone.
DEFAULT_SECRET = NewsletterSettings().unsubscribe_secret


class SendDeferred(DeliveryError):
    """The server refused the whole send for now (not one recipient): nothing is lost, the rows are owed."""


def retryable(status: str, smtp_code: int | None, last_error: str | None) -> bool:
    """Whether a ``failed`` row failed for a reason about the server, not the recipient (so it is owed)."""
    if status != "failed":
        return False
    text = last_error or ""
    if smtp_code == 421 or text.startswith("connection lost before the message"):
        return True
    return text.startswith("refused: MAIL FROM") and smtp_code is not None and 400 <= smtp_code < 500


@dataclass
class SendResult:
    week: str
    #: Delivered by this run.
    sent: int = 0
    #: Recipients already sent this issue before this run (never sent again).
    skipped: int = 0
    #: Permanently refused, or transient failures past the attempt limit, in this run.
    failed: int = 0
    #: Interrupted mid-transmission at some point: may or may not have arrived; not resent.
    uncertain: int = 0
    #: Unsubscribed before their message went out.
    cancelled: int = 0
    #: Still to send (the run stopped early).
    pending: int = 0
    dry_run: bool = False
    #: ``.eml`` files written by a dry run.
    written: int = 0
    path: Path | None = None
    #: SMTP connections opened (one for the whole run unless the server dropped it).
    connections: int = 0
    #: ``failed: <address>: <reply>`` and ``uncertain: <address>: <reason>`` lines of this run.
    errors: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out["path"] = str(self.path) if self.path else None
        return out


@dataclass
class _Prepared:
    """What every recipient's message is made from."""

    week: str
    context: IssueContext
    rendered: RenderedIssue
    template: MessageTemplate
    data_hash: str
    domain: str


@dataclass(order=True)
class _Job:
    not_before: float
    seq: int
    id: int = field(compare=False)
    email: str = field(compare=False)
    attempts: int = field(compare=False)


def send_issue(
    factory: sessionmaker[Session],
    settings: Settings,
    week: str | None = None,
    dry_run_dir: Path | None = None,
    *,
    resend_uncertain: bool = False,
    now: dt.datetime | None = None,
    trigger: str = "cli",
    progress: Callable[[SendResult], None] | None = None,
) -> SendResult:
    """Send ``week``'s issue (default: the last complete week) to every confirmed subscriber."""
    iso, tz = week_bounds(settings, week, now)
    folder = archive.issue_dir(settings.newsletter.archive_dir, iso.label)
    if not (folder / archive.DATA).is_file():
        build_issue(factory, settings, iso.label, now=now, trigger=trigger)
    sender = parse_sender(settings.smtp.mail_from)
    prepared = _prepare(folder, iso.label, sender)
    if dry_run_dir is not None:
        return _dry_run(factory, settings, prepared, Path(dry_run_dir))
    if settings.newsletter.unsubscribe_secret in ("", DEFAULT_SECRET):
        raise DeliveryError(
            "set TRACKER_UNSUBSCRIBE_SECRET (newsletter.unsubscribe_secret) before sending: "
            "unsubscribe links signed with the default secret could be forged"
        )
    start, end = iso.bounds(tz)
    result = SendResult(week=iso.label)
    with session_scope(factory) as session:
        issue = _ensure_issue(session, settings, prepared, folder, start, end)
        run = start_run(session, job="newsletter-send", source=None, trigger=trigger, observed_at=end)
        run_id, issue_id = run.id, issue.id
    try:
        _recover(factory, issue_id, resend_uncertain=resend_uncertain)
        result.cancelled += _enqueue(factory, issue_id)
        with session_scope(factory) as session:
            result.skipped = _count(session, issue_id, "sent")
        _deliver(factory, settings, prepared, sender, issue_id, run_id, result, progress)
    except DeliveryError as exc:
        _finish(factory, run_id, issue_id, result, error=exc)
        failed = f", {result.failed} failed for good" if result.failed else ""
        raise SendDeferred(
            f"{exc}: deferred, {result.pending} owed ({result.sent} sent before the failure{failed}, "
            f"{result.pending} still to send: run `tracker newsletter send` again to continue)"
        ) from exc
    except BaseException as exc:
        _finish(factory, run_id, issue_id, result, error=exc)
        raise
    _finish(factory, run_id, issue_id, result, error=None)
    return result


# --------------------------------------------------------------------------- preparation


def _prepare(folder: Path, week: str, sender: Address) -> _Prepared:
    """Render the archived issue once, with a random placeholder where each recipient's unsubscribe link goes."""
    context = archive.read_context(folder)
    placeholder = "tracker-unsubscribe-" + secrets.token_hex(16)
    personal = dataclasses.replace(context, links=dataclasses.replace(context.links, unsubscribe=placeholder))
    rendered = render_issue(personal)
    template = MessageTemplate(
        sender=sender,
        subject=rendered.subject,
        text=rendered.text,
        html_body=rendered.html,
        link_placeholder=placeholder,
        date=dt.datetime.now(dt.UTC),
        list_id=f"weekly.{sender.domain}",
    )
    digest = archive.data_hash(archive.data_bytes(context))
    return _Prepared(week, context, rendered, template, digest, sender.domain)


def _ensure_issue(
    session: Session, settings: Settings, prepared: _Prepared, folder: Path, start: dt.datetime, end: dt.datetime
) -> NewsletterIssue:
    issue = session.scalar(select(NewsletterIssue).where(NewsletterIssue.week == prepared.week))
    if issue is not None:
        return issue
    return record_issue(
        session,
        parse_week(prepared.week),
        tz_name=settings.newsletter.timezone,
        start=start,
        end=end,
        subject=prepared.rendered.subject,
        items=prepared.context.items,
        data_hash=prepared.data_hash,
        path=folder,
        now=dt.datetime.now(dt.UTC),
    )


def _message_for(prepared: _Prepared, settings: Settings, recipient: str) -> bytes:
    link = tokens.link(settings.newsletter.unsubscribe_url, settings.newsletter.unsubscribe_secret, recipient)
    msg_id = message_id(prepared.week, recipient, prepared.data_hash, prepared.domain)
    return prepared.template.render(recipient, link, msg_id)


# --------------------------------------------------------------------------- dry run


def _dry_run(factory: sessionmaker[Session], settings: Settings, prepared: _Prepared, folder: Path) -> SendResult:
    result = SendResult(week=prepared.week, dry_run=True, path=folder)
    with factory() as session:
        issue_id = session.scalar(select(NewsletterIssue.id).where(NewsletterIssue.week == prepared.week))
        done: set[str] = set()
        if issue_id is not None:
            done = set(
                session.scalars(
                    select(Delivery.email).where(
                        Delivery.issue_id == issue_id, Delivery.status.in_(("sent", "sending", "uncertain"))
                    )
                )
            )
        recipients = session.scalars(
            select(Subscriber.email).where(Subscriber.status == "confirmed").order_by(Subscriber.id)
        ).all()
    result.skipped = sum(1 for r in recipients if r in done)
    for index, recipient in enumerate((r for r in recipients if r not in done), start=1):
        write_eml(folder, index, recipient, _message_for(prepared, settings, recipient))
        result.written += 1
    return result


# --------------------------------------------------------------------------- bookkeeping


def _count(session: Session, issue_id: int, status: str) -> int:
    query = select(func.count(Delivery.id)).where(Delivery.issue_id == issue_id, Delivery.status == status)
    return int(session.execute(query).scalar_one())


def _run_alive(run: Run | None) -> bool:
    """Whether the run that claimed rows may still be working on them."""
    if run is None or run.status != "running":
        return False
    if run.host != socket.gethostname()[:255] or run.pid is None:
        return True  # another machine: cannot tell, assume it works
    try:
        os.kill(run.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _recover(factory: sessionmaker[Session], issue_id: int, *, resend_uncertain: bool) -> None:
    """Hand back rows of runs that died; see the module docstring."""
    now = dt.datetime.now(dt.UTC)
    with session_scope(factory) as session:
        run_ids = set(
            session.scalars(
                select(Delivery.run_id)
                .where(Delivery.issue_id == issue_id, Delivery.status.in_(("claimed", "sending")))
                .distinct()
            )
        )
        dead: list[int | None] = []
        for run_id in run_ids:
            run = session.get(Run, run_id) if run_id is not None else None
            if _run_alive(run):
                continue
            dead.append(run_id)
            if run is not None and run.status == "running":
                finish_run(session, run, status="failed", error_message="the sending process died")
        for run_id in dead:
            owner = Delivery.run_id.is_(None) if run_id is None else Delivery.run_id == run_id
            base = and_(Delivery.issue_id == issue_id, owner)
            session.execute(
                update(Delivery).where(base, Delivery.status == "claimed").values(status="pending", updated_at=now)
            )
            session.execute(
                update(Delivery)
                .where(base, Delivery.status == "sending")
                .values(
                    status="uncertain",
                    updated_at=now,
                    last_error="the sender stopped while transmitting: the message may or may not have arrived",
                )
            )
        if resend_uncertain:
            session.execute(
                update(Delivery)
                .where(Delivery.issue_id == issue_id, Delivery.status == "uncertain")
                .values(status="pending", updated_at=now)
            )
        owed = [
            row.id
            for row in session.execute(
                select(Delivery.id, Delivery.status, Delivery.smtp_code, Delivery.last_error).where(
                    Delivery.issue_id == issue_id, Delivery.status == "failed"
                )
            )
            if retryable(row.status, row.smtp_code, row.last_error)
        ]
        if owed:
            session.execute(
                update(Delivery)
                .where(Delivery.id.in_(owed))
                .values(status="pending", attempts=0, updated_at=now)
                .execution_options(synchronize_session=False)
            )


def _enqueue(factory: sessionmaker[Session], issue_id: int) -> int:
    """A pending row per confirmed subscriber without one; pending rows of the unsubscribed cancelled."""
    for attempt in range(3):
        now = dt.datetime.now(dt.UTC)
        try:
            with session_scope(factory) as session:
                have = set(session.scalars(select(Delivery.email).where(Delivery.issue_id == issue_id)))
                rows = [
                    {
                        "issue_id": issue_id,
                        "subscriber_id": sub_id,
                        "email": email,
                        "status": "pending",
                        "attempts": 0,
                        "created_at": now,
                        "updated_at": now,
                    }
                    for sub_id, email in session.execute(
                        select(Subscriber.id, Subscriber.email)
                        .where(Subscriber.status == "confirmed")
                        .order_by(Subscriber.id)
                    )
                    if email not in have
                ]
                for start in range(0, len(rows), 1000):
                    session.execute(insert(Delivery), rows[start : start + 1000])
                confirmed = select(Subscriber.id).where(Subscriber.status == "confirmed")
                cancelled = session.execute(
                    update(Delivery)
                    .where(
                        Delivery.issue_id == issue_id,
                        Delivery.status == "pending",
                        (Delivery.subscriber_id.is_(None)) | (Delivery.subscriber_id.not_in(confirmed)),
                    )
                    .values(status="cancelled", updated_at=now, last_error="unsubscribed before sending")
                    .execution_options(synchronize_session=False)
                )
                return int(cancelled.rowcount or 0)
        except IntegrityError:
            if attempt == 2:
                raise
            log.info("another sender queued recipients at the same time; queueing again")
    return 0


def _claim(factory: sessionmaker[Session], issue_id: int, run_id: int) -> list[_Job]:
    now = dt.datetime.now(dt.UTC)
    with session_scope(factory) as session:
        ids = list(
            session.scalars(
                select(Delivery.id)
                .where(Delivery.issue_id == issue_id, Delivery.status == "pending")
                .order_by(Delivery.id)
                .limit(BATCH)
            )
        )
        if not ids:
            return []
        session.execute(
            update(Delivery)
            .where(Delivery.id.in_(ids), Delivery.status == "pending")
            .values(status="claimed", run_id=run_id, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        rows = session.execute(
            select(Delivery.id, Delivery.email, Delivery.attempts)
            .where(Delivery.id.in_(ids), Delivery.status == "claimed", Delivery.run_id == run_id)
            .order_by(Delivery.id)
        ).all()
    return [_Job(0.0, row.id, row.id, row.email, row.attempts) for row in rows]


def _set(factory: sessionmaker[Session], row_id: int, **values: Any) -> None:
    values["updated_at"] = dt.datetime.now(dt.UTC)
    with session_scope(factory) as session:
        session.execute(update(Delivery).where(Delivery.id == row_id).values(**values))


class _Unsubscribed(Exception):
    """The recipient unsubscribed after their row was queued."""


def _mark_sending(factory: sessionmaker[Session], row_id: int, email: str, attempt: int, msg_id: str) -> None:
    """Commit ``sending`` right before the body goes out, if the recipient is still confirmed."""
    confirmed = select(Subscriber.id).where(Subscriber.email == email, Subscriber.status == "confirmed").exists()
    with session_scope(factory) as session:
        done = session.execute(
            update(Delivery)
            .where(Delivery.id == row_id, confirmed)
            .values(status="sending", attempts=attempt, message_id=msg_id, updated_at=dt.datetime.now(dt.UTC))
            .execution_options(synchronize_session=False)
        )
        if not done.rowcount:
            raise _Unsubscribed(email)


# --------------------------------------------------------------------------- delivery


def _deliver(
    factory: sessionmaker[Session],
    settings: Settings,
    prepared: _Prepared,
    sender: Any,
    issue_id: int,
    run_id: int,
    result: SendResult,
    progress: Callable[[SendResult], None] | None,
) -> None:
    max_attempts = max(1, settings.smtp.max_attempts)
    delay = max(0.0, settings.smtp.retry_delay_seconds)
    envelope_from = sender.addr_spec
    seq = itertools.count()
    queue: list[_Job] = []
    smtp = SmtpSender(settings.smtp)
    #: Server-wide failures in a row (any delivery resets it); at max_attempts the send is deferred.
    server_failures = 0
    try:
        while True:
            if not queue:
                batch = _claim(factory, issue_id, run_id)
                if not batch:
                    break
                for job in batch:
                    job.seq = next(seq)
                    heapq.heappush(queue, job)
            job = heapq.heappop(queue)
            wait = job.not_before - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            data = _message_for(prepared, settings, job.email)
            attempt = job.attempts + 1
            msg_id = message_id(prepared.week, job.email, prepared.data_hash, prepared.domain)

            def mark_sending(job: _Job = job, attempt: int = attempt, msg_id: str = msg_id) -> None:
                _mark_sending(factory, job.id, job.email, attempt, msg_id)

            try:
                code, _reply = smtp.send(envelope_from, job.email, data, before_data=mark_sending)
            except (ServerFailure, DeliveryError) as exc:
                server_failures += 1
                code_of = exc.code if isinstance(exc, ServerFailure) else None
                _set(factory, job.id, status="claimed", smtp_code=code_of, last_error=str(exc)[:1000])
                if server_failures >= max_attempts:
                    log.warning("the SMTP server refuses the whole send (%s): deferring", exc)
                    raise SendDeferred(f"the SMTP server refused the send ({exc})") from exc
                log.info("server-wide failure %d of %d: %s", server_failures, max_attempts, exc)
                job.not_before = time.monotonic() + delay * (2 ** (server_failures - 1))
                job.seq = next(seq)
                heapq.heappush(queue, job)
                continue
            except _Unsubscribed:
                # The body was never completed: the server discards the transaction.
                _set(factory, job.id, status="cancelled", last_error="unsubscribed before sending")
                result.cancelled += 1
                continue
            except TransientFailure as exc:
                if attempt < max_attempts:
                    _set(factory, job.id, status="claimed", attempts=attempt, smtp_code=exc.code, last_error=str(exc))
                    job.attempts = attempt
                    job.not_before = time.monotonic() + delay * (2 ** (attempt - 1))
                    job.seq = next(seq)
                    heapq.heappush(queue, job)
                    log.info("%s: transient failure (attempt %d of %d): %s", job.email, attempt, max_attempts, exc)
                else:
                    _set(factory, job.id, status="failed", attempts=attempt, smtp_code=exc.code, last_error=str(exc))
                    result.failed += 1
                    result.errors.append(f"failed: {job.email}: {exc} (after {attempt} attempts)")
                continue
            except PermanentFailure as exc:
                _set(factory, job.id, status="failed", attempts=attempt, smtp_code=exc.code, last_error=str(exc))
                result.failed += 1
                result.errors.append(f"failed: {job.email}: {exc}")
                continue
            except UncertainFailure as exc:
                _set(factory, job.id, status="uncertain", attempts=attempt, last_error=str(exc))
                result.errors.append(f"uncertain: {job.email}: {exc}")
                continue
            _set(
                factory,
                job.id,
                status="sent",
                attempts=attempt,
                smtp_code=code,
                last_error=None,
                sent_at=dt.datetime.now(dt.UTC),
            )
            server_failures = 0
            result.sent += 1
            if progress is not None:
                progress(result)
    finally:
        result.connections = smtp.connections
        smtp.close()


def _finish(
    factory: sessionmaker[Session], run_id: int, issue_id: int, result: SendResult, error: BaseException | None
) -> None:
    """Release this run's unstarted rows, count what is left, and close the run."""
    now = dt.datetime.now(dt.UTC)
    with session_scope(factory) as session:
        session.execute(
            update(Delivery)
            .where(Delivery.issue_id == issue_id, Delivery.run_id == run_id, Delivery.status == "claimed")
            .values(status="pending", updated_at=now)
        )
        result.pending = _count(session, issue_id, "pending")
        result.uncertain = _count(session, issue_id, "uncertain")
        issue = session.get_one(NewsletterIssue, issue_id)
        if result.sent and issue.first_sent_at is None:
            issue.first_sent_at = now
        status = "failed" if error is not None else ("partial" if result.failed or result.pending else "success")
        message = None
        if error is not None:
            message = f"{type(error).__name__}: {error}"
        elif result.errors:
            message = "; ".join(result.errors[:20])
        counts = {k: getattr(result, k) for k in ("sent", "skipped", "failed", "uncertain", "cancelled", "pending")}
        finish_run(
            session,
            session.get_one(Run, run_id),
            status=status,
            error_message=message,
            counts=counts,
            items_seen=result.sent + result.skipped + result.failed,
            errors=result.failed,
        )
