"""Exceptions that services raise for the user to read."""

from __future__ import annotations


class UserError(Exception):
    """A refusal the user should see, named by a message catalogue key.

    Raising it inside a unit of work rolls the work back; the bot then answers with the
    translated message instead of an apology.
    """

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


class NotAuthorised(UserError):
    """The caller may not do this; the message never says what exists."""

    def __init__(self, key: str = "auth.not_allowed") -> None:
        super().__init__(key)
