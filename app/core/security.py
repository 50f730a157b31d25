"""Settings production must not start without (checked by create_app)."""

from __future__ import annotations

from flask import Flask

MIN_SECRET_KEY_LENGTH = 32
GENERATE_KEY = 'python3 -c "import secrets; print(secrets.token_hex(32))"'


def secret_key_problem(key) -> str | None:
    """Why this SECRET_KEY is unsafe (Vietnamese), or None."""
    from config import DEV_SECRET_KEY

    if not key:
        return "chưa được đặt"
    if key == DEV_SECRET_KEY:
        return "đang là giá trị mặc định dành cho phát triển"
    if len(key) < MIN_SECRET_KEY_LENGTH:
        return f"quá ngắn ({len(key)} ký tự, cần ít nhất {MIN_SECRET_KEY_LENGTH})"
    return None


def check_production_config(app: Flask) -> None:
    """In production, refuse to start with a SECRET_KEY anyone could know: it signs sessions and remember cookies,
    so with it anyone can forge an administrator's sign-in."""
    if not app.config.get("PRODUCTION"):
        return
    cookies = cookie_problems(app.config)
    if cookies:
        raise RuntimeError(
            "Không khởi động với FLASK_CONFIG=production: cookie phiên đăng nhập không an toàn (" + "; ".join(cookies)
            + "). Ứng dụng chạy sau HTTPS: cookie phải có Secure, HttpOnly và SameSite=Lax hoặc Strict.")
    problem = secret_key_problem(app.config.get("SECRET_KEY"))
    if problem:
        raise RuntimeError(
            f"Không khởi động với FLASK_CONFIG=production: SECRET_KEY {problem}. Khóa này ký phiên đăng nhập và "
            "cookie ghi nhớ; ai biết khóa có thể giả mạo đăng nhập của quản trị viên. Tạo một khóa ngẫu nhiên "
            f"bằng lệnh {GENERATE_KEY} rồi đặt vào biến môi trường SECRET_KEY (một giá trị, giữ bí mật, "
            "giống nhau trên mọi worker và máy chủ).")


def cookie_problems(config) -> list[str]:
    """What is unsafe in the session and remember cookie settings (Vietnamese), empty when nothing."""
    problems = []
    for prefix in ("SESSION_COOKIE", "REMEMBER_COOKIE"):
        if not config.get(f"{prefix}_SECURE"):
            problems.append(f"{prefix}_SECURE đang tắt")
        if not config.get(f"{prefix}_HTTPONLY"):
            problems.append(f"{prefix}_HTTPONLY đang tắt")
        if str(config.get(f"{prefix}_SAMESITE") or "").capitalize() not in ("Lax", "Strict"):
            problems.append(f"{prefix}_SAMESITE là {config.get(f'{prefix}_SAMESITE')!r}")
    return problems
