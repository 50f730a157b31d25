"""The public files: open data as CSV (UTF-8 with BOM, formula-safe) and JSON, and the SVG badge. Pure renders."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from html import escape

from app.core.formatting import vn_number
from app.public.services import OpenData, PeriodFigures, Provenance

CSV_COLUMNS = ("ma_don_vi", "ten_don_vi", "ky", "chi_tieu", "ten_chi_tieu", "diem", "diem_toi_da", "hang",
               "so_don_vi_cung_nhom", "nguon", "tep_nguon", "ngay_so_lieu")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: str) -> str:
    """A text cell a spreadsheet will not run as a formula ("'" before = + - @)."""
    return "'" + value if value.startswith(FORMULA_START) else value


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _source(p: Provenance | None) -> dict:
    return {"source": p.source if p else None, "file": p.file if p else None,
            "date": p.on.isoformat() if p and p.on else None}


def as_json(data: OpenData, *, generated_at: str) -> str:
    """{"period": "2026-10", "units": [{"code", "name", "total", "rank", "peers", "groups": [...]}]}, numbers as
    numbers, each figure with its source, file and date (ISO 8601)."""
    units = []
    for unit, f in data.rows:
        units.append({
            "code": unit.code, "name": unit.name, "period": f.period.code, "period_label": f.period.label,
            "total": _number(f.total), "max": _number(f.max_points), "rank": f.rank, "peers": f.of,
            "peer_group": f.peers_label, **_source(f.provenance),
            "groups": [{"code": g.code, "name": g.name, "points": _number(g.points), "max": _number(g.max_points),
                        "responsible_office": g.office, **_source(g.provenance)} for g in f.groups],
        })
    body = {"period": data.period.code if data.period else None,
            "period_label": data.period.label if data.period else None, "generated_at": generated_at,
            "licence": "Dữ liệu công khai, được dùng lại khi ghi rõ nguồn.", "units": units}
    return json.dumps(body, ensure_ascii=False, indent=1)


def _csv_rows(unit, f: PeriodFigures):
    p = f.provenance
    yield (unit.code, unit.name, f.period.code, "TONG", "Tổng điểm", f.total, f.max_points, f.rank, f.of,
           p.source if p else "", (p.file or "") if p else "", p.on.isoformat() if p and p.on else "")
    for g in f.groups:
        q = g.provenance
        yield (unit.code, unit.name, f.period.code, g.code, g.name, g.points, g.max_points, "", "",
               q.source if q else "", (q.file or "") if q else "", q.on.isoformat() if q and q.on else "")


def as_csv(data: OpenData) -> bytes:
    """One row per figure (the total, then each group) with its source and date; decimal point, UTF-8 with BOM."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for unit, f in data.rows:
        for row in _csv_rows(unit, f):
            writer.writerow(["" if v is None else safe_text(v) if isinstance(v, str) else str(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _width(text: str) -> int:
    """Approximate width in pixels at 11 px DejaVu Sans/Verdana (no font is loaded: a badge works offline)."""
    return int(sum(4 if c in " ,.:/·il" else 8 if c in "mwMWƯ" else 6.6 for c in text)) + 12


def badge_svg(f: PeriodFigures | None) -> str:
    """"Chỉ số 766 | 78,60/100 · hạng 5/8" as a two-part SVG badge: text only, escaped, no script, no font."""
    label = "Chỉ số 766"
    if f is None or f.total is None:
        value = "chưa có số liệu"
    else:
        value = f"{vn_number(f.total)}/{vn_number(f.max_points, 0)}"
        if f.rank is not None:
            value += f" · hạng {f.rank}/{f.of}"
    title = f"{label}: {value}" + (f" ({f.period.label})" if f is not None else "")
    lw, vw = _width(label), _width(value)
    colour = "#2e7d32" if f is not None and f.total is not None else "#757575"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{lw + vw}" height="20" role="img" '
        f'aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>"
        f'<rect width="{lw}" height="20" fill="#37474f"/>'
        f'<rect x="{lw}" width="{vw}" height="20" fill="{colour}"/>'
        f'<g fill="#ffffff" font-family="DejaVu Sans,Verdana,Geneva,sans-serif" font-size="11">'
        f'<text x="6" y="14">{escape(label)}:</text>'
        f'<text x="{lw + 6}" y="14">{escape(value)}</text></g></svg>\n'
    )
