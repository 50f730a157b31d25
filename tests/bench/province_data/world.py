"""The province's units, accounts, plans and assignments (with history) as rows with explicit ids.

Sizes never depend on the fraction: 1 province + 20 departments + 150 communes, 3,000 accounts (an admin and
two chairs at the province, a head in each of the 170 units, officers spread over all units), one signed plan per
unit assigning its scorecard's indicators to its officers, some handed over during the four years.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from . import names

ACCOUNTS = 3_000
CREATED = datetime(2022, 10, 1, 1, 0, tzinfo=UTC)
PLAN_START = date(2022, 11, 1)
CHUNK = 4  # indicators per performer

UNIT_COLUMNS = ("id", "code", "name", "kind", "parent_id", "portal_id", "is_code_provisional", "sort_order",
                "is_active", "created_at")
USER_COLUMNS = ("id", "username", "full_name", "title", "email", "unit_id", "role", "is_active", "password_hash",
                "created_at", "last_login_at", "alert_email", "locale")
PLAN_COLUMNS = ("id", "number", "title", "issuing_unit_id", "issued_on", "period_start", "period_end", "status",
                "signer_id", "created_at", "version")
ASSIGNMENT_COLUMNS = ("id", "plan_id", "scope_unit_id", "subject_key", "group_id", "indicator_id",
                      "responsible_unit_id", "cooperating_label", "team_unit_id", "performer_label",
                      "effective_from", "effective_to", "note", "created_at", "created_by_id", "version")
PERFORMER_COLUMNS = ("assignment_id", "user_id")


@dataclass
class UnitInfo:
    id: int
    code: str
    name: str
    kind: str
    head_id: int | None = None
    officer_ids: list[int] = field(default_factory=list)


@dataclass
class World:
    units: list[UnitInfo]
    unit_rows: list[tuple]
    user_rows: list[tuple]
    plan_rows: list[tuple] = field(default_factory=list)
    assignment_rows: list[tuple] = field(default_factory=list)
    performer_rows: list[tuple] = field(default_factory=list)
    usernames: dict[int, str] = field(default_factory=dict)
    picks: dict = field(default_factory=dict)


def _commune_names(rng: random.Random) -> list[str]:
    pairs = [(a, b) for a in names.COMMUNE_FIRST for b in names.COMMUNE_SECOND if a != b]
    rng.shuffle(pairs)
    return [f"{a} {b}" for a, b in pairs[:150]]


def _units(rng: random.Random) -> list[UnitInfo]:
    code, name = names.PROVINCE
    units = [UnitInfo(1, code, name, "province")]
    for suffix, dept in names.DEPARTMENTS:
        units.append(UnitInfo(len(units) + 1, f"{code}.{suffix}", dept, "department"))
    for i, place in enumerate(_commune_names(rng)):
        ward = i < names.WARDS
        units.append(UnitInfo(len(units) + 1, f"{code}.{'P' if ward else 'X'}{i + 1:03d}",
                              f"UBND {'phường' if ward else 'xã'} {place}", "commune"))
    return units


def _staff_sizes(units: list[UnitInfo]) -> list[int]:
    """Officers (role officer) per unit, summing to ACCOUNTS - 3 - heads."""
    sizes = []
    for u in units:
        if u.kind == "province":
            sizes.append(47)
        elif u.kind == "department":
            sizes.append(40)
        else:
            number = int(u.code[-3:])
            sizes.append(16 if number <= names.WARDS else (13 if number % 2 else 12))
    assert sum(sizes) + 3 + (len(units) - 1) == ACCOUNTS, sum(sizes)
    return sizes


class _People:
    def __init__(self, rng: random.Random):
        self.rng, self.taken = rng, set()

    def person(self) -> tuple[str, str]:
        rng = self.rng
        female = rng.random() < 0.5
        family = rng.choice(names.FAMILY)
        middle = rng.choice(names.MIDDLE_F if female else names.MIDDLE_M)
        given = rng.choice(names.GIVEN_F if female else names.GIVEN_M)
        base = names.ascii_fold(given) + names.ascii_fold(family)[0] + names.ascii_fold(middle)[0]
        username, n = base, 1
        while username in self.taken:
            n += 1
            username = f"{base}{n}"
        self.taken.add(username)
        return username, f"{family} {middle} {given}"


def build(seed: int, password_hash: str, indicators: list[dict]) -> World:
    """Every row of the small tables. `indicators`: catalog rows (id, code, levels) in catalog order."""
    rng = random.Random(f"{seed}/world")
    units = _units(rng)
    unit_rows = [(u.id, u.code, u.name, u.kind, None if u.kind == "province" else 1, None, False, i, True, CREATED)
                 for i, u in enumerate(units)]
    people = _People(rng)
    user_rows: list[tuple] = []
    world = World(units, unit_rows, user_rows)

    def add(username: str, full_name: str, title: str, unit: UnitInfo, role: str) -> int:
        uid = len(user_rows) + 1
        people.taken.add(username)
        user_rows.append((uid, username, full_name, title, f"{username}@{names.EMAIL_DOMAIN}", unit.id, role, True,
                          password_hash, CREATED, None, "digest", None))
        world.usernames[uid] = username
        return uid

    province = units[0]
    add("quantri", "Quản trị hệ thống tỉnh", "Quản trị hệ thống, Văn phòng UBND tỉnh", province, "admin")
    _, chair_name = people.person()
    province.head_id = add("chutich", chair_name, "Chủ tịch UBND tỉnh", province, "chair")
    _, vice_name = people.person()
    add("phochutich", vice_name, "Phó Chủ tịch UBND tỉnh", province, "chair")
    for unit, size in zip(units, _staff_sizes(units), strict=True):
        if unit.kind != "province":
            title = (f"Giám đốc / Thủ trưởng {unit.name}" if unit.kind == "department"
                     else f"Chủ tịch {unit.name}")
            unit.head_id = add(*people.person(), title, unit, "head")
        staff = "Chuyên viên" if unit.kind != "commune" else "Công chức"
        for _ in range(size):
            unit.officer_ids.append(add(*people.person(), f"{staff} {unit.name}", unit, "officer"))
    _assignments(world, rng, indicators)
    commune = units[21]
    department = units[2]
    world.picks = {
        "users": {"officer": world.usernames[commune.officer_ids[0]], "chair": "chutich",
                  "commune_head": world.usernames[commune.head_id],
                  "department_head": world.usernames[department.head_id], "admin": "quantri"},
        "units": {"province": province.id, "commune": commune.id, "department": department.id},
    }
    return world


def applies(levels: str, kind: str) -> bool:
    return kind in levels.split(",")


def _month_starts() -> list[date]:
    return [date(y, m, 1) for y in range(2023, 2027) for m in range(1, 13) if date(y, m, 1) <= date(2026, 9, 1)]


def _assignments(world: World, rng: random.Random, indicators: list[dict]) -> None:
    """One plan per unit; its indicators in chunks of CHUNK to its officers; about 30 % of the subjects handed
    over once (some twice) during the four years: the earlier assignment ended, a new one from the next day."""
    changes = _month_starts()
    for unit in world.units:
        signer = unit.head_id
        world.plan_rows.append((unit.id, f"{40 + unit.id}/KH-UBND",
                                f"Kế hoạch phân công cá nhân phụ trách các chỉ số đánh giá chất lượng phục vụ "
                                f"người dân, doanh nghiệp của {unit.name}", unit.id, date(2022, 10, 25), PLAN_START,
                                None, "signed", signer, CREATED, 1))
        own = [ind for ind in indicators if applies(ind["levels"], unit.kind)]
        staff = unit.officer_ids
        for chunk_no, start in enumerate(range(0, len(own), CHUNK)):
            owner = staff[chunk_no % len(staff)]
            for ind in own[start:start + CHUNK]:
                handovers = 0 if (unit.id == 22 and chunk_no == 0) else rng.choices((0, 1, 2), (70, 24, 6))[0]
                dates = sorted(rng.sample(changes, handovers))
                people = [rng.choice(staff) for _ in dates] + [owner]
                froms = [PLAN_START, *dates]
                for i, (performer, begin) in enumerate(zip(people, froms, strict=True)):
                    end = None if i == len(froms) - 1 else date.fromordinal(froms[i + 1].toordinal() - 1)
                    aid = len(world.assignment_rows) + 1
                    note = "" if i == 0 else "Bàn giao nhiệm vụ theo phân công lại của lãnh đạo đơn vị."
                    world.assignment_rows.append((
                        aid, unit.id, unit.id, f"I:{ind['code']}", None, ind["id"], unit.id, "", None, "", begin,
                        end, note, CREATED if i == 0 else datetime.combine(begin, datetime.min.time(), UTC),
                        signer, 1))
                    world.performer_rows.append((aid, performer))
