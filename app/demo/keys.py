"""Demo signing keys: a demo CA and a certificate for the demo chair (and the district's seal), clearly marked
"DEMO — KHÔNG CÓ GIÁ TRỊ PHÁP LÝ", written under SIGNING_DIR (instance/keys, never committed) with a signing.json
that lets the demo chair sign out of the box. Idempotent: existing files are kept.

The certificate helpers are plain functions of their arguments (tests make their own CA and certificates with them).
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from app.reports.signing import DEMO_MARK


def _name(common_name: str, organisation: str, unit: str | None = None) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
             x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation)]
    if unit:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(attrs)


def make_ca(common_name: str, *, now: datetime, days: int = 3650, mark: str | None = DEMO_MARK):
    """A self-signed CA: (certificate, private key)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name(common_name, "Chỉ số 766", mark)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    return cert, key


def issue(ca, ca_key, common_name: str, organisation: str, *, not_before: datetime, not_after: datetime,
          mark: str | None = DEMO_MARK):
    """A signing certificate issued by the CA: (certificate, private key)."""
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(_name(common_name, organisation, mark)).issuer_name(ca.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(not_before).not_valid_after(not_after)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    return cert, key


def write_p12(path: Path, cert, key, ca, passphrase: str) -> None:
    path.write_bytes(pkcs12.serialize_key_and_certificates(
        b"chiso766", key, cert, [ca], serialization.BestAvailableEncryption(passphrase.encode())))
    path.chmod(0o600)


def write_pem(path: Path, cert) -> None:
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def ensure_demo_keys(directory: Path, *, chair: tuple[str, str], unit: tuple[str, str], now: datetime) -> bool:
    """Create the demo CA, the chair's and the unit seal's PKCS#12 and signing.json; False when they already exist.

    `chair` is (username, full name), `unit` is (code, name).
    """
    settings = directory / "signing.json"
    if settings.exists():
        return False
    directory.mkdir(parents=True, exist_ok=True)
    ca, ca_key = make_ca("CA thử nghiệm Chỉ số 766", now=now)
    write_pem(directory / "demo-ca.pem", ca)
    username, full_name = chair
    code, unit_name = unit
    config = {"signers": {}, "seals": {}, "trust_roots": ["demo-ca.pem"]}
    for section, name, common_name in (("signers", username, full_name), ("seals", code, unit_name)):
        cert, key = issue(ca, ca_key, common_name, unit_name, not_before=now - timedelta(days=1),
                          not_after=now + timedelta(days=3 * 365))
        passphrase = secrets.token_urlsafe(18)
        file_name = f"demo-{name.lower()}.p12"
        write_p12(directory / file_name, cert, key, ca, passphrase)
        config[section][name] = {"pkcs12": file_name, "passphrase": passphrase}
    settings.write_text(json.dumps(config, ensure_ascii=False, indent=2), encoding="utf-8")
    settings.chmod(0o600)
    return True
