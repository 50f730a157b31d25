"""Per-unit API tokens (issue, revoke, authenticate) and the dossier operations the API offers.

A token acts for its unit and every unit below it. Only its SHA-256 is stored; the plaintext is shown once, when
it is issued. Rights are checked here: only an admin whose tree holds the token's unit may issue or revoke it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext

from app.api.models import ApiToken
from app.audit.services import record
from app.core.errors import DomainError
from app.core.i18n import N_
from app.core.tabular import normalise_header
from app.dossiers.importer import KNOWN, Directory, check_source, cleaned, parse_record
from app.dossiers.models import DEFAULT_SOURCE, Dossier
from app.dossiers.services import RowError, RowErrors, UpsertResult, upsert_dossiers
from app.extensions import db

TOKEN_PREFIX = "c766_"
PREFIX_LENGTH = len(TOKEN_PREFIX) + 6  # what lists show of a token: "c766_Ab3xYz…"
MAX_TOKEN_LENGTH = 200
MAX_RECORDS = 1_000
STATUS_LABELS = {"active": N_("Đang dùng"), "revoked": N_("Đã thu hồi"), "expired": N_("Đã hết hạn")}


def hash_token(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def _require_admin_over(actor, unit) -> None:
    if actor is None or not actor.can_administer(unit):
        raise DomainError(gettext("Chỉ quản trị hệ thống của đơn vị này (hoặc đơn vị cấp trên) được cấp hoặc thu hồi mã truy "
                                  "cập của đơn vị."), "unit_id")


def token_status(token: ApiToken, now: datetime) -> str:
    """"active", "revoked" or "expired"."""
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= now:
        return "expired"
    return "active"


def issue_token(unit, *, name: str, actor, now: datetime, expires_at: datetime | None = None) -> tuple[ApiToken, str]:
    """A new token for `unit` and its plaintext (shown once: only the hash is kept); audited."""
    _require_admin_over(actor, unit)
    name = (name or "").strip()
    if not name:
        raise DomainError(gettext("Nhập tên gợi nhớ của mã (ví dụ: Hệ thống một cửa huyện)."), "name")
    if len(name) > 120:
        raise DomainError(gettext("Tên mã tối đa 120 ký tự."), "name")
    if expires_at is not None and expires_at <= now:
        raise DomainError(gettext("Ngày hết hạn phải sau thời điểm hiện tại."), "expires_at")
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(unit_id=unit.id, name=name, token_hash=hash_token(plaintext), prefix=plaintext[:PREFIX_LENGTH],
                     created_by_id=actor.id, created_at=now, expires_at=expires_at)
    db.session.add(token)
    db.session.flush()
    record(actor, "api_token.issue", token, after={"unit": unit.code, "name": name, "prefix": token.prefix,
                                                   "expires_at": expires_at})
    return token, plaintext


def revoke_token(token: ApiToken, *, actor, now: datetime) -> bool:
    """Revoke a token from now on (audited); False when it was revoked already."""
    _require_admin_over(actor, token.unit)
    if token.revoked_at is not None:
        return False
    token.revoked_at = now
    db.session.flush()
    record(actor, "api_token.revoke", token, after={"unit": token.unit.code, "name": token.name,
                                                    "prefix": token.prefix})
    return True


def authenticate_token(plaintext: str | None, *, now: datetime) -> ApiToken | None:
    """The live token with this plaintext (its last use set to `now`), else None.

    A known token that is revoked or expired is refused and the attempt audited; an unknown one is not (anyone can
    send garbage, and the audit log is no place for it).
    """
    if not plaintext or len(plaintext) > MAX_TOKEN_LENGTH or not plaintext.startswith(TOKEN_PREFIX):
        return None
    digest = hash_token(plaintext)
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == digest))
    if token is None or not hmac.compare_digest(token.token_hash, digest):
        return None
    status = token_status(token, now)
    if status != "active":
        record(None, "api_token.refused", token, after={"prefix": token.prefix, "status": status})
        db.session.flush()
        return None
    token.last_used_at = now
    db.session.flush()
    return token


def tokens_visible_to(user) -> list[ApiToken]:
    """Tokens of the units in the user's tree, live ones first, newest first."""
    from app.org.services import descendant_ids

    return list(db.session.scalars(
        sa.select(ApiToken).where(ApiToken.unit_id.in_(descendant_ids(user.unit_id)))
        .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(), ApiToken.id.desc())))


# ---------------------------------------------------------------- dossiers


def _inputs(records: list, directory: Directory, errors: RowErrors):
    """API records (JSON objects named as the import columns) checked one by one; the position is the row."""
    for position, item in enumerate(records):
        if not isinstance(item, dict):
            errors.add(RowError(position, None, None, "Mỗi hồ sơ phải là một đối tượng JSON {…}.", code="invalid"))
            continue
        values: dict[str, Any] = {}
        nested = []
        for key, value in item.items():
            column = KNOWN.get(normalise_header(key))
            if column is None:
                continue  # fields the format does not have are ignored (one-door systems send more)
            if isinstance(value, dict | list):
                nested.append(column)
            else:
                values[column] = value
        code = values.get("MaHoSo")
        for column in nested:
            errors.add(RowError(position, column, None, f"{column} phải là chuỗi, số hoặc true/false.",
                                code="invalid", record=str(code) if code is not None else None))
        record_ = parse_record(position, cleaned(values), directory, errors)
        if record_ is not None and not nested:
            yield record_


def upsert_records(records: list, *, token: ApiToken, now: datetime, source: str | None = DEFAULT_SOURCE,
                   ) -> UpsertResult:
    """Upsert dossiers sent by the system holding `token`: only units of its tree; all or nothing. Flushes only."""
    source = check_source(source)
    errors = RowErrors(limit=MAX_RECORDS * 5)
    result = upsert_dossiers(_inputs(records, Directory(), errors), source=source, scope_unit=token.unit, now=now,
                             errors=errors, outcomes=True, row_label="vị trí")
    if result.ok and (result.new or result.changed):
        record(None, "dossier.api_upsert", token, after={"prefix": token.prefix, "source": source, "new": result.new,
                                                         "changed": result.changed, "unchanged": result.unchanged})
        db.session.flush()
    return result


def find_dossier(token: ApiToken, code: str, *, source: str | None = None) -> Dossier | None:
    """The dossier with this code if its handling or receiving unit is in the token's tree, else None."""
    from app.org.services import descendant_ids

    dossier = db.session.scalar(sa.select(Dossier).where(Dossier.source == (source or DEFAULT_SOURCE),
                                                         Dossier.code == code))
    if dossier is None:
        return None
    tree = descendant_ids(token.unit_id)
    return dossier if dossier.handling_unit_id in tree or dossier.receiving_unit_id in tree else None
