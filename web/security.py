"""The session cookie and CSRF tokens.

The cookie holds the session's random token, signed (itsdangerous) so that a forged or
altered cookie is refused before the database is asked; the database keeps only the
token's hash and says whether the session still holds (8 h, sign-out, revocation). The
CSRF token of a form is an HMAC of the session token: it needs no storage and is worth
nothing in another session.
"""

from __future__ import annotations

import hashlib
import hmac

from itsdangerous import BadSignature, Signer

COOKIE = "cachly_session"
CSRF_FIELD = "csrf"


class CookieSigner:
    """Signs and reads the session cookie's value."""

    def __init__(self, secret: str) -> None:
        self._signer = Signer(secret, salt="cachly.web.session")
        self._key = hashlib.sha256(("csrf:" + secret).encode()).digest()

    def sign(self, token: str) -> str:
        """The cookie value for a session token."""
        return self._signer.sign(token).decode("ascii")

    def unsign(self, value: str) -> str | None:
        """The session token in a cookie value, or None when the signature is wrong."""
        try:
            return self._signer.unsign(value).decode("ascii")
        except BadSignature:
            return None

    def csrf(self, token: str) -> str:
        """The CSRF token bound to a session."""
        return hmac.new(self._key, token.encode(), hashlib.sha256).hexdigest()

    def csrf_ok(self, token: str, sent: str | None) -> bool:
        """Whether a form's CSRF token belongs to this session."""
        return sent is not None and hmac.compare_digest(self.csrf(token), sent)
