"""Wording of the official documents: names and dates as Nghị định 30/2020 writes them, and the default texts.

Pure functions of their arguments (no database, no clock).
"""

from __future__ import annotations

from datetime import date

# People's Committees are named "ỦY BAN NHÂN DÂN / HUYỆN NINH SƠN" in a heading and have no managing body line.
COMMITTEE_KINDS = ("province", "district", "commune")
_LEVELS = (("UBND thành phố ", "THÀNH PHỐ "), ("UBND thị trấn ", "THỊ TRẤN "), ("UBND thị xã ", "THỊ XÃ "),
           ("UBND phường ", "PHƯỜNG "), ("UBND huyện ", "HUYỆN "), ("UBND tỉnh ", "TỈNH "), ("UBND xã ", "XÃ "))


def upper_vi(text: str) -> str:
    """Upper case that keeps Vietnamese letters (đ → Đ) and never changes "QĐ-TTg"-like codes' spelling."""
    return text.upper()


def full_name(unit_name: str) -> str:
    """"UBND huyện Ninh Sơn" → "Ủy ban nhân dân huyện Ninh Sơn" (as the body of a document writes it)."""
    return "Ủy ban nhân dân " + unit_name[5:] if unit_name.startswith("UBND ") else unit_name


def agency_lines(unit_name: str, unit_kind: str, parent_name: str | None) -> tuple[str, list[str]]:
    """(managing body, issuing body lines) of the heading's left column, upper case.

    A People's Committee: no managing body, "ỦY BAN NHÂN DÂN" over "HUYỆN NINH SƠN" (bold). Any other unit: its
    parent (regular) over its own name (bold).
    """
    if unit_kind in COMMITTEE_KINDS:
        for prefix, level in _LEVELS:
            if unit_name.startswith(prefix):
                return "", ["ỦY BAN NHÂN DÂN", upper_vi(level + unit_name[len(prefix):])]
        return "", [upper_vi(unit_name)]
    return (upper_vi(parent_name) if parent_name else ""), [upper_vi(unit_name)]


def agency_abbr(unit_kind: str) -> str:
    """The issuing body's abbreviation in a number ("07/KH-UBND")."""
    return "UBND" if unit_kind in COMMITTEE_KINDS else "VP"


def number_text(number: int | None, kind_abbr: str, agency: str) -> str:
    """"Số: 07/KH-UBND" (numbers under 10 take a leading 0); "Số:      /KH-UBND" before the number is given."""
    if number is None:
        return f"Số:\u2003\u2003/{kind_abbr}-{agency}"
    return f"Số: {number:02d}/{kind_abbr}-{agency}"


def place_date(place: str, on: date | None, year: int) -> str:
    """"Ninh Sơn, ngày 05 tháng 10 năm 2026": days under 10 and the months 1 and 2 take a leading 0 (NĐ 30/2020).

    Before signing the day and month stay blank for the signer's date.
    """
    if on is None:
        return f"{place}, ngày\u2003\u2003tháng\u2003\u2003năm {year}"
    month = f"{on.month:02d}" if on.month <= 2 else str(on.month)
    return f"{place}, ngày {on.day:02d} tháng {month} năm {on.year}"


def authority_lines(is_deputy: bool) -> list[str]:
    """The signature block's authority: "CHỦ TỊCH", or "KT. CHỦ TỊCH" over "PHÓ CHỦ TỊCH" for a deputy."""
    return ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"] if is_deputy else ["CHỦ TỊCH"]


def is_deputy_title(title: str) -> bool:
    """A deputy chair signs "KT. CHỦ TỊCH" (their title starts with "Phó Chủ tịch")."""
    return (title or "").strip().lower().startswith("phó chủ tịch")


def recipients(lines: list[str]) -> list[str]:
    """"Nơi nhận" lines as NĐ 30/2020 writes them: "- ...;" each, the last "- Lưu: ...." ."""
    cleaned = [line.strip().lstrip("-").strip().rstrip(";.").strip() for line in lines]
    cleaned = [line for line in cleaned if line]
    return [f"- {line}{'.' if i == len(cleaned) - 1 else ';'}" for i, line in enumerate(cleaned)]


def plan_title(quarter_label: str) -> str:
    return ("Phân công nhiệm vụ các cá nhân phụ trách các chỉ số thành phần để đánh giá chất lượng phục vụ người "
            f"dân, doanh nghiệp trong thực hiện thủ tục hành chính, dịch vụ công theo thời gian thực trên môi trường "
            f"điện tử {quarter_label}")


def report_title(quarter_label: str) -> str:
    return (f"Kết quả thực hiện Bộ chỉ số chỉ đạo, điều hành và đánh giá chất lượng phục vụ người dân, doanh nghiệp "
            f"{quarter_label} theo Quyết định số 766/QĐ-TTg")


DECISION = "Quyết định số 766/QĐ-TTg ngày 23/6/2022 của Thủ tướng Chính phủ"


def plan_texts(*, unit_name: str, parent_name: str | None, quarter_label: str, drafting_unit: str,
               responsibilities: list[tuple[str, list[str]]], has_communes: bool = True) -> dict[str, str]:
    """Default texts of a quarterly plan, after seed 002 (Ninh Sơn, 7/2022); every one can be edited in the draft.

    `responsibilities` lists each responsible unit with the groups it answers for, from the assignments in force.
    """
    body_name = full_name(unit_name)
    organisation = []
    coordinate = ("- Theo dõi, đôn đốc việc thực hiện kế hoạch; tổng hợp báo cáo kết quả thực hiện Bộ chỉ số "
                  f"{quarter_label} trình Chủ tịch {body_name}.")
    for i, (unit, groups) in enumerate(responsibilities, 1):
        organisation += [
            f"{i}. {unit}:",
            f"- Chủ trì theo dõi, thực hiện nhóm chỉ số {', '.join(groups)} theo Bảng phân công kèm theo; phối hợp "
            "với các đơn vị liên quan nâng cao điểm số của từng chỉ số thành phần.",
        ]
        if unit == drafting_unit:
            organisation.append(coordinate)
    n = len(responsibilities) + 1
    organisation += [
        f"{n}. Các cơ quan, đơn vị được phân công{' và UBND các xã, thị trấn' if has_communes else ''}:",
        "- Hằng tháng rà soát số liệu trên Cổng Dịch vụ công quốc gia; chỉ số giảm điểm hoặc ở mức Yếu phải giải "
        "trình nguyên nhân và biện pháp khắc phục trên hệ thống theo dõi Chỉ số 766.",
        f"- Hằng quý báo cáo kết quả thực hiện về {drafting_unit} để tổng hợp, trình {body_name} theo quy định.",
    ]
    if drafting_unit not in {unit for unit, _ in responsibilities}:
        organisation += [f"{n + 1}. {drafting_unit}:", coordinate]
    source = f"Công văn của {full_name(parent_name)}" if parent_name else "văn bản của cấp trên"
    return {
        "intro": (f"Thực hiện {DECISION} và {source} về việc triển khai thực hiện Quyết định số 766/QĐ-TTg; "
                  f"{body_name} xây dựng kế hoạch phân công nhiệm vụ {quarter_label} với các nội dung như sau:"),
        "purpose": "\n".join([
            "1. Mục đích:",
            "- Phân công cụ thể cơ quan, đơn vị và cá nhân phụ trách từng nhóm chỉ số thành phần để đánh giá chất "
            "lượng phục vụ người dân, doanh nghiệp trong thực hiện thủ tục hành chính (TTHC), dịch vụ công trên môi "
            "trường điện tử.",
            "- Cử cán bộ, công chức làm đầu mối theo dõi, kịp thời tham mưu xử lý những phản ánh, kiến nghị của người "
            "dân, doanh nghiệp trên Cổng Dịch vụ công quốc gia về chất lượng phục vụ trong giải quyết TTHC.",
            "2. Yêu cầu:",
            "- Các cơ quan, đơn vị và Ủy ban nhân dân các xã, thị trấn triển khai thực hiện Quyết định 766/QĐ-TTg đạt "
            "hiệu quả cao, góp phần nâng cao chất lượng cung cấp dịch vụ công trực tuyến và nghiệp vụ của cán bộ, "
            "công chức trong việc tiếp nhận và giải quyết TTHC.",
        ]),
        "content": "\n".join([
            f"1. Phân công nhiệm vụ từng cá nhân phụ trách bộ chỉ số thành phần theo {DECISION} (đính kèm Bảng phân "
            "công nhiệm vụ cụ thể).",
            "2. Xử lý số liệu, tổng hợp kết quả đánh giá chỉ số phục vụ người dân, doanh nghiệp trong thực hiện TTHC, "
            "cung cấp dịch vụ công: căn cứ mục II, III phụ lục của Quyết định 766/QĐ-TTg, tổ chức đánh giá chất "
            "lượng giải quyết TTHC, cung cấp dịch vụ công của các cơ quan và UBND các xã, thị trấn.",
        ]),
        "organisation": "\n".join(organisation),
        "closing": (f"Trên đây là kế hoạch phân công nhiệm vụ các cá nhân phụ trách các chỉ số thành phần {quarter_label} "
                    f"của {body_name}./."),
        "recipients": "\n".join([
            f"{full_name(parent_name)} (b/c)" if parent_name else "Cơ quan cấp trên (b/c)",
            "CT, các PCT " + unit_name,
            "Các cơ quan, đơn vị được phân công",
            *(["UBND các xã, thị trấn"] if has_communes else []),
            "Lưu: VT, VP",
        ]),
    }


def report_texts(*, unit_name: str, parent_name: str | None, quarter_label: str,
                 has_communes: bool = True) -> dict[str, str]:
    """Default editable texts of a quarterly report (the figures themselves are not editable)."""
    body_name = full_name(unit_name)
    return {
        "intro": (f"Thực hiện {DECISION}, {body_name} báo cáo kết quả thực hiện Bộ chỉ số chỉ đạo, điều hành và đánh "
                  f"giá chất lượng phục vụ người dân, doanh nghiệp {quarter_label} như sau:"),
        "assessment": "",
        "proposals": "\n".join([
            "1. Các cơ quan, đơn vị có chỉ số ở mức Yếu hoặc giảm điểm khẩn trương thực hiện biện pháp khắc phục đã "
            "giải trình, báo cáo kết quả trước ngày 15 của tháng đầu quý sau.",
            "2. Đề nghị cấp trên tiếp tục hỗ trợ kết nối, đồng bộ dữ liệu giữa Hệ thống thông tin giải quyết TTHC và "
            "Cổng Dịch vụ công quốc gia để số liệu được ghi nhận đầy đủ, kịp thời.",
        ]),
        "recipients": "\n".join([
            f"{full_name(parent_name)} (b/c)" if parent_name else "Cơ quan cấp trên (b/c)",
            f"Văn phòng {full_name(parent_name)}" if parent_name else "Văn phòng cơ quan cấp trên",
            "CT, các PCT " + unit_name,
            "Các cơ quan, đơn vị thuộc " + unit_name.replace("UBND ", ""),
            *(["UBND các xã, thị trấn"] if has_communes else []),
            "Lưu: VT, VP",
        ]),
    }
