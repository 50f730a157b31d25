"""Access decided in one place: role decorator and scope guards used by every view.

The policy (tests/test_route_matrix.py checks it on every route): an object outside the user's tree answers 404
exactly like a missing id; a forbidden action on an object the user may see, or a route of a role they do not have,
answers 403; an anonymous user is sent to sign in. Services raise `NotFound` / `Forbidden` (app.core.errors), which
the app answers with 404 / 403.
"""

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
    """404 for units outside the user's tree, exactly as for a missing one (ids cannot be enumerated)."""
    if unit is None or not current_user.can_see_unit(unit):
        abort(404)


def require_found(condition: bool) -> None:
    """404 unless the condition holds: an object outside the user's scope is answered as if it did not exist."""
    if not condition:
        abort(404)


def require(condition: bool) -> None:
    """403 unless the condition holds (a forbidden action on an object the user may see)."""
    if not condition:
        abort(403)
