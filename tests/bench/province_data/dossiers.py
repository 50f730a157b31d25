"""Dossiers received over the 12 months before `now`, handled by the departments and communes.

Each department handles six procedures of the list, each commune the ten commune procedures (most of the volume:
civil status, certification). Working days come from the app's calendar (app.core.calendar). About 7 % of the
closed dossiers end late (more of them early in the year: the province improves), some late ones carry an
apology letter and a new due date, about 6 % had a supplement request; the ones whose processing runs past `now`
are still open (about 1 %), some already overdue, some due within days.
"""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate

from app.core.calendar import WorkCalendar
from app.core.time import VN_TZ

from . import names

FULL = 2_000_000
COLUMNS = ("id", "source", "code", "procedure_code", "procedure_name", "handling_unit_id", "receiving_unit_id",
           "handling_officer_id", "channel", "received_at", "due_at", "finished_at", "returned_at", "ended_at",
           "status", "is_open", "supplement_count", "apology_at", "new_due_at", "paid_online", "digitized", "e_result",
           "rating", "created_at", "updated_at")
OPEN = ("processing", "processing", "processing", "processing", "new", "supplement", "awaiting_payment", "paused")
CLOSED = ("returned",) * 16 + ("done",) * 3 + ("rejected", "withdrawn")
MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)


def _procedures(seed: int, units: list) -> list[tuple]:
    """(unit, [(code, name, working days, fee) ...], weights) of every handling unit."""
    rng = random.Random(f"{seed}/procedures")
    out = []
    for unit in units:
        if unit.kind == "department":
            procs = rng.sample(names.DEPARTMENT_PROCEDURES, names.PROCEDURES_PER_DEPARTMENT)
            out.append((unit, procs, [rng.randint(1, 6) for _ in procs]))
        elif unit.kind == "commune":
            out.append((unit, names.COMMUNE_PROCEDURES, names.COMMUNE_DEMAND))
    return out


def generate(seed: int, now: datetime, total: int, units: list) -> Iterator[tuple]:
    """`total` dossier rows (ids 1..total) in order of receipt within each generated chunk."""
    rng = random.Random(f"{seed}/dossiers")
    today = now.astimezone(VN_TZ).date()
    first = today - timedelta(days=365)
    cal = WorkCalendar.for_years(range(first.year - 1, today.year + 2))
    span = [first - timedelta(days=10) + timedelta(days=i) for i in range(365 + 120)]
    working = [d for d in span if cal.is_working_day(d)]
    w_index = {d: i for i, d in enumerate(working)}
    received_days = [i for i, d in enumerate(working) if first <= d < today]
    midnight = [datetime.combine(d, datetime.min.time(), VN_TZ).astimezone(UTC) for d in working]
    due_time = [m + timedelta(hours=16, minutes=30) for m in midnight]
    day_code = [f"{d:%y%m%d}" for d in working]
    progress = [(today - working[i]).days / 365 for i in range(len(working))]
    today_w = w_index.get(today, bisect(working, today))
    handlers = _procedures(seed, units)
    sizes = [random.Random(f"{seed}/size/{u.code}").uniform(0.5, 1.5) * (5.0 if u.kind == "department" else 1.1)
             for u, _, _ in handlers]
    cum_units = list(accumulate(sizes))
    top = cum_units[-1]
    proc_cum = [list(accumulate(w)) for _, _, w in handlers]
    serial: dict[tuple[int, int], int] = {}
    random_, randrange, choice = rng.random, rng.randrange, rng.choice
    n_days = len(received_days)
    for dossier_id in range(1, total + 1):
        h = bisect(cum_units, random_() * top)
        unit, procs, _ = handlers[h]
        cum = proc_cum[h]
        code, pname, work_days, fee = procs[bisect(cum, random_() * cum[-1])]
        wi = received_days[min(n_days - 1, int(random_() ** 0.97 * n_days))]  # volume grows over the year
        received = midnight[wi] + randrange(450, 1005) * MINUTE
        due_wi = wi + work_days
        due = due_time[due_wi]
        old = progress[wi]
        online = random_() < 0.75 - 0.35 * old
        r = random_()
        supplements = 2 if r < 0.008 else (1 if r < 0.06 else 0)
        late = random_() < 0.045 + 0.05 * old + 0.15 * (supplements > 0)
        # late: 1-12 working days past the due day (mostly 1-2); on time: within the allowed days
        end_wi = (due_wi + 1 + int(random_() ** 3 * 12)) if late else (wi + int(random_() ** 1.6 * (work_days + 0.999)))
        if end_wi > wi:
            ended = midnight[end_wi] + randrange(450, 1005) * MINUTE
        else:
            ended = received + randrange(20, 300) * MINUTE
        if not late and ended > due:
            ended = due - randrange(5, 120) * MINUTE
        apology = new_due = returned = None
        if end_wi >= today_w or ended > now:
            status, is_open, ended = choice(OPEN), True, None
            if due < now and random_() < 0.5:
                apology = midnight[due_wi - 1] + randrange(450, 1005) * MINUTE
        else:
            status, is_open = choice(CLOSED), False
            if late and random_() < 0.55:
                apology = midnight[due_wi - 1] + randrange(450, 1005) * MINUTE
            if status == "returned":
                returned = ended + randrange(1, 30) * HOUR
                if returned > now:
                    status, returned = "done", None
        if apology is not None:
            if apology < received:
                apology = received
            if apology > now:
                apology = None
            else:
                new_due = due + randrange(2, 8) * 24 * HOUR
        key = (unit.id, wi)
        n = serial[key] = serial.get(key, 0) + 1
        closed = not is_open
        yield (
            dossier_id, "mot-cua", f"{unit.code}-{day_code[wi]}-{n:05d}", code.rstrip("x"), pname, unit.id, unit.id,
            choice(unit.officer_ids), 2 if online else (3 if random_() < 0.03 else 1), received, due,
            ended, returned, ended, status, is_open, supplements, apology, new_due,
            (online and random_() < 0.8) if fee else None, random_() < 0.75 - 0.2 * old,
            closed and random_() < 0.85 - 0.3 * old,
            (5 if random_() < 0.7 else choice((2, 3, 4, 4))) if closed and online and random_() < 0.35 else None,
            received, ended or received,
        )


def scaled(fraction: float) -> int:
    return max(1, round(FULL * fraction))


def window(now: datetime) -> tuple[date, date]:
    today = now.astimezone(VN_TZ).date()
    return today - timedelta(days=365), today
