"""Excel workbooks of the scorecard, the ranks and an owner's trends (user text always written as text)."""

from __future__ import annotations

from app.core.excel import Sheet, workbook_bytes
from app.core.formatting import vn_number


def _check(deviation, computed) -> str:
    if deviation is None:
        return ""
    return f"Lệch quy tắc: tổng điểm các chỉ số {vn_number(computed)} ({'+' if deviation > 0 else ''}{vn_number(deviation)})"


def scorecard_workbook(card, rank, peers=None) -> bytes:
    """One sheet: groups and indicators with points (group totals as the portal published them), change and band."""
    rows, bold = [], set()
    for g in card.groups:
        bold.add(len(rows))
        rows.append([g.group.code, g.group.name, None, None, None, g.points, g.max_points, None,
                     g.band[0] if g.band else "", _check(g.deviation, g.computed)])
        for line in g.lines:
            rec = line.record
            rows.append([line.indicator.number or "", line.indicator.name, rec.numerator if rec else None,
                         rec.denominator if rec else None, rec.ratio if rec else None, line.points,
                         line.max_points, line.change, line.band[0] if line.band else "",
                         "Điểm cổng lệch quy tắc danh mục" if rec and rec.is_mismatch else ""])
    bold.add(len(rows))
    rows.append(["", "Tổng điểm", None, None, None, card.total, card.max_points, card.change,
                 card.band[0] if card.band else "", _check(card.deviation, card.computed_total)])
    note = f"{card.unit.name} — {card.period.label}" + (
        f" — xếp hạng {rank.label} trong {peers.label}" if rank and peers else f" — xếp hạng {rank.label}" if rank
        else "")
    return workbook_bytes([Sheet(
        title=f"Bảng điểm {card.period.code}", note=note,
        headers=["STT", "Chỉ số", "Tử số", "Mẫu số", "Tỷ lệ (%)", "Điểm", "Tối đa", "Thay đổi", "Xếp loại",
                 "Đối chiếu"],
        rows=rows, widths=[7, 70, 12, 12, 10, 9, 9, 10, 12, 40], integer_columns={2, 3}, bold_rows=bold)])


def ranks_workbook(unit, period, tables) -> bytes:
    """One sheet per peer group: rank, unit, total (as published), movement."""
    sheets = [Sheet(
        title=f"{group.label[4:][:24]} {period.code}",
        note=f"Xếp hạng trong {group.label} — {period.label} (tổng điểm do Cổng DVCQG công bố; bằng điểm cùng hạng)",
        headers=["Hạng", "Đơn vị", "Mã", "Tổng điểm", "Hạng kỳ trước", "Thay đổi"],
        rows=[[r.rank, r.unit.name, r.unit.code, r.total, r.previous_rank, r.movement] for r in rows],
        widths=[7, 45, 14, 12, 14, 10], integer_columns={0, 4, 5}) for group, rows in tables]
    return workbook_bytes(sheets or [Sheet(title=f"Xếp hạng {period.code}", headers=["Hạng", "Đơn vị"], rows=[],
                                           note=f"{unit.name} — {period.label}: chưa có số liệu")])


def owner_workbook(person, trends) -> bytes:
    """One sheet per owner: indicator, period, points, max, who owned it then."""
    rows = []
    for trend in trends:
        for p in trend.points:
            rows.append([trend.indicator.label, trend.scope_unit.name, p.period.label, p.record.points,
                         p.record.max_points, p.owner.performer_text if p.owner else "",
                         "Có" if p.is_mine else "Không"])
    return workbook_bytes([Sheet(
        title="Xu hướng theo người phụ trách", note=f"{person.full_name} — {person.title or person.role_label}",
        headers=["Chỉ số", "Đơn vị được đánh giá", "Kỳ", "Điểm", "Tối đa", "Người phụ trách kỳ đó", "Của tôi"],
        rows=rows, widths=[60, 30, 14, 9, 9, 40, 9])])
