"""Default Decision 766/QĐ-TTg catalog (groups, indicators, portal metric codes) as plain data.

Checked against the portal captures in shared/portal-samples (month / quarter / year, all units):
every max and threshold below reproduces the portal's published scores to ±0.01.
Administrators may edit these values in a versioned catalog; this module is only the default.
"""

from __future__ import annotations

from decimal import Decimal

CATALOG_NAME = "Bộ chỉ số 766 (mặc định)"

# Unit levels an indicator applies to.
LEVELS: dict[str, str] = {
    "province": "Tỉnh / Bộ (toàn tỉnh)",
    "department": "Sở, ban, ngành",
    "commune": "UBND xã, phường, thị trấn",
}
ALL_LEVELS = ("province", "department", "commune")

# Where an indicator's value comes from by default.
VALUE_SOURCES = ("portal", "computed", "manual")

# Zero-denominator policies, see app.indicators.scoring.Rule.evaluate(). As the samples show the portal doing it:
# metric indicators leave 0/0 unscored ("none"), the tree indicators (4–10) and satisfaction (19) score 0 ("zero"),
# the petition indicators and electronic certified copies give full points ("full").
ZERO_POLICIES = ("zero", "full", "none")

GROUPS: list[dict] = [
    {"code": "I", "name": "Công khai, minh bạch", "max_points": Decimal(18),
     "portal_group": "transparency", "order": 1},
    {"code": "II", "name": "Tiến độ, kết quả giải quyết", "max_points": Decimal(20),
     "portal_group": "dvc-progress-tree", "order": 2},
    {"code": "III.1", "name": "Cung cấp dịch vụ công trực tuyến", "max_points": Decimal(12),
     "portal_group": "provide-online-tree", "order": 3},
    {"code": "III.2", "name": "Thanh toán trực tuyến", "max_points": Decimal(10),
     "portal_group": "formality-online-payment-tree", "order": 4},
    {"code": "IV.1", "name": "Số hóa hồ sơ", "max_points": Decimal(18),
     "portal_group": "dossier-digitized", "order": 5},
    {"code": "IV.2",
     "name": "Ứng dụng dữ liệu dân cư trong giải quyết thủ tục hành chính, cấp dịch vụ công",
     "max_points": Decimal(4), "portal_group": "dossier-digitized", "order": 6},
    {"code": "V", "name": "Mức độ hài lòng", "max_points": Decimal(18),
     "portal_group": "handling-satisfaction", "order": 7},
]

# The portal's score endpoints ("folders"); dossier-digitized carries IV.1 and IV.2 (22 points together).
PORTAL_GROUPS: dict[str, list[str]] = {
    "transparency": ["I"],
    "dvc-progress-tree": ["II"],
    "provide-online-tree": ["III.1"],
    "formality-online-payment-tree": ["III.2"],
    "dossier-digitized": ["IV.1", "IV.2"],
    "handling-satisfaction": ["V"],
}
# Group code the parser gives a portal file's per-unit total ("IV" = IV.1 + IV.2).
PORTAL_TOTAL_GROUP: dict[str, str] = {
    "transparency": "I",
    "dvc-progress-tree": "II",
    "provide-online-tree": "III.1",
    "formality-online-payment-tree": "III.2",
    "dossier-digitized": "IV",
    "handling-satisfaction": "V",
}


def _ind(number, code, group, name, max_points, threshold=100, zero="zero", *, portal_code=None,
         portal_name=None, counts=None, levels=ALL_LEVELS, source="portal", note=None) -> dict:
    return {
        "number": number,
        "code": code,
        "group": group,
        "name": name,
        "portal_code": portal_code,
        "portal_name": portal_name,
        # For tree folders: the unit's count fields (numerator fields are summed) the ratio comes from.
        "portal_counts": {"numerator": list(counts[0]), "denominator": counts[1]} if counts else None,
        "max_points": Decimal(str(max_points)),
        "threshold": Decimal(str(threshold)),
        "zero_denominator": zero,
        "levels": list(levels),
        "value_source": source,
        "note": note,
    }


# Indicator 7: the year file gives the full 6 points at 98,60 %, so any threshold above that is wrong; 50 % (one
# published source) reproduces every sample file.
NOTE_7 = "Đủ 6 điểm khi tỷ lệ nộp trực tuyến từ 50% (theo một nguồn công bố; mọi tệp mẫu của cổng đều khớp)."

INDICATORS: list[dict] = [
    # I. Công khai, minh bạch (18)
    _ind(None, "PUBLISH_ON_TIME", "I", "Tỷ lệ TTHC công bố đúng hạn", 6,
         zero="none", portal_code="PUBLISH_ON_TIME", portal_name="Tỷ lệ TTHC công bố đúng hạn", levels=("province",),
         note="Nhiệm vụ của tỉnh/bộ; cổng hiển thị số liệu của tỉnh ở mọi đơn vị."),
    _ind("1", "PUBLIC_UPDATE_ON_TIME", "I", "Tỷ lệ thủ tục hành chính được cập nhật, công khai đúng hạn", 4,
         zero="none", portal_code="PUBLIC_UPDATE_ON_TIME", portal_name="Tỷ lệ TTHC cập nhật, công khai đúng hạn",
         note="Cổng hiển thị số liệu của tỉnh ở mọi đơn vị."),
    _ind("2", "PUBLIC_CONTENT_FULL", "I",
         "Tỷ lệ thủ tục hành chính được công khai có đầy đủ các nội dung quy định về các bộ phận "
         "tạo thành của thủ tục hành chính", 2,
         zero="none", portal_code="PUBLIC_CONTENT_FULL", portal_name="Tỷ lệ TTHC công khai đầy đủ nội dung",
         note="Cổng hiển thị số liệu của tỉnh ở mọi đơn vị."),
    _ind("3", "DOSSIER_SYNC", "I", "Tỷ lệ hồ sơ đồng bộ lên Cổng dịch vụ công quốc gia", 6,
         zero="none", portal_code="DOSSIER_SYNC", portal_name="Tỷ lệ hồ sơ đồng bộ lên Cổng DVCQG"),
    # II. Tiến độ, kết quả giải quyết (20)
    _ind("4", "PROGRESS_ON_TIME", "II", "Tỷ lệ hồ sơ xử lý đúng hạn", 20, source="computed",
         counts=(["totalOnTime"], "totalReceived"),
         note="Cây dvc-progress-tree; đơn vị không tiếp nhận hồ sơ nào được 0 điểm."),
    # III.1 Cung cấp dịch vụ công trực tuyến (12)
    _ind("5", "ONLINE_PROVIDED", "III.1", "Tỷ lệ TTHC cung cấp dịch vụ công trực tuyến", 2, 80,
         counts=(["partialCount", "fullCount"], "authorityCount"),
),
    _ind("6", "ONLINE_WITH_DOSSIERS", "III.1", "Tỷ lệ dịch vụ công trực tuyến có phát sinh hồ sơ", 4,
         counts=(["onlineDossierCount"], "onlineServiceTotal"),
),
    _ind("7", "ONLINE_SUBMITTED", "III.1", "Tỷ lệ hồ sơ TTHC theo hình thức nộp hồ sơ trực tuyến", 6, 50,
         counts=(["channelOnlineSum"], "channelTotalSum"),
         note=NOTE_7),
    # III.2 Thanh toán trực tuyến (10)
    _ind("8", "PAYMENT_FORMALITY_TRANSACTIONS", "III.2",
         "Tỷ lệ thủ tục hành chính có giao dịch thanh toán trực tuyến", 2, 80,
         counts=(["totalDossierOnlineFormalityPaymentSuccess"], "totalFeeDossierFormalityDistinct"),
         note="Chỉ số 8 / 9 gán cho các trường đếm theo tên trường (suy luận)."),
    _ind("9", "PAYMENT_FORMALITY_INTEGRATED", "III.2",
         "Tỷ lệ TTHC có yêu cầu nghĩa vụ tài chính được tích hợp để người dân có thể thanh toán trực "
         "tuyến trên Cổng dịch vụ công quốc gia", 2, 80,
         counts=(["totalFeeDossierFormality"], "totalFeeFormality"),
         note="Chỉ số 8 / 9 gán cho các trường đếm theo tên trường (suy luận)."),
    _ind("10", "PAYMENT_DOSSIERS", "III.2", "Tỷ lệ hồ sơ thanh toán trực tuyến", 6,
         counts=(["totalDossierOnlinePaymentSuccess"], "totalDossierFinancialObligation")),
    # IV.1 Số hóa hồ sơ (18)
    _ind("11", "ORIGINAL_RESULT_AVAILABLE", "IV.1",
         "Tỷ lệ hồ sơ thủ tục hành chính có cấp kết quả giải quyết", 6, zero="none", portal_code="ORIGINAL_RESULT_AVAILABLE",
         portal_name="Tỷ lệ hồ sơ thủ tục hành chính có cấp kết quả giải quyết thủ tục hành chính điện tử"),
    _ind("12", "SO_HOA_GIAY_TO_GIAI_QUYET", "IV.1",
         "Tỷ lệ hồ sơ thủ tục hành chính thực hiện số hóa hồ sơ", 4,
         zero="none", portal_code="SO_HOA_GIAY_TO_GIAI_QUYET",
         portal_name="Tỷ lệ hồ sơ thủ tục hành chính thực hiện số hóa hồ sơ"),
    _ind("13", "REUSED_DIGITIZED_DATA", "IV.1",
         "Tỷ lệ khai thác, sử dụng lại thông tin, dữ liệu số hóa", 2, 80,
         zero="none", portal_code="REUSED_DIGITIZED_DATA",
         portal_name="Tỷ lệ hồ sơ khai thác, sử dụng lại thông tin, dữ liệu số hóa"),
    _ind("14", "ELECTRONIC_CERTIFIED_COPY", "IV.1",
         "Tỷ lệ cung cấp dịch vụ chứng thực bản sao điện tử từ bản chính", 2, zero="full",
         portal_code="ELECTRONIC_CERTIFIED_COPY",
         portal_name="Tỷ lệ cung cấp dịch vụ chứng thực bản sao điện tử từ bản chính"),
    _ind("15", "SYNCED_WITH_DVCQG_PERSONAL_STORAGE", "IV.1",
         "Tỷ lệ hồ sơ TTHC được số hóa có kết nối, đồng bộ với danh mục hồ sơ của cá nhân, tổ chức trên "
         "Cổng dịch vụ công quốc gia", 4,
         zero="none", portal_code="SYNCED_WITH_DVCQG_PERSONAL_STORAGE",
         portal_name="Tỷ lệ hồ sơ TTHC được số hóa có kết nối, chia sẻ dữ liệu phục vụ tái sử dụng"),
    # IV.2 Ứng dụng dữ liệu dân cư (4)
    _ind("16", "CITIZEN_DATA_CONNECTED_FORMALITY", "IV.2",
         "Tỷ lệ TTHC triển khai kết nối, chia sẻ dữ liệu dân cư phục vụ giải quyết TTHC", 2,
         zero="none", portal_code="CITIZEN_DATA_CONNECTED_FORMALITY",
         portal_name="Tỷ lệ TTHC triển khai kết nối, chia sẻ dữ liệu dân cư phục vụ GQ TTHC",
         note="Không có trong số liệu theo một TTHC."),
    _ind("16b", "CITIZEN_DATA_CONNECTED_DOSSIER", "IV.2",
         "Tỷ lệ hồ sơ TTHC có sử dụng thông tin, dữ liệu dân cư", 2, zero="none", portal_code="CITIZEN_DATA_CONNECTED_DOSSIER",
         portal_name="Tỷ lệ hồ sơ TTHC có sử dụng thông tin, dữ liệu dân cư"),
    # V. Mức độ hài lòng (18)
    _ind("17", "PETITION_PROCESSING_ON_TIME", "V", "Tỷ lệ phản ánh, kiến nghị xử lý đúng hạn", 6, zero="full",
         portal_code="PETITION_PROCESSING_ON_TIME", portal_name="Tỷ lệ PAKN xử lý đúng hạn"),
    _ind("18", "PETITION_HANDLING_SATISFACTION", "V", "Tỷ lệ hài lòng trong xử lý phản ánh, kiến nghị", 6,
         zero="full", portal_code="PETITION_HANDLING_SATISFACTION",
         portal_name="Tỷ lệ hài lòng trong xử lý PAKN"),
    _ind("19", "DOSSIER_RECEIVING_SATISFACTION", "V",
         "Tỷ lệ hài lòng trong tiếp nhận, giải quyết TTHC", 6, 90,
         portal_code="DOSSIER_RECEIVING_SATISFACTION",
         portal_name="Tỷ lệ hài lòng trong tiếp nhận, giải quyết TTHC"),
]

for _order, _indicator in enumerate(INDICATORS, start=1):
    _indicator["order"] = _order

# Indicators the portal publishes only through a tree folder's counts (no metric code), by folder.
TREE_INDICATORS: dict[str, list[str]] = {
    "dvc-progress-tree": ["PROGRESS_ON_TIME"],
    "provide-online-tree": ["ONLINE_PROVIDED", "ONLINE_WITH_DOSSIERS", "ONLINE_SUBMITTED"],
    "formality-online-payment-tree": [
        "PAYMENT_FORMALITY_TRANSACTIONS", "PAYMENT_FORMALITY_INTEGRATED", "PAYMENT_DOSSIERS",
    ],
}

# Metrics the portal shows with maxScore 0 (information only, never scored).
INFO_ONLY_CODES: dict[str, dict] = {
    "PETITION_CLASSIFICATION_TTHC": {
        "name": "Tỷ lệ PAKN về quy định, thủ tục hành chính",
        "portal_group": "handling-satisfaction",
    },
    "PETITION_CLASSIFICATION_STAFF": {
        "name": "Tỷ lệ PAKN về hành vi cán bộ, công chức, viên chức",
        "portal_group": "handling-satisfaction",
    },
}

INDICATORS_BY_CODE: dict[str, dict] = {ind["code"]: ind for ind in INDICATORS}
INDICATORS_BY_PORTAL_CODE: dict[str, dict] = {
    ind["portal_code"]: ind for ind in INDICATORS if ind["portal_code"]
}
GROUPS_BY_CODE: dict[str, dict] = {grp["code"]: grp for grp in GROUPS}
