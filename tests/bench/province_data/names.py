"""Plain data of the generated province: its name, departments, commune names, people's names, procedures."""

from __future__ import annotations

import unicodedata

PROVINCE = ("BN", "UBND tỉnh Bình Nguyên")
PASSWORD = "binhnguyen-766-bench"
EMAIL_DOMAIN = "binhnguyen.gov.vn"

# (code suffix, name) of the 20 departments (sở, ban, ngành) under the province
DEPARTMENTS = [
    ("VP", "Văn phòng UBND tỉnh"), ("SNV", "Sở Nội vụ"), ("STP", "Sở Tư pháp"), ("STC", "Sở Tài chính"),
    ("SXD", "Sở Xây dựng"), ("SCT", "Sở Công Thương"), ("SNNMT", "Sở Nông nghiệp và Môi trường"),
    ("SGDDT", "Sở Giáo dục và Đào tạo"), ("SYT", "Sở Y tế"), ("SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch"),
    ("SKHCN", "Sở Khoa học và Công nghệ"), ("SDTTG", "Sở Dân tộc và Tôn giáo"), ("SNGV", "Sở Ngoại vụ"),
    ("TTRA", "Thanh tra tỉnh"), ("BQLKCN", "Ban Quản lý các khu công nghiệp"),
    ("BQLDA", "Ban Quản lý dự án đầu tư xây dựng tỉnh"), ("CAT", "Công an tỉnh"),
    ("BHXH", "Bảo hiểm xã hội tỉnh"), ("THUE", "Thuế tỉnh"), ("KBNN", "Kho bạc Nhà nước khu vực"),
]
COMMUNE_FIRST = ["An", "Bình", "Phước", "Hòa", "Tân", "Long", "Thạnh", "Mỹ", "Vĩnh", "Phú", "Quảng", "Xuân",
                 "Đông", "Tây", "Nam", "Bắc", "Hưng", "Thuận", "Đức", "Thanh"]
COMMUNE_SECOND = ["Sơn", "Hải", "Lợi", "Thành", "Hiệp", "Điền", "Lộc", "Khánh", "Trung", "Phong", "Minh",
                  "Nghĩa", "Tiến", "Thịnh", "Hậu", "Định", "Lâm", "Tường", "Quý", "Đông"]
WARDS = 30  # of the 150 communes, 30 are wards (phường); the rest are rural communes (xã)

FAMILY = ["Nguyễn", "Nguyễn", "Nguyễn", "Trần", "Trần", "Lê", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ",
          "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Trương", "Đoàn", "Cao", "Đinh"]
MIDDLE_M = ["Văn", "Hữu", "Minh", "Đức", "Quốc", "Thanh", "Công", "Ngọc", "Xuân", "Hoàng"]
MIDDLE_F = ["Thị", "Thị", "Thu", "Ngọc", "Kim", "Thanh", "Mỹ", "Hồng", "Phương", "Bích"]
GIVEN_M = ["An", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Khánh", "Long", "Minh", "Nam", "Phong", "Phúc", "Quang",
           "Sơn", "Tâm", "Thắng", "Trung", "Tuấn", "Việt", "Vinh", "Đạt", "Hiếu", "Lộc", "Tài"]
GIVEN_F = ["Anh", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hoa", "Hương", "Lan", "Linh", "Mai", "Nga", "Ngân",
           "Nhung", "Oanh", "Phượng", "Quyên", "Thảo", "Trang", "Uyên", "Vân", "Yến", "Thủy", "Hằng"]

# Procedures (TTHC): (code, name, working days, with a fee)
DEPARTMENT_PROCEDURES = [
    ("1.004227", "Cấp giấy chứng nhận quyền sử dụng đất lần đầu", 30, True),
    ("1.004203", "Chuyển mục đích sử dụng đất", 15, True),
    ("1.009974", "Cấp giấy phép xây dựng", 15, True),
    ("2.000355", "Cấp giấy phép bán lẻ sản phẩm rượu", 10, True),
    ("1.001776", "Trợ cấp xã hội hằng tháng đối với đối tượng bảo trợ xã hội", 10, False),
    ("1.010801", "Giải quyết chế độ mai táng phí đối với thân nhân người có công", 5, False),
    ("1.001023", "Cấp giấy phép tổ chức lễ hội", 10, False),
    ("2.001004", "Cấp phiếu lý lịch tư pháp", 10, True),
    ("1.001612", "Đăng ký thành lập doanh nghiệp", 3, True),
    ("2.001610", "Đăng ký thay đổi nội dung đăng ký doanh nghiệp", 3, True),
    ("1.002161", "Cấp chứng chỉ hành nghề khám bệnh, chữa bệnh", 20, True),
    ("1.005088", "Công nhận trường đạt chuẩn quốc gia", 20, False),
    ("1.000105", "Cấp giấy phép lái xe (đổi)", 5, True),
    ("2.000889", "Cấp giấy phép hoạt động in", 10, True),
    ("1.008003", "Thẩm định thiết kế cơ sở dự án đầu tư", 25, True),
    ("1.003010", "Cấp giấy chứng nhận đủ điều kiện an toàn thực phẩm", 15, True),
    ("2.002154", "Cấp giấy phép lao động cho người nước ngoài", 5, True),
    ("1.004946", "Đăng ký hoạt động tôn giáo", 20, False),
]
PROCEDURES_PER_DEPARTMENT = 6
COMMUNE_PROCEDURES = [
    ("1.001193", "Đăng ký khai sinh", 1, False),
    ("1.000656", "Đăng ký kết hôn", 3, False),
    ("1.004873", "Cấp bản sao trích lục hộ tịch", 1, True),
    ("2.000908", "Chứng thực chữ ký trong các giấy tờ, văn bản", 1, True),
    ("2.000815", "Chứng thực bản sao từ bản chính giấy tờ, văn bản", 1, True),
    ("1.003583", "Xác nhận tình trạng hôn nhân", 3, False),
    ("1.000689", "Đăng ký khai tử", 1, False),
    ("1.001022", "Đăng ký thường trú", 7, False),
    ("2.000635", "Cấp giấy xác nhận thu nhập", 5, False),
    ("1.004946x", "Đăng ký hoạt động tín ngưỡng", 15, False),
]
# relative demand of each commune procedure (same order); civil status and certification dominate
COMMUNE_DEMAND = [14, 5, 8, 16, 22, 6, 3, 4, 2, 1]


def ascii_fold(text: str) -> str:
    """"Nguyễn Đức" → "nguyen duc" (usernames)."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
