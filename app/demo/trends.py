"""Trajectory maths of the demo scores: deterministic monthly counts per unit and indicator (no database).

Every series starts at the scorecard's launch (08/2022) whatever period is asked for, so one month's figures
never depend on the range generated. Randomness comes from `random.Random` seeded with a SHA-256 of the unit
and indicator codes (stable across runs, machines and Python versions; never the salted `hash()`).
"""

from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass
from datetime import date
from functools import cache

import holidays

LAUNCH = date(2022, 8, 1)  # scoring under Decision 766 went live on 01/8/2022
CLIMB_MONTHS = 50  # Aug 2022 → Oct 2026: the time an average unit takes to reach its plateau
PROVINCE_WIDE = ("PUBLISH_ON_TIME", "PUBLIC_UPDATE_ON_TIME", "PUBLIC_CONTENT_FULL")
NS_INTERIM = {(2024, 4): 10, (2024, 5): 18, (2024, 6): 24, (2024, 7): 26, (2024, 8): 22, (2024, 9): 14}


@dataclass(frozen=True)
class Profile:
    skill: float  # -1 (weakest) … +1 (strongest): level and speed of the climb
    volume: int  # dossiers received per month in 2022
    tthc: int  # procedures (TTHC) under the unit's authority
    petitions: float  # mean petitions (PAKN) per month


PROFILES: dict[str, Profile] = {
    "NT": Profile(0.30, 24000, 395, 9.0),
    "NS": Profile(0.15, 800, 300, 0.8),
    "NT.PRTC": Profile(0.40, 2300, 330, 1.6),
    "NT.BA": Profile(-0.55, 330, 262, 0.3),
    "NT.NH": Profile(0.10, 950, 305, 0.8),
    "NT.NP": Profile(0.00, 1150, 310, 0.9),
    "NT.TB": Profile(-0.30, 420, 270, 0.4),
    "NT.TN": Profile(-0.10, 600, 285, 0.5),
    "NS.TANSON": Profile(0.85, 360, 190, 0.25),
    "NS.QUANGSON": Profile(0.10, 210, 172, 0.15),
    "NS.LAMSON": Profile(0.25, 190, 168, 0.15),
    "NS.LUONGSON": Profile(-0.15, 150, 165, 0.1),
    "NS.HOASON": Profile(0.00, 120, 160, 0.1),
    "NS.MANOI": Profile(-0.90, 45, 150, 0.05),
    "NS.MYSON": Profile(-0.35, 110, 158, 0.1),
    "NS.NHONSON": Profile(0.35, 170, 170, 0.15),
}


@dataclass(frozen=True)
class Spec:
    base: str  # denominator counts: "dossiers", "tthc" (procedures), "petitions" or "published" (province)
    factor: float  # share of the base forming the denominator
    start: float  # ratio (%) of an average unit in Aug 2022
    end: float  # ratio (%) of an average unit at its plateau
    spread: float  # ratio points the strongest unit (skill 1) is above an average one
    noise: float  # month-to-month wobble (ratio points, AR(1))
    tet: float = 0.0  # ratio points lost in the Tết month (dossier handling slows down)


SPECS: dict[str, Spec] = {
    "PUBLISH_ON_TIME": Spec("published", 1.0, 48, 97, 0, 4),
    "PUBLIC_UPDATE_ON_TIME": Spec("tthc", 0.6, 38, 95, 0, 3),
    "PUBLIC_CONTENT_FULL": Spec("tthc", 1.0, 62, 99, 0, 2),
    "DOSSIER_SYNC": Spec("dossiers", 1.0, 30, 96, 8, 3, 8),
    "PROGRESS_ON_TIME": Spec("dossiers", 1.0, 38, 93, 6, 2.5, 15),
    "ONLINE_PROVIDED": Spec("tthc", 1.0, 38, 84, 12, 2),
    "ONLINE_WITH_DOSSIERS": Spec("tthc", 0.7, 6, 56, 12, 3),
    "ONLINE_SUBMITTED": Spec("dossiers", 1.0, 4, 70, 12, 3, 8),
    "PAYMENT_FORMALITY_TRANSACTIONS": Spec("tthc", 0.12, 4, 70, 12, 4),
    "PAYMENT_FORMALITY_INTEGRATED": Spec("tthc", 0.2, 18, 92, 12, 3),
    "PAYMENT_DOSSIERS": Spec("dossiers", 0.3, 2, 55, 12, 3, 6),
    "ORIGINAL_RESULT_AVAILABLE": Spec("dossiers", 0.92, 4, 84, 10, 3, 6),
    "SO_HOA_GIAY_TO_GIAI_QUYET": Spec("dossiers", 1.0, 4, 75, 10, 3, 6),
    "REUSED_DIGITIZED_DATA": Spec("dossiers", 0.8, 2, 56, 10, 3),
    "ELECTRONIC_CERTIFIED_COPY": Spec("dossiers", 0.12, 3, 68, 12, 4),
    "SYNCED_WITH_DVCQG_PERSONAL_STORAGE": Spec("dossiers", 0.6, 2, 60, 10, 3),
    "CITIZEN_DATA_CONNECTED_FORMALITY": Spec("tthc", 1.0, 8, 92, 8, 2),
    "CITIZEN_DATA_CONNECTED_DOSSIER": Spec("dossiers", 1.0, 3, 78, 10, 3, 5),
    "PETITION_PROCESSING_ON_TIME": Spec("petitions", 1.0, 58, 95, 8, 4),
    "PETITION_HANDLING_SATISFACTION": Spec("petitions", 0.7, 52, 92, 8, 4),
    "DOSSIER_RECEIVING_SATISFACTION": Spec("dossiers", 0.5, 25, 97, 8, 3, 12),
}


def rng_for(*parts: str) -> random.Random:
    """A generator seeded from the codes only (SHA-256, so identical on every run and machine)."""
    digest = hashlib.sha256("/".join(parts).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def profile(code: str, kind: str) -> Profile:
    """The unit's profile; units outside the demo table get a stable one derived from their code."""
    if code in PROFILES:
        return PROFILES[code]
    rng = rng_for(code, "PROFILE")
    volume = {"province": 20000, "district": 700}.get(kind, 150)
    return Profile(round(rng.uniform(-0.5, 0.5), 2), volume, 300 if kind != "commune" else 165, 0.3)


def month_at(index: int) -> tuple[int, int]:
    """(year, month) of a month index counted from the launch (0 = Aug 2022)."""
    total = LAUNCH.year * 12 + LAUNCH.month - 1 + index
    return total // 12, total % 12 + 1


@cache
def tet_month(year: int) -> int:
    """Month (1 or 2) of the Lunar New Year, from the `holidays` calendar (February if unknown)."""
    days = holidays.country_holidays("VN", years=year, language="en_US")
    return next((d.month for d, name in sorted(days.items()) if name == "Lunar New Year"), 2)


def tet_weight(year: int, month: int) -> float:
    """1 in the Tết month, 0.4 in the other of January / February, else 0."""
    if month > 2:
        return 0.0
    return 1.0 if month == tet_month(year) else 0.4


def _poisson(rng: random.Random, lam: float) -> int:
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


@cache
def progress(index: int, skill: float) -> float:
    """0 at the launch → 1 at the plateau; a logistic climb, earlier for strong units."""
    mid, width = 19 - 5 * skill, 7.0

    def f(x: float) -> float:
        return 1 / (1 + math.exp(-(x - mid) / width))

    return max(0.0, min(1.0, (f(index) - f(0)) / (f(CLIMB_MONTHS) - f(0))))


@dataclass(frozen=True)
class Volume:
    dossiers: int
    tthc: int
    petitions: int
    published: int


def volumes(code: str, prof: Profile, months: int) -> list[Volume]:
    """Workload per month: dossiers received (growing, low at Tết, high in December), TTHC, petitions."""
    rng, out = rng_for(code, "VOLUME"), []
    for i in range(months):
        year, month = month_at(i)
        season = 1.12 if month == 12 else 1 - 0.28 * tet_weight(year, month)
        dossiers = round(prof.volume * (1 + 0.2 * i / CLIMB_MONTHS) * season * rng.uniform(0.88, 1.12))
        tthc = prof.tthc + rng.randint(-3, 3)
        published = round(prof.tthc * rng.uniform(0.05, 0.18))
        out.append(Volume(max(1, dossiers), tthc, _poisson(rng, prof.petitions), max(1, published)))
    return out


def series(code: str, prof: Profile, indicator: str, vols: list[Volume], *, overrides=None) -> list[tuple[int, int]]:
    """(numerator, denominator) per month from the launch for one unit and indicator.

    `overrides` maps a month index to a function (ratio, previous ratio) → ratio, for scripted events.
    """
    spec, rng = SPECS[indicator], rng_for(code, indicator)
    out, walk, previous = [], 0.0, None
    for i, vol in enumerate(vols):
        year, month = month_at(i)
        walk = 0.6 * walk + rng.gauss(0, spec.noise)
        dip = spec.tet * tet_weight(year, month) * rng.uniform(0.7, 1.3)
        jitter = rng.uniform(0.93, 1.07)
        level = spec.start + (spec.end - spec.start) * progress(i, prof.skill)
        ratio = level + prof.skill * spec.spread * (0.4 + 0.8 * progress(i, prof.skill)) + walk - dip
        if code == "NS" and indicator == "PROGRESS_ON_TIME":
            ratio -= NS_INTERIM.get((year, month), 0)
        if overrides and i in overrides:
            ratio = overrides[i](ratio, previous)
        ratio = max(0.0, min(100.0, ratio))
        previous = ratio
        if spec.base == "petitions":
            den = vol.petitions if spec.factor >= 1 else sum(rng.random() < spec.factor for _ in range(vol.petitions))
            num = sum(rng.random() < ratio / 100 for _ in range(den))
        else:
            base = {"dossiers": vol.dossiers, "tthc": vol.tthc, "published": vol.published}[spec.base]
            den = max(1, round(base * spec.factor * (jitter if spec.base == "dossiers" else 1)))
            num = min(den, round(den * ratio / 100))
        out.append((num, den))
    return out


def ns_red_last_month(indicator: str):
    """Scripted red of NS in the last generated month: indicator 4 collapses (sync fault), 10 falls below half."""
    if indicator == "PROGRESS_ON_TIME":
        return lambda ratio, prev: max(5.0, min(44.0, (prev if prev is not None else ratio) - 16))
    if indicator == "PAYMENT_DOSSIERS":
        return lambda ratio, prev: max(3.0, min(36.0, (prev if prev is not None else ratio) - 12))
    return None
