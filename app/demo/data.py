"""The Ninh Sơn demo: units, officers and the assignment table of the July 2022 plan (seed 002)."""

from datetime import date

PROVINCE = ("NT", "UBND tỉnh Ninh Thuận", "province")
DISTRICT = ("NS", "UBND huyện Ninh Sơn", "district")

# The district's siblings in the province, scored and ranked but with no accounts in the demo.
SIBLING_DISTRICTS = [
    ("NT.PRTC", "UBND thành phố Phan Rang - Tháp Chàm"),
    ("NT.BA", "UBND huyện Bác Ái"),
    ("NT.NH", "UBND huyện Ninh Hải"),
    ("NT.NP", "UBND huyện Ninh Phước"),
    ("NT.TB", "UBND huyện Thuận Bắc"),
    ("NT.TN", "UBND huyện Thuận Nam"),
]

# (code, name, kind, parent code)
UNITS = [
    ("NS.VP", "Văn phòng HĐND và UBND huyện", "office", "NS"),
    ("NS.MC", "Bộ phận Tiếp nhận và trả kết quả của huyện", "one_stop", "NS.VP"),
    ("NS.NV", "Phòng Nội vụ", "department", "NS"),
    ("NS.CA", "Công an huyện", "police", "NS"),
    ("NS.TP", "Phòng Tư pháp", "department", "NS"),
    ("NS.TCKH", "Phòng Tài chính - Kế hoạch", "department", "NS"),
    ("NS.TNMT", "Phòng Tài nguyên và Môi trường", "department", "NS"),
    ("NS.KTHT", "Phòng Kinh tế và Hạ tầng", "department", "NS"),
    ("NS.LDTBXH", "Phòng Lao động - Thương binh và Xã hội", "department", "NS"),
    ("NS.VHTT", "Phòng Văn hóa và Thông tin", "department", "NS"),
    ("NS.TANSON", "UBND thị trấn Tân Sơn", "commune", "NS"),
    ("NS.QUANGSON", "UBND xã Quảng Sơn", "commune", "NS"),
    ("NS.LAMSON", "UBND xã Lâm Sơn", "commune", "NS"),
    ("NS.LUONGSON", "UBND xã Lương Sơn", "commune", "NS"),
    ("NS.HOASON", "UBND xã Hòa Sơn", "commune", "NS"),
    ("NS.MANOI", "UBND xã Ma Nới", "commune", "NS"),
    ("NS.MYSON", "UBND xã Mỹ Sơn", "commune", "NS"),
    ("NS.NHONSON", "UBND xã Nhơn Sơn", "commune", "NS"),
]

# (username, full name, title, unit code, role)
OFFICERS = [
    ("quantri", "Quản trị hệ thống tỉnh", "Quản trị hệ thống, Văn phòng UBND tỉnh", "NT", "admin"),
    ("admin", "Quản trị hệ thống", "Quản trị hệ thống", "NS", "admin"),
    ("hungdv", "Đoàn Văn Hùng", "Chủ tịch UBND huyện", "NS", "chair"),
    ("phuclv", "Lê Văn Phúc", "Chánh Văn phòng HĐND và UBND huyện", "NS.VP", "head"),
    ("vanna", "Nguyễn Anh Văn", "Chuyên viên Văn phòng HĐND và UBND huyện", "NS.VP", "officer"),
    ("yenntk", "Nguyễn Thị Kim Yến", "Chuyên viên Văn phòng HĐND và UBND huyện", "NS.VP", "officer"),
    ("hangttt", "Trần Thị Thu Hằng", "Chuyên viên Văn phòng HĐND và UBND huyện", "NS.VP", "officer"),
    ("hatlt", "Lê Thị Thu Hà", "Công chức Bộ phận Tiếp nhận và trả kết quả", "NS.MC", "officer"),
    ("minhpv", "Phạm Văn Minh", "Công chức Bộ phận Tiếp nhận và trả kết quả", "NS.MC", "officer"),
    ("anhttn", "Trần Thị Ngọc Ánh", "Công chức Bộ phận Tiếp nhận và trả kết quả", "NS.MC", "officer"),
    ("hungtv", "Trương Việt Hùng", "Cán bộ Công an huyện", "NS.CA", "officer"),
    ("haontc", "Nguyễn Thành Công Hào", "Chuyên viên Phòng Nội vụ", "NS.NV", "officer"),
    ("binhnv", "Nguyễn Văn Bình", "Chủ tịch UBND thị trấn Tân Sơn", "NS.TANSON", "head"),
    ("dungtv", "Trần Văn Dũng", "Chủ tịch UBND xã Quảng Sơn", "NS.QUANGSON", "head"),
    ("hoalt", "Lê Thị Hoa", "Chủ tịch UBND xã Lâm Sơn", "NS.LAMSON", "head"),
    ("sonpn", "Phạm Ngọc Sơn", "Chủ tịch UBND xã Lương Sơn", "NS.LUONGSON", "head"),
    ("thanhvv", "Võ Văn Thành", "Chủ tịch UBND xã Hòa Sơn", "NS.HOASON", "head"),
    ("thuycx", "Cao Xuân Thùy", "Chủ tịch UBND xã Ma Nới", "NS.MANOI", "head"),
    ("loidv", "Đặng Văn Lợi", "Chủ tịch UBND xã Mỹ Sơn", "NS.MYSON", "head"),
    ("maiht", "Huỳnh Thị Mai", "Chủ tịch UBND xã Nhơn Sơn", "NS.NHONSON", "head"),
    # officers who handle dossiers (the demo's one-door data)
    ("thaonp", "Nguyễn Phương Thảo", "Chuyên viên Phòng Tư pháp", "NS.TP", "officer"),
    ("khoalv", "Lê Văn Khoa", "Chuyên viên Phòng Tài nguyên và Môi trường", "NS.TNMT", "officer"),
    ("nganlt", "Lê Thị Ngân", "Chuyên viên Phòng Tài chính - Kế hoạch", "NS.TCKH", "officer"),
    ("tuanpm", "Phạm Minh Tuấn", "Chuyên viên Phòng Kinh tế và Hạ tầng", "NS.KTHT", "officer"),
    ("lanhtt", "Trần Thị Lành", "Chuyên viên Phòng Lao động - Thương binh và Xã hội", "NS.LDTBXH", "officer"),
    ("quangdv", "Đỗ Văn Quang", "Chuyên viên Phòng Văn hóa và Thông tin", "NS.VHTT", "officer"),
    ("mc.tanson", "Võ Thị Hạnh", "Công chức Văn phòng - Thống kê thị trấn Tân Sơn", "NS.TANSON", "officer"),
    ("mc.quangson", "Katơr Thị Lan", "Công chức Văn phòng - Thống kê xã Quảng Sơn", "NS.QUANGSON", "officer"),
    ("mc.lamson", "Nguyễn Văn Tài", "Công chức Văn phòng - Thống kê xã Lâm Sơn", "NS.LAMSON", "officer"),
    ("mc.luongson", "Trần Thị Thu", "Công chức Văn phòng - Thống kê xã Lương Sơn", "NS.LUONGSON", "officer"),
    ("mc.hoason", "Lê Văn Hòa", "Công chức Văn phòng - Thống kê xã Hòa Sơn", "NS.HOASON", "officer"),
    ("mc.manoi", "Pi Năng Thị Hường", "Công chức Văn phòng - Thống kê xã Ma Nới", "NS.MANOI", "officer"),
    ("mc.myson", "Đặng Thị Mỹ", "Công chức Văn phòng - Thống kê xã Mỹ Sơn", "NS.MYSON", "officer"),
    ("mc.nhonson", "Phan Văn Nhơn", "Công chức Văn phòng - Thống kê xã Nhơn Sơn", "NS.NHONSON", "officer"),
]

PLAN = {
    "number": "",
    "title": (
        "Phân công nhiệm vụ các cá nhân phụ trách các chỉ số thành phần để đánh giá chất lượng phục vụ "
        "người dân, doanh nghiệp trong thực hiện thủ tục hành chính, dịch vụ công theo thời gian trên "
        "môi trường điện tử"
    ),
    "issued_on": date(2022, 7, 15),
    "period_start": date(2022, 7, 15),
    "status": "signed",
    "signer": "hungdv",
}

COOP_AGENCIES = "Các cơ quan chuyên môn và UBND các xã"
COOP_ROOMS = "Các phòng chuyên môn và UBND các xã"

# group code → (responsible unit, cooperating label, named performers, team unit)
TABLE = [
    ("I", "NS.VP", COOP_AGENCIES, ["vanna"], None),
    ("II", "NS.VP", COOP_AGENCIES, ["yenntk"], None),
    ("III.1", "NS.MC", COOP_AGENCIES, [], "NS.MC"),
    ("III.2", "NS.MC", COOP_AGENCIES, [], "NS.MC"),
    ("IV.1", "NS.MC", COOP_AGENCIES, [], "NS.MC"),
    ("IV.2", "NS.CA", COOP_ROOMS, ["hungtv"], None),
    ("V", "NS.NV", COOP_ROOMS, ["haontc"], None),
]

# Group II was handed over while its owner was on leave in 2024, then handed back.
HANDOVERS = [
    ("II", date(2024, 4, 1), ["hangttt"], "Bàn giao tạm thời trong thời gian đồng chí Yến nghỉ chế độ."),
    ("II", date(2024, 10, 1), ["yenntk"], "Đồng chí Yến trở lại phụ trách nhóm chỉ số II."),
]
