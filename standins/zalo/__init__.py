"""A Zalo Official Account stand-in: a real HTTP server on 127.0.0.1 for tests and the demo.

The Zalo channel's client (bot/messaging/zalo/client.py) talks to it with every base URL
set to ``standin.base_url``. It serves the OA API v3.0 customer-service message, ZNS
template messages and the OAuth v4 token refresh, answers with Zalo's shapes and error
codes, records every call, and enforces what Zalo enforces: access tokens that expire,
single-use refresh tokens, followers only, the 48-hour window and its 8 messages, text and
button limits, registered templates with their exact parameters, phone numbers with Zalo,
a request rate. Simulated people (``standin.user(id, phone)``) follow the OA, write, press
buttons and share locations as signed webhook events posted to ``standin.webhook_url``.

Its seams: ``wire`` (paths, limits, codes), ``checks`` (what Zalo checks in a request),
``records`` (what it keeps), ``limits`` (rate and window), ``auth`` (tokens), ``server``
(the stand-in), ``users`` (simulated people).
"""

from standins.zalo.limits import Limits
from standins.zalo.records import Call, Person, Received, Template
from standins.zalo.server import Delivery, Fault, ZaloStandIn
from standins.zalo.users import ZaloUser

__all__ = [
    "Call",
    "Delivery",
    "Fault",
    "Limits",
    "Person",
    "Received",
    "Template",
    "ZaloStandIn",
    "ZaloUser",
]
