"""The password policy: one function every path that sets a password goes through (admin form, own profile, CLI,
first setup), and the hash check with the same cost whether or not the account exists."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from flask import current_app, has_app_context
from werkzeug.security import check_password_hash, generate_password_hash

MIN_LENGTH = 10
MAX_LENGTH = 200
COMMON_PASSWORDS = Path(__file__).with_name("common-passwords.txt")


@cache
def common_passwords() -> frozenset[str]:
    """The bundled list of common passwords (lower case), read once."""
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def password_problem(password: str, username: str = "") -> str | None:
    """Why this password may not be used (Vietnamese), or None."""
    password = password or ""
    if len(password) < MIN_LENGTH:
        return f"Mật khẩu phải có ít nhất {MIN_LENGTH} ký tự."
    if len(password) > MAX_LENGTH:
        return f"Mật khẩu dài quá {MAX_LENGTH} ký tự."
    lowered = password.strip().lower()
    if lowered in common_passwords() or len(set(lowered)) < 4:
        return "Mật khẩu này quá phổ biến, dễ bị đoán; hãy chọn mật khẩu khác (ví dụ một cụm vài từ)."
    username = (username or "").strip().lower()
    if len(username) >= 3 and username in lowered:
        return "Mật khẩu không được chứa tên đăng nhập."
    return None


def _method() -> str:
    return current_app.config.get("PASSWORD_HASH_METHOD", "scrypt") if has_app_context() else "scrypt"


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=_method())


@cache
def _dummy_hash(method: str) -> str:
    return generate_password_hash("không-phải-mật-khẩu-của-ai", method=method)


def verify(password_hash: str | None, password: str) -> bool:
    """Check a password against a stored hash; without a hash (no such account) a dummy hash is checked instead,
    so a wrong username costs as long as a wrong password and the answer time does not tell which exist."""
    if not password_hash:
        check_password_hash(_dummy_hash(_method()), password or "")
        return False
    return check_password_hash(password_hash, password or "")
