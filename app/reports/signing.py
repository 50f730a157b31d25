"""PAdES signatures with pyHanko: keys from PKCS#12 files configured per signer (and per unit for the seal), a
visible stamp in Vietnamese in the document's signature space, signing time given by the caller (Vietnam time).

A separate step from rendering: `sign(pdf, box, ...)` takes the rendered bytes and returns the signed bytes, or raises
DomainError with a Vietnamese message (no key, wrong passphrase, expired certificate); it never returns an unsigned
file.
"""

from __future__ import annotations

import functools
import io
import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from flask import current_app
from flask_babel import gettext
from pyhanko import stamp
from pyhanko.pdf_utils import layout, text
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator, GlyphAccumulatorFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko_certvalidator.registry import SimpleCertificateStore

from app.core.errors import DomainError
from app.core.formatting import local_date
from app.core.time import to_vn

# pyHanko writes stamp glyph widths in font units: the stamp font must have 1000 units per em (Noto Sans has).
STAMP_FONT = Path(__file__).resolve().parents[1] / "static" / "fonts" / "NotoSans-Regular-Vietnamese.ttf"
SIGNER_FIELD = "ChuKyNguoiKy"
SEAL_FIELD = "ChuKyCoQuan"
BLUE = (0.05, 0.2, 0.62)
RED = (0.78, 0.06, 0.06)
DEMO_MARK = "DEMO — KHÔNG CÓ GIÁ TRỊ PHÁP LÝ"


@dataclass
class Credential:
    """A loaded key and certificate (with its chain) ready to sign."""

    signer: signers.SimpleSigner
    common_name: str
    subject: str
    not_after: datetime

    @property
    def is_demo(self) -> bool:
        return DEMO_MARK in self.subject


def _settings() -> dict:
    """SIGNING_DIR/signing.json (written by seed-demo), {} when absent."""
    path = Path(current_app.config["SIGNING_DIR"]) / "signing.json"
    if not path.is_file():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise DomainError(gettext("Tệp cấu hình ký số %(path)s không đọc được: %(exc)s", path=path, exc=exc)) from None


def _resolve(path: str, base: Path) -> Path:
    p = Path(path)
    return p if p.is_absolute() else base / p


def _entry(section: str, config_key: str, name: str) -> tuple[dict, Path] | None:
    """The configured entry of a signer or seal, with the directory its relative paths start from."""
    configured = current_app.config.get(config_key) or {}
    if name in configured:
        return configured[name], Path(current_app.instance_path)
    found = _settings().get(section, {})
    if name in found:
        return found[name], Path(current_app.config["SIGNING_DIR"])
    return None


def _load(entry: dict, base: Path, who: str, *, now: datetime) -> Credential:
    path = _resolve(str(entry.get("pkcs12", "")), base)
    if not entry.get("pkcs12") or not path.is_file():
        raise DomainError(gettext("Không tìm thấy tệp khóa ký số (PKCS#12) của %(who)s: %(path)s. Quản trị cần cài đặt lại "
                                  "tệp khóa.",
                                  who=who, path=path))
    if "passphrase_env" in entry:
        passphrase = os.environ.get(entry["passphrase_env"])
        if passphrase is None:
            raise DomainError(gettext("Chưa đặt biến môi trường %(entry)s (mật khẩu khóa ký số của %(who)s).", entry=entry['passphrase_env'], who=who))
    else:
        passphrase = entry.get("passphrase", "")
    try:
        key, cert, chain = pkcs12.load_key_and_certificates(path.read_bytes(), passphrase.encode() or None)
    except ValueError:
        raise DomainError(gettext("Mật khẩu của tệp khóa ký số (PKCS#12) của %(who)s không đúng, hoặc tệp bị hỏng.", who=who)) from None
    if key is None or cert is None:
        raise DomainError(gettext("Tệp khóa ký số của %(who)s không chứa khóa bí mật và chứng thư số.", who=who))
    if now < cert.not_valid_before_utc:
        raise DomainError(gettext("Chứng thư số của %(who)s chỉ có hiệu lực từ %(date)s.", who=who,
                                  date=local_date(to_vn(cert.not_valid_before_utc).date())))
    if now > cert.not_valid_after_utc:
        raise DomainError(gettext("Chứng thư số của %(who)s đã hết hạn ngày %(date)s: cần gia hạn hoặc cấp chứng thư mới "
                                  "trước khi ký.", who=who, date=local_date(to_vn(cert.not_valid_after_utc).date())))
    der = serialization.Encoding.DER
    signing_key = asn1_keys.PrivateKeyInfo.load(key.private_bytes(der, serialization.PrivateFormat.PKCS8,
                                                                  serialization.NoEncryption()))
    signing_cert = asn1_x509.Certificate.load(cert.public_bytes(der))
    registry = SimpleCertificateStore.from_certs([asn1_x509.Certificate.load(c.public_bytes(der)) for c in chain])
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return Credential(signers.SimpleSigner(signing_cert=signing_cert, signing_key=signing_key,
                                           cert_registry=registry),
                      str(names[0].value) if names else cert.subject.rfc4514_string(),
                      cert.subject.rfc4514_string(), cert.not_valid_after_utc)


def signer_credential(user, *, now: datetime) -> Credential:
    """The signer's key, checked (configured, readable with its passphrase, certificate valid at `now`)."""
    found = _entry("signers", "SIGNING_KEYS", user.username)
    if found is None:
        raise DomainError(gettext("Chưa cấu hình khóa ký số cho %(full_name)s (%(username)s): quản trị khai báo tệp PKCS#12 "
                                  "và mật khẩu trong SIGNING_KEYS (xem README, mục Ký số).",
                                  full_name=user.full_name, username=user.username))
    return _load(*found, f"{user.full_name} ({user.username})", now=now)


def seal_credential(unit, *, now: datetime) -> Credential | None:
    """The organisation's seal key of a unit, when one is configured (optional)."""
    found = _entry("seals", "SIGNING_SEALS", unit.code)
    return _load(*found, f"con dấu của {unit.name}", now=now) if found is not None else None


def trust_roots() -> list[x509.Certificate]:
    """The configured root certificates (SIGNING_TRUST_ROOTS and signing.json's trust_roots)."""
    paths = [_resolve(p, Path(current_app.instance_path)) for p in current_app.config.get("SIGNING_TRUST_ROOTS", [])]
    base = Path(current_app.config["SIGNING_DIR"])
    paths += [_resolve(p, base) for p in _settings().get("trust_roots", [])]
    roots = []
    for path in paths:
        if path.is_file():
            roots += x509.load_pem_x509_certificates(path.read_bytes())
    return roots


class _TimedSigner(signers.PdfSigner):
    """A PdfSigner whose signing time is the one given (services take the time; pyHanko would read the clock)."""

    def __init__(self, *args, signing_time: datetime, **kwargs):
        super().__init__(*args, **kwargs)
        self.signing_time = signing_time

    def init_signing_session(self, pdf_out, existing_fields_only=False):
        session = super().init_signing_session(pdf_out, existing_fields_only)
        session.system_time = self.signing_time
        return session


class _StampFont(GlyphAccumulatorFactory):
    """pyHanko's factory reads the font from memory (its own opens the file and never closes it)."""

    def create_font_engine(self, writer, obj_stream=None) -> GlyphAccumulator:
        if obj_stream is None and writer.stream_xrefs and self.create_objstream_if_needed:
            obj_stream = writer.prepare_object_stream()
        return GlyphAccumulator(writer=writer, font_handle=io.BytesIO(_stamp_font_bytes()), font_size=self.font_size,
                                ot_script_tag=self.ot_script_tag, ot_language_tag=self.ot_language_tag,
                                writing_direction=self.writing_direction, bcp47_lang_code=self.bcp47_lang_code,
                                obj_stream=obj_stream)


@functools.cache
def _stamp_font_bytes() -> bytes:
    return STAMP_FONT.read_bytes()


def _stamp(lines: list[str], color, *, left: int = 4) -> stamp.TextStampStyle:
    """A text stamp in one colour with a thin border; `left` keeps the left part free (for the seal)."""
    box = text.TextBoxStyle(font=_StampFont(str(STAMP_FONT)), font_size=8, leading=10, text_color=color)
    placement = layout.SimpleBoxLayoutRule(x_align=layout.AxisAlignment.ALIGN_MIN,
                                           y_align=layout.AxisAlignment.ALIGN_MID,
                                           margins=layout.Margins(left=left, right=4, top=3, bottom=3))
    return stamp.TextStampStyle(stamp_text="\n".join(line.replace("%", "%%") for line in lines),
                                text_box_style=box, border_width=1, border_color=color, background=None,
                                inner_content_layout=placement)


def _apply(pdf: bytes, box, field: str, credential: Credential, style, *, when: datetime, reason: str,
           location: str) -> bytes:
    page, x0, y0, x1, y1 = box
    meta = signers.PdfSignatureMetadata(field_name=field, reason=reason, location=location, name=credential.common_name,
                                        subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256")
    out = io.BytesIO()
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        fields.append_signature_field(writer, fields.SigFieldSpec(field, on_page=page,
                                                                  box=(int(x0), int(y0), int(x1), int(y1))))
        _TimedSigner(meta, signer=credential.signer, stamp_style=style, signing_time=when).sign_pdf(writer, output=out)
    except SigningError as exc:
        if "filled already" in str(exc):
            raise DomainError(gettext("Tệp đã có chữ ký ở vị trí này: một văn bản chỉ được ký một lần.")) from None
        raise DomainError(gettext("Không ký được văn bản: %(exc)s", exc=exc)) from None
    return out.getvalue()


def sign(pdf: bytes, box, *, credential: Credential, name: str, title: str, unit_name: str, when: datetime,
         place: str, seal: Credential | None = None, agency: list[str] = ()) -> bytes:
    """Sign the rendered PDF in its signature space (page, x0, y0, x1, y1 in points), then the seal if given.

    The seal (the organisation's signature, in red) covers the left third of the signer's stamp; `agency` is its
    name as the heading writes it ("ỦY BAN NHÂN DÂN", "HUYỆN NINH SƠN").
    """
    if box is None:
        raise DomainError(gettext("Mẫu văn bản không có vị trí chữ ký."))
    moment = to_vn(when)
    lines = [f"Ký bởi: {name}", title, unit_name, f"Thời gian ký: {moment:%d/%m/%Y %H:%M:%S}", "(giờ Việt Nam)"]
    if credential.is_demo:
        lines.append(DEMO_MARK)
    page, x0, y0, x1, y1 = box
    width = (x1 - x0) / 3
    signer_style = _stamp(lines, BLUE, left=int(width) + 6 if seal is not None else 6)
    signed = _apply(pdf, box, SIGNER_FIELD, credential, signer_style, when=when, reason="Ký ban hành văn bản",
                    location=place)
    if seal is None:
        return signed
    seal_box = (page, x0 - width * 0.25, y0 + 3, x0 + width * 1.05, y1 - 3)
    seal_lines = [*(agency or [unit_name.upper()]), "Chữ ký số cơ quan", f"{moment:%d/%m/%Y}"]
    if seal.is_demo:
        seal_lines.append("DEMO")
    return _apply(signed, seal_box, SEAL_FIELD, seal, _stamp(seal_lines, RED), when=when,
                  reason="Chữ ký số của cơ quan", location=place)
