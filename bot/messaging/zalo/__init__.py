"""The Zalo Official Account channel: a person who follows the health station's OA.

`client.py` speaks Zalo's HTTP APIs (OA API v3.0, OAuth v4, ZNS), `tokens.py` keeps the OA
access token fresh from a single-use refresh token kept outside the repository,
`webhook.py` verifies and parses what Zalo posts, `render.py` turns channel-free content
into Zalo messages and `transport.py` is the outbox sender's transport: a free
customer-service message inside the person's 48-hour window, a ZNS template outside it,
or `OutsideWindow` (so the caller falls back to SMS). README.md in this folder lists what
was taken from Zalo's documentation, with the API versions, and what could not be checked.
"""
