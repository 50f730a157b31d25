"""Check a signed PDF: is every signature intact, who signed, when (Vietnam time), trusted against the configured
roots, and was the file changed after signing. Used by `flask reports verify FILE` and the upload page."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from datetime import datetime

from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.misc import PdfReadError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from app.core.time import to_vn
from app.reports.signing import DEMO_MARK

NOT_PDF = "Tệp không phải là PDF (hoặc bị hỏng, không đọc được)."
NO_SIGNATURE = "Tệp PDF không có chữ ký số nào."


@dataclass
class SignatureCheck:
    field: str
    signer: str
    subject: str
    signed_at: datetime | None
    intact: bool
    valid: bool
    trusted: bool
    covers_all: bool  # nothing but later signatures was added after this one
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and self.trusted and self.covers_all

    @property
    def is_demo(self) -> bool:
        return DEMO_MARK in self.subject

    @property
    def verdict(self) -> str:
        if not (self.intact and self.valid):
            return "KHÔNG HỢP LỆ: nội dung đã bị thay đổi sau khi ký (hoặc chữ ký hỏng)"
        if not self.covers_all:
            return "Chữ ký đúng, nhưng tệp đã bị sửa đổi thêm sau khi ký"
        if not self.trusted:
            return "Chữ ký nguyên vẹn, nhưng chứng thư số không thuộc tổ chức chứng thực tin cậy đã cấu hình"
        return "Hợp lệ: văn bản nguyên vẹn từ khi ký, chứng thư số tin cậy"


@dataclass
class Verification:
    sha256: str
    error: str = ""
    signatures: list[SignatureCheck] = field(default_factory=list)
    archived: object | None = None  # the Document of the archive with the same SHA-256, when the caller looks

    @property
    def ok(self) -> bool:
        return not self.error and bool(self.signatures) and all(s.ok for s in self.signatures)

    @property
    def summary(self) -> str:
        if self.error:
            return self.error
        if self.ok:
            return "Văn bản nguyên vẹn, mọi chữ ký số hợp lệ và tin cậy."
        if any(not (s.intact and s.valid) or not s.covers_all for s in self.signatures):
            return "Văn bản đã bị thay đổi sau khi ký: không dùng bản này."
        return "Chữ ký nguyên vẹn nhưng chưa được xác nhận tin cậy."


def _context(roots, now: datetime | None) -> ValidationContext:
    certs = [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in roots]
    return ValidationContext(trust_roots=certs, allow_fetching=False, moment=now, revocation_mode="soft-fail")


def verify_pdf(data: bytes, *, roots, now: datetime | None = None) -> Verification:
    """Verify every signature of a PDF against `roots` (cryptography certificates) at `now`."""
    result = Verification(hashlib.sha256(data).hexdigest())
    if b"%PDF-" not in data[:1024]:
        result.error = NOT_PDF
        return result
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = list(reader.embedded_signatures)
    except (PdfReadError, ValueError, KeyError, IndexError, TypeError) as exc:
        result.error = f"{NOT_PDF} ({exc.__class__.__name__})"
        return result
    if not embedded:
        result.error = NO_SIGNATURE
        return result
    for sig in embedded:
        result.signatures.append(_check(sig, _context(roots, now)))
    return result


def _check(sig, context) -> SignatureCheck:
    name = sig.field_name or ""
    try:
        cert = sig.signer_cert
        subject = cert.subject.human_friendly
        common = cert.subject.native.get("common_name", subject)
    except Exception:  # a damaged signature dictionary: reported, not raised
        subject = common = ""
    try:
        status = validate_pdf_signature(sig, signer_validation_context=context)
    except Exception as exc:  # pyHanko raises on signatures it cannot even parse
        return SignatureCheck(name, common, subject, None, False, False, False, False,
                              problem=f"Không kiểm tra được chữ ký: {exc.__class__.__name__}")
    level = status.modification_level
    covers_all = status.coverage == SignatureCoverageLevel.ENTIRE_FILE or (
        level is not None and level <= ModificationLevel.FORM_FILLING and bool(status.docmdp_ok))
    when = status.signer_reported_dt or sig.self_reported_timestamp
    return SignatureCheck(name, common, subject, to_vn(when) if when else None, bool(status.intact),
                          bool(status.valid), bool(status.trusted), covers_all)
