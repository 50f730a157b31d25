"""Demo dossiers of Ninh Sơn: about 20,000 over the 12 months before `now`, deterministic, 5–10 % late.

Handled by the district's offices and the communes, across real procedures (TTHC) with their processing times
in working days. Some are open and overdue now, some due soon, some late without an apology letter, a few returned
late in the last days, so every alert kind shows up for the demo users.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from app.core.calendar import WorkCalendar
from app.core.time import VN_TZ
from app.dossiers.models import OPEN_STATUSES, Dossier
from app.extensions import db
from app.org.models import Unit

SEED = "ninh-son-ho-so-2026"
TARGET = 20_000
CHUNK = 5_000

# (code, name, working days, fee?, handling unit code) — district-level procedures of the one-door office
PROCEDURES = [
    ("2.000815", "Chứng thực bản sao từ bản chính giấy tờ, văn bản", 1, True, "NS.TP"),
    ("1.001193", "Đăng ký khai sinh có yếu tố nước ngoài", 15, True, "NS.TP"),
    ("1.000894", "Đăng ký kết hôn có yếu tố nước ngoài", 15, True, "NS.TP"),
    ("1.004227", "Cấp giấy chứng nhận quyền sử dụng đất lần đầu", 30, True, "NS.TNMT"),
    ("1.004203", "Chuyển mục đích sử dụng đất", 15, True, "NS.TNMT"),
    ("1.001612", "Đăng ký thành lập hộ kinh doanh", 3, True, "NS.TCKH"),
    ("1.001266", "Thay đổi nội dung đăng ký hộ kinh doanh", 3, True, "NS.TCKH"),
    ("1.009974", "Cấp giấy phép xây dựng nhà ở riêng lẻ", 15, True, "NS.KTHT"),
    ("2.000355", "Cấp giấy phép bán lẻ sản phẩm rượu", 10, True, "NS.KTHT"),
    ("1.001776", "Trợ cấp xã hội hằng tháng đối với đối tượng bảo trợ xã hội", 10, False, "NS.LDTBXH"),
    ("1.010801", "Giải quyết chế độ mai táng phí đối với thân nhân người có công", 5, False, "NS.LDTBXH"),
    ("1.001023", "Cấp giấy phép tổ chức lễ hội", 10, False, "NS.VHTT"),
]
# commune-level procedures, handled by each commune
COMMUNE_PROCEDURES = [
    ("1.001193x", "Đăng ký khai sinh", 1, False),
    ("1.000656", "Đăng ký kết hôn", 3, False),
    ("1.004873", "Cấp bản sao trích lục hộ tịch", 1, True),
    ("2.000908", "Chứng thực chữ ký trong các giấy tờ, văn bản", 1, True),
    ("1.003583", "Xác nhận tình trạng hôn nhân", 3, False),
]
COMMUNES = ["NS.TANSON", "NS.QUANGSON", "NS.LAMSON", "NS.LUONGSON", "NS.HOASON", "NS.MANOI", "NS.MYSON", "NS.NHONSON"]
# handling officers per unit (usernames of demo accounts)
HANDLERS = {
    "NS.TP": ["thaonp"], "NS.TNMT": ["khoalv"], "NS.TCKH": ["nganlt"], "NS.KTHT": ["tuanpm"],
    "NS.LDTBXH": ["lanhtt"], "NS.VHTT": ["quangdv"],
    "NS.TANSON": ["mc.tanson"], "NS.QUANGSON": ["mc.quangson"], "NS.LAMSON": ["mc.lamson"],
    "NS.LUONGSON": ["mc.luongson"], "NS.HOASON": ["mc.hoason"], "NS.MANOI": ["mc.manoi"],
    "NS.MYSON": ["mc.myson"], "NS.NHONSON": ["mc.nhonson"],
}


def _moment(d: date, rng: random.Random, start=(7, 30), end=(16, 45)) -> datetime:
    minutes = rng.randint(start[0] * 60 + start[1], end[0] * 60 + end[1])
    return datetime.combine(d, time(minutes // 60, minutes % 60), VN_TZ)


def generate(now: datetime, *, units: dict[str, Unit], officers: dict[str, int], total: int = TARGET) -> list[dict]:
    """Rows (dicts for a bulk insert) of `total` dossiers received over the 12 months before `now`."""
    rng = random.Random(SEED)
    today = now.astimezone(VN_TZ).date()
    first = today - timedelta(days=365)
    cal = WorkCalendar.for_years(range(first.year, today.year + 2))
    days = [first + timedelta(days=i) for i in range((today - first).days + 1)]
    working = [d for d in days if cal.is_working_day(d)]
    mc = units.get("NS.MC")
    rows, serial = [], {}
    specs = [(code, name, wd, fee, unit) for code, name, wd, fee, unit in PROCEDURES]
    specs += [(code, name, wd, fee, commune) for commune in COMMUNES for code, name, wd, fee in COMMUNE_PROCEDURES]
    weights = [4 if s[4].startswith("NS.") and s[4] in COMMUNES else 6 for s in specs]
    for _ in range(total):
        code, name, work_days, fee, unit_code = rng.choices(specs, weights)[0]
        unit = units.get(unit_code)
        if unit is None:
            continue
        day = rng.choice(working)
        received = _moment(day, rng)
        due_day = cal.add_working_days(day, work_days)
        due = datetime.combine(due_day, time(16, 30), VN_TZ)
        age = (today - day).days
        progress = age / 365  # 0 = today … 1 = a year ago: the office improves over the year
        online = rng.random() < 0.35 + 0.35 * (1 - progress)
        supplements = 2 if rng.random() < 0.01 else (1 if rng.random() < 0.06 else 0)
        # when it ends: most a few working days early, ~6 % late (more in the past), some still open
        late = rng.random() < (0.09 - 0.04 * (1 - progress))
        if late:
            end_day = cal.add_working_days(due_day, rng.randint(1, 6))
        else:
            end_day = cal.add_working_days(day, rng.randint(0, max(0, work_days))) if work_days else day
        ended = _moment(end_day, rng) if end_day > day else received + timedelta(minutes=rng.randint(20, 300))
        if not late and ended > due:
            ended = due - timedelta(minutes=rng.randint(5, 120))
        status = "returned" if rng.random() < 0.8 else "done"
        apology = None
        if end_day >= today or ended > now:  # not finished yet: open now
            status = rng.choice(("processing", "processing", "processing", "supplement", "awaiting_payment"))
            ended = None
            if due < now and rng.random() < 0.5:
                apology = _moment(cal.add_working_days(due_day, -1), rng)
        elif late and rng.random() < 0.6:
            apology = _moment(cal.add_working_days(due_day, -1), rng)
        if apology is not None and apology > now:
            apology = None
        if apology is not None and apology < received:
            apology = received
        key = (unit_code, day)
        serial[key] = serial.get(key, 0) + 1
        short = unit_code.replace("NS.", "NS-") if unit_code != "NS" else "NS"
        handler = officers.get(HANDLERS.get(unit_code, [""])[0])
        rows.append({
            "source": "mot-cua", "code": f"{short}-{day:%y%m%d}-{serial[key]:04d}",
            "procedure_code": code.rstrip("x"), "procedure_name": name, "handling_unit_id": unit.id,
            "receiving_unit_id": (mc.id if mc and unit_code not in COMMUNES else unit.id),
            "handling_officer_id": handler, "channel": 2 if online else (3 if rng.random() < 0.03 else 1),
            "received_at": received, "due_at": due,
            "finished_at": ended, "returned_at": ended + timedelta(hours=rng.randint(1, 30))
            if ended is not None and status == "returned" and ended + timedelta(hours=30) < now else None,
            "ended_at": ended, "status": status, "is_open": status in OPEN_STATUSES,
            "supplement_count": supplements, "apology_at": apology,
            "new_due_at": (due + timedelta(days=rng.randint(2, 7))) if apology else None,
            "paid_online": (online and rng.random() < 0.75) if fee else None,
            "digitized": rng.random() < 0.7 + 0.2 * (1 - progress),
            "e_result": ended is not None and rng.random() < 0.55 + 0.3 * (1 - progress),
            "rating": (5 if rng.random() < 0.7 else rng.choice((3, 4, 4, 2))) if ended is not None and online
            and rng.random() < 0.4 else None,
            "created_at": received, "updated_at": ended or received,
        })
    return rows


def load(now: datetime) -> int:
    """Insert the demo dossiers unless the demo units already have some; returns how many were inserted."""
    from app.auth.models import User

    codes = ["NS", "NS.MC", *HANDLERS]
    units = {u.code: u for u in db.session.scalars(sa.select(Unit).where(Unit.code.in_(codes)))}
    if not units or db.session.scalar(sa.select(Dossier.id).where(
            Dossier.handling_unit_id.in_([u.id for u in units.values()])).limit(1)) is not None:
        return 0
    usernames = [name for names in HANDLERS.values() for name in names]
    officers = dict(db.session.execute(sa.select(User.username, User.id).where(User.username.in_(usernames))).all())
    rows = generate(now, units=units, officers=officers)
    for i in range(0, len(rows), CHUNK):
        db.session.execute(sa.insert(Dossier), rows[i:i + CHUNK])
    db.session.flush()
    return len(rows)
