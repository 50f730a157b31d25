"""Install the default Decision 766 catalog (groups, indicators, first rule version) in every database.

Revision ID: 0002
Revises: 0001
"""

from datetime import date, datetime, timezone
from decimal import Decimal

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

VERSION_NAME = "Quyết định 766/QĐ-TTg (áp dụng từ 01/8/2022)"

# The catalog as it was when this revision was written, frozen: later changes come in later revisions
# (0004 sets indicator 7's threshold to 50 %), never by editing these literals.
GROUPS = [  # (code, name, portal folder)
    ('I', 'Công khai, minh bạch', 'transparency'),
    ('II', 'Tiến độ, kết quả giải quyết', 'dvc-progress-tree'),
    ('III.1', 'Cung cấp dịch vụ công trực tuyến', 'provide-online-tree'),
    ('III.2', 'Thanh toán trực tuyến', 'formality-online-payment-tree'),
    ('IV.1', 'Số hóa hồ sơ', 'dossier-digitized'),
    ('IV.2', 'Ứng dụng dữ liệu dân cư trong giải quyết thủ tục hành chính, cấp dịch vụ công', 'dossier-digitized'),
    ('V', 'Mức độ hài lòng', 'handling-satisfaction'),
]
# (group, number, code, name, portal code, levels, value source, note, max points, threshold, zero policy)
INDICATORS = [
    ('I', None, 'PUBLISH_ON_TIME', 'Tỷ lệ TTHC công bố đúng hạn', 'PUBLISH_ON_TIME', ('province',), 'portal', 'Nhiệm vụ của tỉnh/bộ; cổng hiển thị số liệu của tỉnh ở mọi đơn vị.', '6', '100', 'zero'),
    ('I', '1', 'PUBLIC_UPDATE_ON_TIME', 'Tỷ lệ thủ tục hành chính được cập nhật, công khai đúng hạn', 'PUBLIC_UPDATE_ON_TIME', ('province', 'department', 'commune'), 'portal', 'Cổng hiển thị số liệu của tỉnh ở mọi đơn vị.', '4', '100', 'zero'),
    ('I', '2', 'PUBLIC_CONTENT_FULL', 'Tỷ lệ thủ tục hành chính được công khai có đầy đủ các nội dung quy định về các bộ phận tạo thành của thủ tục hành chính', 'PUBLIC_CONTENT_FULL', ('province', 'department', 'commune'), 'portal', 'Cổng hiển thị số liệu của tỉnh ở mọi đơn vị.', '2', '100', 'zero'),
    ('I', '3', 'DOSSIER_SYNC', 'Tỷ lệ hồ sơ đồng bộ lên Cổng dịch vụ công quốc gia', 'DOSSIER_SYNC', ('province', 'department', 'commune'), 'portal', None, '6', '100', 'zero'),
    ('II', '4', 'PROGRESS_ON_TIME', 'Tỷ lệ hồ sơ xử lý đúng hạn', None, ('province', 'department', 'commune'), 'computed', 'Cây dvc-progress-tree; đơn vị không tiếp nhận hồ sơ nào được 0 điểm.', '20', '100', 'zero'),
    ('III.1', '5', 'ONLINE_PROVIDED', 'Tỷ lệ TTHC cung cấp dịch vụ công trực tuyến', None, ('province', 'department', 'commune'), 'portal', None, '2', '80', 'zero'),
    ('III.1', '6', 'ONLINE_WITH_DOSSIERS', 'Tỷ lệ dịch vụ công trực tuyến có phát sinh hồ sơ', None, ('province', 'department', 'commune'), 'portal', None, '4', '100', 'zero'),
    ('III.1', '7', 'ONLINE_SUBMITTED', 'Tỷ lệ hồ sơ TTHC theo hình thức nộp hồ sơ trực tuyến', None, ('province', 'department', 'commune'), 'portal', 'Ngưỡng đạt điểm tối đa chỉ biết là ≤ 98,8% (mọi tệp mẫu đều khớp với 98,8%).', '6', '98.8', 'zero'),
    ('III.2', '8', 'PAYMENT_FORMALITY_TRANSACTIONS', 'Tỷ lệ thủ tục hành chính có giao dịch thanh toán trực tuyến', None, ('province', 'department', 'commune'), 'portal', 'Chỉ số 8 / 9 gán cho các trường đếm theo tên trường (suy luận).', '2', '80', 'zero'),
    ('III.2', '9', 'PAYMENT_FORMALITY_INTEGRATED', 'Tỷ lệ TTHC có yêu cầu nghĩa vụ tài chính được tích hợp để người dân có thể thanh toán trực tuyến trên Cổng dịch vụ công quốc gia', None, ('province', 'department', 'commune'), 'portal', 'Chỉ số 8 / 9 gán cho các trường đếm theo tên trường (suy luận).', '2', '80', 'zero'),
    ('III.2', '10', 'PAYMENT_DOSSIERS', 'Tỷ lệ hồ sơ thanh toán trực tuyến', None, ('province', 'department', 'commune'), 'portal', None, '6', '100', 'zero'),
    ('IV.1', '11', 'ORIGINAL_RESULT_AVAILABLE', 'Tỷ lệ hồ sơ thủ tục hành chính có cấp kết quả giải quyết', 'ORIGINAL_RESULT_AVAILABLE', ('province', 'department', 'commune'), 'portal', None, '6', '100', 'zero'),
    ('IV.1', '12', 'SO_HOA_GIAY_TO_GIAI_QUYET', 'Tỷ lệ hồ sơ thủ tục hành chính thực hiện số hóa hồ sơ', 'SO_HOA_GIAY_TO_GIAI_QUYET', ('province', 'department', 'commune'), 'portal', None, '4', '100', 'zero'),
    ('IV.1', '13', 'REUSED_DIGITIZED_DATA', 'Tỷ lệ khai thác, sử dụng lại thông tin, dữ liệu số hóa', 'REUSED_DIGITIZED_DATA', ('province', 'department', 'commune'), 'portal', None, '2', '80', 'zero'),
    ('IV.1', '14', 'ELECTRONIC_CERTIFIED_COPY', 'Tỷ lệ cung cấp dịch vụ chứng thực bản sao điện tử từ bản chính', 'ELECTRONIC_CERTIFIED_COPY', ('province', 'department', 'commune'), 'portal', None, '2', '100', 'full'),
    ('IV.1', '15', 'SYNCED_WITH_DVCQG_PERSONAL_STORAGE', 'Tỷ lệ hồ sơ TTHC được số hóa có kết nối, đồng bộ với danh mục hồ sơ của cá nhân, tổ chức trên Cổng dịch vụ công quốc gia', 'SYNCED_WITH_DVCQG_PERSONAL_STORAGE', ('province', 'department', 'commune'), 'portal', None, '4', '100', 'zero'),
    ('IV.2', '16', 'CITIZEN_DATA_CONNECTED_FORMALITY', 'Tỷ lệ TTHC triển khai kết nối, chia sẻ dữ liệu dân cư phục vụ giải quyết TTHC', 'CITIZEN_DATA_CONNECTED_FORMALITY', ('province', 'department', 'commune'), 'portal', 'Không có trong số liệu theo một TTHC.', '2', '100', 'zero'),
    ('IV.2', '16b', 'CITIZEN_DATA_CONNECTED_DOSSIER', 'Tỷ lệ hồ sơ TTHC có sử dụng thông tin, dữ liệu dân cư', 'CITIZEN_DATA_CONNECTED_DOSSIER', ('province', 'department', 'commune'), 'portal', None, '2', '100', 'zero'),
    ('V', '17', 'PETITION_PROCESSING_ON_TIME', 'Tỷ lệ phản ánh, kiến nghị xử lý đúng hạn', 'PETITION_PROCESSING_ON_TIME', ('province', 'department', 'commune'), 'portal', None, '6', '100', 'full'),
    ('V', '18', 'PETITION_HANDLING_SATISFACTION', 'Tỷ lệ hài lòng trong xử lý phản ánh, kiến nghị', 'PETITION_HANDLING_SATISFACTION', ('province', 'department', 'commune'), 'portal', None, '6', '100', 'full'),
    ('V', '19', 'DOSSIER_RECEIVING_SATISFACTION', 'Tỷ lệ hài lòng trong tiếp nhận, giải quyết TTHC', 'DOSSIER_RECEIVING_SATISFACTION', ('province', 'department', 'commune'), 'portal', None, '6', '90', 'zero'),
]


def _levels(levels):
    levels = list(levels or ("province", "department", "commune"))
    if "commune" in levels and "district" not in levels:
        levels.insert(levels.index("commune"), "district")
    return ",".join(levels)


def upgrade():
    bind = op.get_bind()
    meta = sa.MetaData()
    groups = sa.Table("indicator_group", meta, autoload_with=bind)
    indicators = sa.Table("indicator", meta, autoload_with=bind)
    versions = sa.Table("catalog_version", meta, autoload_with=bind)
    rules = sa.Table("indicator_rule", meta, autoload_with=bind)
    if bind.execute(sa.select(sa.func.count()).select_from(groups)).scalar():
        return
    group_ids = {}
    for order, (code, name, portal_group) in enumerate(GROUPS, 1):
        group_ids[code] = bind.execute(groups.insert().values(
            code=code, name=name, portal_group=portal_group, sort_order=order,
        ).returning(groups.c.id)).scalar_one()
    version_id = bind.execute(versions.insert().values(
        name=VERSION_NAME, effective_from=date(2022, 8, 1), created_at=datetime.now(timezone.utc),
        note="Danh mục mặc định theo Quyết định 766/QĐ-TTg và cách chấm của Cổng DVCQG.",
    ).returning(versions.c.id)).scalar_one()
    for order, (group, number, code, name, portal_code, levels, source, note, max_points, threshold,
                zero) in enumerate(INDICATORS, 1):
        ind_id = bind.execute(indicators.insert().values(
            group_id=group_ids[group], number=number, code=code, name=name, portal_code=portal_code,
            levels=_levels(levels), value_source=source, direction="up", definition=note or "",
            sort_order=order, is_active=True,
        ).returning(indicators.c.id)).scalar_one()
        bind.execute(rules.insert().values(
            version_id=version_id, indicator_id=ind_id, max_points=Decimal(max_points),
            threshold=Decimal(threshold), zero_denominator=zero,
        ))


def downgrade():
    bind = op.get_bind()
    for table in ("indicator_rule", "catalog_version", "indicator", "indicator_group"):
        bind.execute(sa.text(f"DELETE FROM {table}"))
