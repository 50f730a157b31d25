"""`flask seed-demo`'s signing keys: a demo CA and the chair's key, marked as demo, made once; the demo chair signs
with them out of the box, and `seed-demo --reset` clears the documents with the rest of the demo."""

import json

import sqlalchemy as sa
from cryptography import x509

from app.auth.services import find_user
from app.demo.keys import ensure_demo_keys
from app.reports import services, signing, verify
from app.reports.models import Document
from tests.reports.conftest import NOW, TODAY


def test_demo_keys_are_made_once_marked_as_demo_and_let_the_chair_sign(demo, db, app, tmp_path, monkeypatch):
    folder = tmp_path / "keys"
    assert ensure_demo_keys(folder, chair=("hungdv", "Đoàn Văn Hùng"), unit=("NS", "UBND huyện Ninh Sơn"), now=NOW)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert set(before) == {"demo-ca.pem", "demo-hungdv.p12", "demo-ns.p12", "signing.json"}
    assert not ensure_demo_keys(folder, chair=("hungdv", "Đoàn Văn Hùng"), unit=("NS", "UBND huyện Ninh Sơn"),
                                now=NOW)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before  # idempotent: nothing regenerated
    ca = x509.load_pem_x509_certificate(before["demo-ca.pem"])
    assert "DEMO — KHÔNG CÓ GIÁ TRỊ PHÁP LÝ" in ca.subject.rfc4514_string()
    assert set(json.loads(before["signing.json"])["signers"]) == {"hungdv"}
    assert (folder / "signing.json").stat().st_mode & 0o077 == 0  # passphrases readable by the owner only

    monkeypatch.setitem(app.config, "SIGNING_DIR", str(folder))
    monkeypatch.setitem(app.config, "SIGNING_KEYS", {})
    monkeypatch.setitem(app.config, "SIGNING_SEALS", {})
    monkeypatch.setitem(app.config, "SIGNING_TRUST_ROOTS", [])
    chair = find_user("hungdv")
    assert signing.signer_credential(chair, now=NOW).is_demo
    doc = services.create_draft(kind="plan", unit=chair.unit, period=services.parse_quarter("2026Q4"), actor=chair,
                                today=TODAY, now=NOW)
    services.issue_now(doc, signer=chair, now=NOW)
    db.session.commit()
    assert doc.signature_info["demo"] is True
    result = verify.verify_pdf(doc.pdf, roots=signing.trust_roots(), now=NOW)
    assert result.ok and all(s.is_demo for s in result.signatures)

    from app.demo.services import reset_demo

    reset_demo()
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == 0
