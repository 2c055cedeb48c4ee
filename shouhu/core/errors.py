"""Errors that services raise and views turn into messages in the user's language."""

from __future__ import annotations

from django.utils.functional import Promise


class DomainError(Exception):
    """A domain rule refused an action; ``message`` is already translatable for the user.

    ``field`` names the form field the message belongs to, when there is one, so that a
    view can attach it to the field and keep everything else the user typed.
    """

    def __init__(self, message: str | Promise, *, field: str | None = None, code: str = "invalid") -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field
        self.code = code


class NotAllowedError(DomainError):
    """The actor may not do this. Views answer 404, like for a missing object."""

    def __init__(self, message: str | Promise = "not allowed") -> None:
        super().__init__(message, code="not_allowed")
