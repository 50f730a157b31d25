"""Domain errors carry a Vietnamese message meant for the user."""


class DomainError(Exception):
    """A rule was broken; `message` is shown to the user as is."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    """The object does not exist or is outside the user's scope: both answer 404, so ids cannot be enumerated."""


class Forbidden(DomainError):
    """The object is visible to the user but they may not do this (403)."""
