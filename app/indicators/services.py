"""Catalog services: install the default 766 catalog, find the rule in force, edit rules."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask_babel import gettext
from sqlalchemy.orm import selectinload

from app.audit.services import record
from app.core.errors import DomainError
from app.core.formatting import local_date
from app.extensions import db
from app.indicators import catalog_data
from app.indicators.models import ZERO_DENOMINATOR, CatalogVersion, Indicator, IndicatorGroup, IndicatorRule

DEFAULT_VERSION_NAME = "Quyết định 766/QĐ-TTg (áp dụng từ 01/8/2022)"
DEFAULT_VERSION_FROM = date(2022, 8, 1)


def install_default_catalog() -> bool:
    """Create the 766 groups, indicators and first rule version where missing; True if anything was added."""
    changed = False
    groups = {g.code: g for g in db.session.scalars(sa.select(IndicatorGroup))}
    for order, data in enumerate(catalog_data.GROUPS, 1):
        if data["code"] not in groups:
            groups[data["code"]] = IndicatorGroup(
                code=data["code"], name=data["name"], portal_group=data.get("portal_group"), sort_order=order)
            db.session.add(groups[data["code"]])
            changed = True
    db.session.flush()
    indicators = {i.code: i for i in db.session.scalars(sa.select(Indicator))}
    for order, data in enumerate(catalog_data.INDICATORS, 1):
        if data["code"] not in indicators:
            indicators[data["code"]] = Indicator(
                group=groups[data["group"]], number=data.get("number"), code=data["code"], name=data["name"],
                portal_code=data.get("portal_code"), levels=_levels(data.get("levels")),
                value_source=data.get("value_source", "portal"), definition=data.get("note") or "",
                sort_order=order,
            )
            db.session.add(indicators[data["code"]])
            changed = True
    db.session.flush()
    version = db.session.scalar(sa.select(CatalogVersion).order_by(CatalogVersion.effective_from).limit(1))
    if version is None:
        version = CatalogVersion(name=DEFAULT_VERSION_NAME, effective_from=DEFAULT_VERSION_FROM,
                                 note="Danh mục mặc định theo Quyết định 766/QĐ-TTg và cách chấm của Cổng DVCQG.")
        db.session.add(version)
        changed = True
    have = {r.indicator_id for r in version.rules}
    for data in catalog_data.INDICATORS:
        ind = indicators[data["code"]]
        if ind.id not in have:
            version.rules.append(IndicatorRule(
                indicator=ind, max_points=Decimal(str(data["max_points"])),
                threshold=Decimal(str(data.get("threshold", 100))),
                zero_denominator=data.get("zero_denominator", "zero"),
            ))
            changed = True
    db.session.flush()
    return changed


def _levels(levels) -> str:
    """Districts (before the 2025 reform) are scored like communes: local-level authorities."""
    levels = list(levels or ("province", "department", "commune"))
    if "commune" in levels and "district" not in levels:
        levels.insert(levels.index("commune"), "district")
    return ",".join(levels)


def catalog() -> list[IndicatorGroup]:
    """Groups in order with their indicators loaded."""
    return list(db.session.scalars(
        sa.select(IndicatorGroup).options(selectinload(IndicatorGroup.indicators)).order_by(IndicatorGroup.sort_order)
    ))


def versions() -> list[CatalogVersion]:
    return list(db.session.scalars(sa.select(CatalogVersion).order_by(CatalogVersion.effective_from.desc())))


def version_on(on: date) -> CatalogVersion | None:
    """The catalog version in force on a date (the first version for periods that began before it)."""
    return db.session.scalar(
        sa.select(CatalogVersion).where(CatalogVersion.effective_from <= on)
        .order_by(CatalogVersion.effective_from.desc()).limit(1)
    ) or db.session.scalar(sa.select(CatalogVersion).order_by(CatalogVersion.effective_from).limit(1))


def rules_on(on: date) -> dict[int, IndicatorRule]:
    """Rules in force on a date, keyed by indicator id."""
    version = version_on(on)
    if version is None:
        return {}
    return {r.indicator_id: r for r in db.session.scalars(
        sa.select(IndicatorRule).where(IndicatorRule.version_id == version.id))}


def rule_for(indicator: Indicator, on: date) -> IndicatorRule | None:
    return rules_on(on).get(indicator.id)


def _decimal(text, label: str, low: Decimal, high: Decimal, *, low_open: bool = False) -> Decimal:
    try:
        value = Decimal(str(text).replace(",", ".").strip())
    except (InvalidOperation, ValueError):
        raise DomainError(gettext("%(label)s phải là một số.", label=label)) from None
    if value < low or value > high or (low_open and value == low):
        raise DomainError(gettext("%(label)s phải trong khoảng %(bracket)s%(low)s; %(high)s].", label=label,
                                  bracket="(" if low_open else "[", low=low, high=high))
    return value.quantize(Decimal("0.01"))


def _operator_only(actor) -> None:
    """The national catalog applies to every unit: only an operator changes it (a root-unit admin or the CLI)."""
    if actor is not None and not actor.is_operator:
        raise DomainError(gettext("Danh mục chỉ số dùng chung cho mọi đơn vị: chỉ quản trị cấp cao nhất (đơn vị gốc) hoặc "
                                  "người vận hành máy chủ mới được sửa."))


def update_rule(rule: IndicatorRule, *, max_points, threshold, zero_denominator: str, actor=None) -> IndicatorRule:
    """Change max points, threshold or the zero-denominator policy of one rule (operator only, audited)."""
    _operator_only(actor)
    if zero_denominator not in ZERO_DENOMINATOR:
        raise DomainError(gettext("Cách chấm khi mẫu số bằng 0 không hợp lệ."))
    before = rule_snapshot(rule)
    rule.max_points = _decimal(max_points, "Điểm tối đa", Decimal(0), Decimal(100))
    rule.threshold = _decimal(threshold, "Ngưỡng đạt điểm tối đa (%)", Decimal(0), Decimal(100), low_open=True)
    rule.zero_denominator = zero_denominator
    db.session.flush()
    record(actor, "catalog.rule_update", rule, before=before, after=rule_snapshot(rule))
    return rule


def new_version(*, name: str, effective_from: date, note: str = "", actor=None) -> CatalogVersion:
    """Start a new catalog version from a date, copying the rules in force the day before (operator only)."""
    _operator_only(actor)
    if not name.strip():
        raise DomainError(gettext("Nhập tên phiên bản danh mục."))
    if db.session.scalar(sa.select(CatalogVersion).where(CatalogVersion.effective_from == effective_from)):
        raise DomainError(gettext("Đã có phiên bản danh mục áp dụng từ %(date)s.", date=local_date(effective_from)))
    base = version_on(effective_from)
    version = CatalogVersion(name=name.strip(), effective_from=effective_from, note=note.strip())
    for r in (base.rules if base else []):
        version.rules.append(IndicatorRule(indicator_id=r.indicator_id, max_points=r.max_points,
                                           threshold=r.threshold, zero_denominator=r.zero_denominator))
    db.session.add(version)
    db.session.flush()
    record(actor, "catalog.version_create", version, after={"name": version.name, "from": effective_from})
    return version


def update_indicator(indicator: Indicator, *, name: str, definition: str, value_source: str,
                     is_active: bool, actor=None) -> Indicator:
    """Edit an indicator's wording and how its value is obtained (operator only, audited)."""
    _operator_only(actor)
    if not name.strip():
        raise DomainError(gettext("Tên chỉ số không được để trống."))
    before = {"name": indicator.name, "definition": indicator.definition, "value_source": indicator.value_source,
              "is_active": indicator.is_active}
    indicator.name, indicator.definition = name.strip(), definition.strip()
    indicator.value_source, indicator.is_active = value_source, is_active
    db.session.flush()
    record(actor, "catalog.indicator_update", indicator, before=before,
           after={"name": indicator.name, "definition": indicator.definition,
                  "value_source": indicator.value_source, "is_active": indicator.is_active})
    return indicator


def rule_snapshot(rule: IndicatorRule) -> dict:
    return {"version_id": rule.version_id, "indicator_id": rule.indicator_id, "max_points": rule.max_points,
            "threshold": rule.threshold, "zero_denominator": rule.zero_denominator}
