"""Access decided in one place: role decorator and scope guards used by every view."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required


def roles_required(*roles: str):
    """Signed-in users with one of `roles`; others get 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def require_unit_visible(unit) -> None:
    """403 for units outside the user's tree."""
    if unit is None or not current_user.can_see_unit(unit):
        abort(403)


def require(condition: bool) -> None:
    """403 unless the condition holds."""
    if not condition:
        abort(403)
