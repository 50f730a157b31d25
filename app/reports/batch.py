"""Documents of many units at once (`flask reports quarterly --all-units --workers N`).

One unit's document is produced by `produce` (render, or take through signing, and write the file); `run_one` wraps it
so that any failure of that unit becomes an `Outcome` with its reason, never an exception that stops the others.
With `workers > 1` drafts are rendered in a pool of worker processes started with "spawn": each worker builds its own
app and database engine from the parent's configuration (no connection crosses a process boundary), writes its PDFs
straight to files and returns only a short outcome, so memory stays bounded whatever the number of units.
Signing (`--sign`) allocates document numbers from the registry: it stays in the calling process, one unit after
the other, so numbers stay unique and gapless whatever N.

Time is a parameter: the caller reads the clock once and passes `now` to every unit.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.core.errors import DomainError
from app.core.time import to_vn
from app.dossiers import stats_cache
from app.extensions import db
from app.org.models import Unit
from app.reports import services


@dataclass(frozen=True)
class Task:
    """One unit's document to produce (plain data: it crosses to a worker process)."""

    kind: str
    unit_id: int
    code: str
    name: str
    quarter: str  # "2026Q3"
    target: str
    now: datetime
    sign: bool = False
    signer_name: str | None = None


@dataclass(frozen=True)
class Outcome:
    code: str
    name: str
    ok: bool
    message: str
    seconds: float


def file_name(kind: str, code: str, quarter: str) -> str:
    """"bao-cao-NS-2026Q3.pdf"."""
    return f"{'ke-hoach' if kind == 'plan' else 'bao-cao'}-{code}-{quarter}.pdf"


def default_workers() -> int:
    """The CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


# --- one unit -------------------------------------------------------------------------------------------------


def signer_for(unit: Unit, username: str | None, now: datetime):
    """--signer, else the unit's chair who has a signing key (the chair before a deputy)."""
    from app.auth.models import User
    from app.auth.services import find_user
    from app.reports import signing

    if username:
        user = find_user(username)
        if user is None:
            raise DomainError(f"Không có tài khoản «{username}».")
        return user
    people = [u for u in db.session.scalars(sa.select(User).where(User.unit_id == unit.id, User.is_active.is_(True)))
              if services.can_decide(u, unit)]
    people.sort(key=lambda u: (services.wording.is_deputy_title(u.title), u.full_name))
    if not people:
        raise DomainError(f"{unit.name} chưa có tài khoản Chủ tịch hoặc Phó Chủ tịch để ký.")
    for person in people:
        try:
            signing.signer_credential(person, now=now)
            return person
        except DomainError:
            continue
    return people[0]  # signing reports why this chair's key cannot be used


def produce(task: Task) -> str:
    """Render (and sign) one unit's document into `task.target`; returns what was done, raises DomainError."""
    unit = db.session.get(Unit, task.unit_id)
    period = services.parse_quarter(task.quarter)
    target, now = Path(task.target), task.now
    today = to_vn(now).date()
    doc = services.find_document(task.kind, unit, period)
    if doc is not None and doc.is_issued and doc.status == "signed":
        target.write_bytes(doc.pdf)
        note = " (không ký lại)" if task.sign else ""
        return f"đã ký ban hành số {doc.number_text} ngày {doc.issued_on:%d/%m/%Y}{note}: ghi bản đã ký vào {target}"
    if not task.sign:
        with stats_cache.reading_only():  # a draft writes nothing: run_one rolls its session back
            pdf = services.draft_preview(task.kind, unit, period, today=today)
        target.write_bytes(pdf)
        return f"bản dự thảo (chưa ký) ghi vào {target}"
    signer = signer_for(unit, task.signer_name, now)
    if doc is None:
        doc = services.create_draft(kind=task.kind, unit=unit, period=period, actor=signer, today=today, now=now)
    services.issue_now(doc, signer=signer, now=now, note="Ký qua dòng lệnh (flask reports).")
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise DomainError(services.NUMBER_TAKEN) from None
    target.write_bytes(doc.pdf)
    return f"đã ký số {doc.number_text}, {signer.full_name}; SHA-256 {doc.sha256[:16]}…: {target}"


def run_one(task: Task) -> Outcome:
    """`produce` one unit; whatever goes wrong is this unit's failure with its reason (the session is rolled back)."""
    started = time.perf_counter()
    ok = False
    try:
        message, ok = produce(task), True
    except DomainError as exc:
        message = exc.message
    except OSError as exc:
        message = f"không ghi được tệp {task.target}: {exc.strerror or exc}"
    except Exception as exc:  # noqa: BLE001 - one unit's bug must not stop the others; it is reported with its reason
        message = f"lỗi không lường trước ({type(exc).__name__}: {exc})"
    finally:
        db.session.rollback()
        db.session.expunge_all()  # the next unit starts from a clean session (memory stays flat)
    return Outcome(task.code, task.name, ok, message, time.perf_counter() - started)


# --- many units -------------------------------------------------------------------------------------------------

_WORKER: dict = {}


def worker_config(config) -> dict:
    """The parent's configuration values that can be sent to a worker (every one that pickles)."""
    out = {}
    for key, value in config.items():
        if key.isupper():
            try:
                pickle.dumps(value)
            except Exception:  # noqa: BLE001 - a value that cannot cross processes stays behind
                continue
            out[key] = value
    return out


def _start_worker(config: dict) -> None:
    """In a new worker process: its own app (same configuration as the parent) and database engine."""
    from app import create_app

    app = create_app(type("WorkerConfig", (), config))
    app.config.update(config)  # over the instance settings, exactly as the parent had them
    context = app.app_context()
    context.push()
    _WORKER.update(context=context)  # peer totals are remembered per process under the score data version


def run_all(tasks: list[Task], *, workers: int, config: dict,
            on_done: Callable[[int, Outcome], None]) -> list[Outcome]:
    """Produce every task, `workers` at a time (1: in this process); `on_done(position, outcome)` as each finishes."""
    outcomes = []
    for position, outcome in enumerate(_outcomes(tasks, workers, config), 1):
        outcomes.append(outcome)
        on_done(position, outcome)
    return outcomes


def _outcomes(tasks: list[Task], workers: int, config: dict) -> Iterator[Outcome]:
    if workers <= 1 or len(tasks) <= 1 or any(t.sign for t in tasks):
        for task in tasks:
            yield run_one(task)
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(workers, len(tasks)), mp_context=context, initializer=_start_worker,
                             initargs=(config,)) as pool:
        futures = {pool.submit(run_one, task): task for task in tasks}
        try:
            for future in as_completed(futures):
                task = futures[future]
                try:
                    outcome = future.result()
                except BrokenProcessPool as exc:
                    outcome = Outcome(task.code, task.name, False, f"tiến trình lập văn bản bị dừng đột ngột ({exc})",
                                      0.0)
                except Exception as exc:  # noqa: BLE001 - e.g. a worker that could not start: reported per unit
                    outcome = Outcome(task.code, task.name, False, f"lỗi tiến trình ({type(exc).__name__}: {exc})", 0.0)
                yield outcome
        except BaseException:  # Ctrl-C or a closed consumer: the units not started are not started
            pool.shutdown(wait=False, cancel_futures=True)
            raise
