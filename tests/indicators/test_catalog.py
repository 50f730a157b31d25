"""The 766 catalog: installed everywhere, versioned rules an admin can edit, with validation."""

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.core.errors import DomainError
from app.indicators import services
from app.indicators.models import Indicator, IndicatorGroup


def ind(db, code):
    return db.session.scalar(sa.select(Indicator).where(Indicator.code == code))


def test_catalog_has_the_groups_and_indicators_of_decision_766(db):
    groups = services.catalog()
    assert [g.code for g in groups] == ["I", "II", "III.1", "III.2", "IV.1", "IV.2", "V"]
    numbers = [i.number for g in groups for i in g.indicators]
    assert numbers == [None] + [str(n) for n in range(1, 17)] + ["16b", "17", "18", "19"]


def test_rules_add_up_to_100_points(db):
    rules = services.rules_on(date(2026, 1, 1))
    assert sum(r.max_points for r in rules.values()) == Decimal(100)


@pytest.mark.parametrize(("code", "max_points", "threshold"), [
    ("PROGRESS_ON_TIME", 20, 100), ("ONLINE_PROVIDED", 2, 80), ("REUSED_DIGITIZED_DATA", 2, 80),
    ("DOSSIER_RECEIVING_SATISFACTION", 6, 90), ("PUBLISH_ON_TIME", 6, 100),
])
def test_default_rules(db, code, max_points, threshold):
    rule = services.rule_for(ind(db, code), date(2026, 1, 1))
    assert (rule.max_points, rule.threshold) == (Decimal(max_points), Decimal(threshold))


def test_install_is_idempotent(db):
    assert services.install_default_catalog() is False
    assert db.session.scalar(sa.select(sa.func.count()).select_from(IndicatorGroup)) == 7


def test_a_new_version_applies_from_its_date_and_keeps_the_old_rules(db):
    version = services.new_version(name="Điều chỉnh 2027", effective_from=date(2027, 1, 1))
    rule = next(r for r in version.rules if r.indicator_id == ind(db, "ONLINE_SUBMITTED").id)
    services.update_rule(rule, max_points="6", threshold="95", zero_denominator="zero")
    db.session.commit()
    assert services.rule_for(ind(db, "ONLINE_SUBMITTED"), date(2026, 12, 31)).threshold == Decimal(50)
    assert services.rule_for(ind(db, "ONLINE_SUBMITTED"), date(2027, 1, 1)).threshold == Decimal(95)


def test_two_versions_cannot_start_on_the_same_day(db):
    with pytest.raises(DomainError, match="Đã có phiên bản"):
        services.new_version(name="Trùng", effective_from=date(2022, 8, 1))


@pytest.mark.parametrize(("max_points", "threshold", "message"), [
    ("abc", "100", "Điểm tối đa phải là một số"),
    ("-1", "100", "Điểm tối đa phải trong khoảng"),
    ("101", "100", "Điểm tối đa phải trong khoảng"),
    ("6", "0", "Ngưỡng đạt điểm tối đa"),
    ("6", "120", "Ngưỡng đạt điểm tối đa"),
])
def test_bad_rule_values_are_refused(db, max_points, threshold, message):
    rule = services.rule_for(ind(db, "DOSSIER_SYNC"), date(2026, 1, 1))
    with pytest.raises(DomainError, match=message):
        services.update_rule(rule, max_points=max_points, threshold=threshold, zero_denominator="zero")


@pytest.mark.parametrize("path", ["/admin/catalog/rules/{rule}", "/admin/catalog/indicators/{indicator}",
                                  "/admin/catalog/versions/new"])
def test_a_district_admin_cannot_edit_the_national_catalog(demo, db, client, auth, path):
    rule = services.rule_for(ind(db, "DOSSIER_SYNC"), date(2026, 1, 1))
    path = path.replace("{rule}", str(rule.id)).replace("{indicator}", str(ind(db, "DOSSIER_SYNC").id))
    auth.login("admin")  # admin of UBND huyện Ninh Sơn
    assert client.get(path).status_code == 403
    data = {"max_points": "0,5", "threshold": "100", "zero_denominator": "zero", "name": "Sửa", "value_source": "manual",
            "effective_from": "2027-01-01"}
    assert client.post(path, data=data).status_code == 403
    db.session.expire_all()
    assert (rule.max_points, ind(db, "DOSSIER_SYNC").name) == (Decimal(6), "Tỷ lệ hồ sơ đồng bộ lên Cổng dịch vụ công quốc gia")
    assert len(services.versions()) == 1


def test_the_service_refuses_a_catalog_edit_by_a_non_operator(demo, db):
    from app.auth.services import find_user

    rule = services.rule_for(ind(db, "PROGRESS_ON_TIME"), date(2026, 1, 1))
    for username in ("admin", "hungdv"):
        with pytest.raises(DomainError, match="chỉ quản trị cấp cao nhất"):
            services.update_rule(rule, max_points="0.5", threshold="100", zero_denominator="zero",
                                 actor=find_user(username))
        with pytest.raises(DomainError, match="chỉ quản trị cấp cao nhất"):
            services.new_version(name="Tự ý", effective_from=date(2027, 1, 1), actor=find_user(username))
    db.session.rollback()
    assert services.rule_for(ind(db, "PROGRESS_ON_TIME"), date(2026, 1, 1)).max_points == Decimal(20)


def test_the_operator_edits_a_rule_through_the_page_and_it_is_audited(demo, db, client, auth):
    from app.audit.models import AuditEntry

    rule = services.rule_for(ind(db, "DOSSIER_SYNC"), date(2026, 1, 1))
    auth.login("quantri")  # admin of the province, the root of this installation
    response = client.post(f"/admin/catalog/rules/{rule.id}",
                           data={"max_points": "6,00", "threshold": "95", "zero_denominator": "zero"})
    assert response.status_code == 302
    db.session.expire_all()
    assert services.rule_for(ind(db, "DOSSIER_SYNC"), date(2026, 1, 1)).threshold == Decimal(95)
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "catalog.rule_update"))
    assert entry.before["threshold"] == "100.00" and entry.after["threshold"] == "95.00"


def test_catalog_page_lists_every_indicator(demo, client, auth):
    auth.login("yenntk")
    page = client.get("/indicators").get_data(as_text=True)
    assert "Tỷ lệ hồ sơ xử lý đúng hạn" in page and "SO_HOA_GIAY_TO_GIAI_QUYET" in page
