"""Configuration: classes that read the environment, with safe development defaults."""

import json
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"
# Only for development: production refuses to start with it (app.core.security.check_production_config).
DEV_SECRET_KEY = "dev-only-change-me"


def _database_url(default: str) -> str:
    url = os.environ.get("DATABASE_URL", default)
    # Heroku-style URLs and plain "postgresql://" both mean psycopg 3 here.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def _bands(text: str | None):
    """"Xuất sắc:90,Tốt:80,Khá:65,Trung bình:50,Yếu:0" → (("Xuất sắc", 0.9), ...), highest first."""
    if not text:
        return (("Xuất sắc", 0.90), ("Tốt", 0.80), ("Khá", 0.65), ("Trung bình", 0.50), ("Yếu", 0.0))
    bands = []
    for part in text.split(","):
        label, _, low = part.rpartition(":")
        bands.append((label.strip(), float(low) / 100))
    return tuple(sorted(bands, key=lambda b: -b[1]))


def _json_env(name: str) -> dict:
    """A JSON object from the environment ({} when unset); a malformed value stops the app with its name."""
    text = os.environ.get(name, "").strip()
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise RuntimeError(f"{name} phải là một đối tượng JSON: {exc}") from None
    if not isinstance(value, dict):
        raise RuntimeError(f"{name} phải là một đối tượng JSON.")
    return value


class Config:
    PRODUCTION = False
    SECRET_KEY = os.environ.get("SECRET_KEY") or DEV_SECRET_KEY
    SQLALCHEMY_DATABASE_URI = _database_url(f"sqlite:///{INSTANCE_DIR / 'chiso766.db'}")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # SQLite only: seconds a write waits for another process's write to finish before "database is locked"
    SQLITE_BUSY_TIMEOUT = float(os.environ.get("SQLITE_BUSY_TIMEOUT", "30"))
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "0") == "1"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    WTF_CSRF_TIME_LIMIT = None
    # The audit trail's Excel export stops at this many rows (newest first).
    AUDIT_EXPORT_MAX_ROWS = int(os.environ.get("AUDIT_EXPORT_MAX_ROWS", "50000"))
    # Uploads (app/core/uploads.py): one request may not exceed MAX_UPLOAD_MB (refused by its Content-Length before
    # anything is read, with the import page and a Vietnamese message); one file not its kind's size (a portal
    # response is a few hundred kB); at most UPLOAD_MAX_FILES files per request and UPLOAD_MAX_ROWS data rows per
    # CSV/XLSX file. The command line applies the same per-file limits (its --max-mb / --max-rows raise them).
    MAX_CONTENT_LENGTH = int(float(os.environ.get("MAX_UPLOAD_MB", "32")) * 1024 * 1024)
    UPLOAD_MAX_JSON_MB = float(os.environ.get("UPLOAD_MAX_JSON_MB", "8"))
    UPLOAD_MAX_CSV_MB = float(os.environ.get("UPLOAD_MAX_CSV_MB", "20"))
    UPLOAD_MAX_XLSX_MB = float(os.environ.get("UPLOAD_MAX_XLSX_MB", "10"))
    UPLOAD_MAX_FILES = int(os.environ.get("UPLOAD_MAX_FILES", "60"))
    UPLOAD_MAX_ROWS = int(os.environ.get("UPLOAD_MAX_ROWS", "200000"))
    # Server-side sessions (app/auth/sessions.py), in seconds: ended after this long without a request, and this long
    # after sign-in whatever happens; approving and signing a document need the password typed within REAUTH_MAX_AGE.
    SESSION_IDLE_TIMEOUT = int(os.environ.get("SESSION_IDLE_TIMEOUT", str(30 * 60)))
    SESSION_ABSOLUTE_TIMEOUT = int(os.environ.get("SESSION_ABSOLUTE_TIMEOUT", str(12 * 3600)))
    REAUTH_MAX_AGE = int(os.environ.get("REAUTH_MAX_AGE", str(15 * 60)))
    # Failed sign-ins (app/auth/throttle.py), counted in the database over LOGIN_FAILURE_WINDOW seconds: an account
    # with this many is locked, and so is a client address (a higher limit: one office may share an address).
    LOGIN_FAILURE_WINDOW = int(os.environ.get("LOGIN_FAILURE_WINDOW", str(15 * 60)))
    LOGIN_MAX_FAILURES_PER_USER = int(os.environ.get("LOGIN_MAX_FAILURES_PER_USER", "10"))
    LOGIN_MAX_FAILURES_PER_ADDRESS = int(os.environ.get("LOGIN_MAX_FAILURES_PER_ADDRESS", "50"))
    # Read API (/api/v1): requests per minute per personal token (or per signed-in user), counted in the database.
    API_RATE_LIMIT = int(os.environ.get("API_RATE_LIMIT", "120"))
    # How many reverse proxies in front of gunicorn set X-Forwarded-For/-Proto (0: none; production: 1).
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
    DISTRICT_NAME = os.environ.get("DISTRICT_NAME", "Ninh Sơn")
    DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "ninhson766")
    # Score bands: label and lower bound as a share of the maximum points, highest first; the last is "red".
    SCORE_BANDS = _bands(os.environ.get("SCORE_BANDS"))
    # An indicator that falls by more than this many points from one period to the next needs an explanation.
    RED_DROP_POINTS = float(os.environ.get("RED_DROP_POINTS", "2"))
    # A red indicator is to be explained by the end of the month this many months after its period (home pages).
    EXPLANATION_DEADLINE_MONTHS = int(os.environ.get("EXPLANATION_DEADLINE_MONTHS", "1"))
    # Dossiers: due within this many working days is "sắp trễ hạn"; overdue for this many working days goes to the
    # chair; a dossier returned late in the last days informs the owner of indicator 4.
    DOSSIER_DUE_SOON_DAYS = int(os.environ.get("DOSSIER_DUE_SOON_DAYS", "1"))
    DOSSIER_ESCALATE_AFTER_DAYS = int(os.environ.get("DOSSIER_ESCALATE_AFTER_DAYS", "2"))
    DOSSIER_RETURNED_LATE_LOOKBACK_DAYS = int(os.environ.get("DOSSIER_RETURNED_LATE_LOOKBACK_DAYS", "7"))
    # Alert e-mail (app/alerts/email.py): without MAIL_SERVER nothing is sent. MAIL_USE_TLS is STARTTLS.
    MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "0") == "1"
    MAIL_USE_SSL = os.environ.get("MAIL_USE_SSL", "0") == "1"
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_FROM = os.environ.get("MAIL_FROM", "Chỉ số 766 <no-reply@localhost>")
    MAIL_TIMEOUT = float(os.environ.get("MAIL_TIMEOUT", "10"))
    # Links in mails: this address + the page's path (may include a sub-path when mounted behind a proxy).
    APP_BASE_URL = os.environ.get("APP_BASE_URL", "http://127.0.0.1:5000")
    # Digital signatures (README "Ký số"): per signer {"pkcs12": path, "passphrase": ... | "passphrase_env": VAR},
    # per unit code the organisation's seal, and the roots a signature is trusted against. SIGNING_DIR/signing.json
    # (written by `flask seed-demo` for the demo) adds to them; neither is ever committed.
    SIGNING_DIR = os.environ.get("SIGNING_DIR", str(INSTANCE_DIR / "keys"))
    SIGNING_KEYS = _json_env("SIGNING_KEYS")
    SIGNING_SEALS = _json_env("SIGNING_SEALS")
    SIGNING_TRUST_ROOTS = [p for p in os.environ.get("SIGNING_TRUST_ROOTS", "").split(os.pathsep) if p]
    # /healthz says the scheduler is "stale" when its last heartbeat (one a minute) is older than this; stale is
    # reported (status "degraded") but stays 200: the web serves without the scheduler (README "Vận hành").
    SCHEDULER_STALE_AFTER_SECONDS = int(os.environ.get("SCHEDULER_STALE_AFTER_SECONDS", "300"))
    # The public scoreboard (/cong-khai): the origins (space-separated, "https://congdichvu.ninhthuan.gov.vn") whose
    # pages may show /cong-khai/<code>/nhung in an iframe (empty: none may), and how many public requests one client
    # address may make per minute (counted in the database, across workers; 0: no limit).
    PUBLIC_EMBED_ORIGINS = os.environ.get("PUBLIC_EMBED_ORIGINS", "")
    PUBLIC_RATE_LIMIT = int(os.environ.get("PUBLIC_RATE_LIMIT", "120"))
    # One JSON line per request on stdout (app/core/logs.py): on in production, or with LOG_REQUESTS=1.
    LOG_REQUESTS = os.environ.get("LOG_REQUESTS", "0") == "1"


class ProductionConfig(Config):
    """Behind an HTTPS reverse proxy: cookies only over HTTPS; a real SECRET_KEY is required to start."""

    PRODUCTION = True
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "1"))
    REMEMBER_COOKIE_SAMESITE = "Lax"
    LOG_REQUESTS = os.environ.get("LOG_REQUESTS", "1") == "1"


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test"
    WTF_CSRF_ENABLED = False
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # fast hashes keep the suite quick; production uses scrypt
    PUBLIC_RATE_LIMIT = 0  # tests of the limit set one (every test client has the same address)


class _Configs(dict):
    def __missing__(self, name):
        raise RuntimeError(f"FLASK_CONFIG={name!r} không hợp lệ; chọn một trong: {', '.join(self)}.")


configs = _Configs(development=Config, production=ProductionConfig, testing=TestConfig)
