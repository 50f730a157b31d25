"""Report fixtures: a private CA and PKCS#12 keys made in a temporary folder, signing configured per test, quarterly
scores of the Ninh Sơn demo, and the poppler tools the checks need (missing tools fail, never skip)."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.demo.keys import issue, make_ca, write_p12, write_pem

NOW = datetime(2026, 11, 15, 3, 0, tzinfo=UTC)  # 15/11/2026 10:00 in Vietnam: DEMO_NOW, as the clock fixture
TODAY = date(2026, 11, 15)
PASS = "mat-khau-khoa-thu-nghiem"
VALID = (datetime(2020, 1, 1, tzinfo=UTC), datetime(2040, 1, 1, tzinfo=UTC))


@dataclass
class Pki:
    root: Path
    chair: Path
    seal: Path
    expired: Path
    other_root: Path


@pytest.fixture(scope="session")
def pki(tmp_path_factory) -> Pki:
    """Our own test CA (not marked demo), the chair's key, the district's seal, an expired key; a foreign CA."""
    folder = tmp_path_factory.mktemp("pki")
    ca, ca_key = make_ca("CA kiểm thử", now=VALID[0], days=365 * 30, mark=None)
    write_pem(folder / "ca.pem", ca)
    for name, common, when in (("chair", "Đoàn Văn Hùng", VALID), ("seal", "UBND huyện Ninh Sơn", VALID),
                               ("expired", "Đoàn Văn Hùng", (datetime(2020, 1, 1, tzinfo=UTC),
                                                            datetime(2025, 12, 31, tzinfo=UTC)))):
        cert, key = issue(ca, ca_key, common, "UBND huyện Ninh Sơn", not_before=when[0], not_after=when[1],
                          mark=None)
        write_p12(folder / f"{name}.p12", cert, key, ca, PASS)
    other, _ = make_ca("CA lạ", now=VALID[0], days=365 * 30, mark=None)
    write_pem(folder / "other.pem", other)
    return Pki(folder / "ca.pem", folder / "chair.p12", folder / "seal.p12", folder / "expired.p12",
               folder / "other.pem")


@pytest.fixture
def keys(app, pki, tmp_path, monkeypatch):
    """Signing configured for this test only: the chair hungdv, the seal of NS, our CA as the trusted root."""
    monkeypatch.setitem(app.config, "SIGNING_DIR", str(tmp_path / "no-demo-keys"))
    monkeypatch.setitem(app.config, "SIGNING_KEYS", {"hungdv": {"pkcs12": str(pki.chair), "passphrase": PASS}})
    monkeypatch.setitem(app.config, "SIGNING_SEALS", {"NS": {"pkcs12": str(pki.seal), "passphrase": PASS}})
    monkeypatch.setitem(app.config, "SIGNING_TRUST_ROOTS", [str(pki.root)])
    return app.config


@pytest.fixture
def quarters(demo, db):
    """Quarterly scores 2026-Q2 and Q3 for NS, its communes Tân Sơn and Ma Nới and the sibling Bác Ái; NS's indicator
    4 falls to the lowest band in Q3 and is explained by its owner."""
    from app.auth.services import find_user
    from app.indicators.models import Indicator
    from app.org.services import find_unit_by_code
    from app.scores import accountability
    from app.scores.periods import quarter_period
    from app.scores.services import ScoreInput, upsert

    indicators = db.session.scalars(sa.select(Indicator)).all()
    items = []
    for code, share in (("NS", 95), ("NS.TANSON", 90), ("NS.MANOI", 80), ("NT.BA", 85)):
        unit = find_unit_by_code(code)
        for q in (2, 3):
            for ind in indicators:
                num = share
                if code == "NS" and ind.code == "PROGRESS_ON_TIME":
                    num = 90 if q == 2 else 30
                items.append(ScoreInput(unit=unit, period=quarter_period(2026, q), source="portal", indicator=ind,
                                        group=ind.group, numerator=Decimal(num), denominator=Decimal(100)))
    upsert(items, None)
    progress = next(i for i in indicators if i.code == "PROGRESS_ON_TIME")
    accountability.save_explanation(
        unit=find_unit_by_code("NS"), indicator=progress, period=quarter_period(2026, 3), actor=find_user("yenntk"),
        reason="Hệ thống một cửa đồng bộ chậm 12 ngày trong tháng 8.", remedy="Rà soát, đồng bộ lại toàn bộ hồ sơ.",
        due_on=date(2026, 12, 31), now=NOW)
    db.session.commit()
    return quarter_period(2026, 3)


def need(tool: str) -> str:
    """The path of a poppler tool; the test fails (never skips) when poppler-utils is not installed."""
    path = shutil.which(tool)
    assert path, (f"{tool} không có trên máy: cài poppler-utils (apt-get install -y poppler-utils; xem "
                  ".ci/system-packages và README).")
    return path


def pdf_text(path: Path, *, layout: bool = False) -> str:
    """The PDF's text in drawing order (`-raw`: a table cell's lines stay together), or laid out as on the page."""
    args = [need("pdftotext"), "-layout" if layout else "-raw", str(path), "-"]
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def pdfsig(path: Path) -> str:
    return subprocess.run([need("pdfsig"), str(path)], capture_output=True, text=True).stdout


def pdf_fonts(path: Path) -> list[tuple[str, str]]:
    """(font name without its subset prefix, embedded yes/no) of every font in the PDF, from pdffonts."""
    out = subprocess.run([need("pdffonts"), str(path)], check=True, capture_output=True, text=True).stdout
    rows = []
    for line in out.splitlines()[2:]:
        parts = line.split()
        if parts:
            name = parts[0].split("+", 1)[-1]
            emb = re.search(r"\s(yes|no)\s+(yes|no)\s+(yes|no)\s", line)
            rows.append((name, emb.group(1) if emb else "?"))
    return rows


def tamper(data: bytes) -> bytes:
    """One byte changed inside the first signed range (in a content stream, after the header)."""
    at = data.index(b"stream", 1000) + 64
    changed = bytearray(data)
    changed[at] ^= 0x01
    return bytes(changed)
