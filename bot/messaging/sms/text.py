"""The SMS renderer: channel-free content to one short text and its reply codes.

A person on SMS answers with numbers: each choice of a message becomes a reply code
("Tra loi 1 neu khoe, 2 neu met, 3 neu can giup ngay"), and the code → action map goes
into the contact book with the message, so that `replies.py` can read "2" later. The text
is said in its short SMS wording (`wording.py`), unaccented, GSM-7 only, within the
configured segments (one where the wording allows). A location request becomes a one-time
link to the web desk's location page when the person has one, and is left out otherwise.

Rendering happens in two steps because the sender's render is pure: `render_stored` makes
a *draft* (the words, the offers, whether a link is wanted) as the call's parameters; the
transport, which can read the contact book, `compose`s it in the contact's language with
the link, and stores the codes once the gateway took the text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.catalogue import plain as catalogue_text
from bot.channels import contact_id_of
from bot.messaging.message import Choice, Content, Document, Link, Picture, Pin, Text, from_json
from bot.messaging.sms import gsm, wording
from bot.messaging.transport import ApiCall
from bot.text import fold

SEND, NOOP = "sendSms", "noop"
# What the contact book keeps, per code, as the reply it stands for: a choice's action;
# URGENT + action, which is also an SOS; SAY + words, which is as if the person typed them.
URGENT, SAY = "!", "say:"
# Choices that an SMS offers as "need help now": answering them also raises the SOS
# (issue #17: on SMS "3" is the emergency, since the questionnaire behind "very unwell"
# is hard to follow by text).
URGENT_LABELS = frozenset({"checkin.feel.bad"})
# Up to this many choices, all with a short wording, read "1 neu khoe"; more read "1=khoe".
MAX_SPOKEN = 3
# Codes of the stored map: replaced by a message that asks something, cleared by one that
# ends the conversation, kept otherwise (a plain notice leaves the last question open).
REPLACE, CLEAR, KEEP = "replace", "clear", "keep"
_NON_WORD = re.compile(r"[^\w]+")


@dataclass(frozen=True, slots=True)
class Offer:
    """One reply code: what it says and what it stands for."""

    code: str
    label: str
    reply: str


@dataclass(frozen=True, slots=True)
class Draft:
    """A message as SMS words before the contact's language and link are known."""

    body: str
    body_nolink: str
    offers: tuple[Offer, ...] = ()
    listed: bool = False
    location: bool = False
    codes: str = KEEP

    def params(self, contact_id: int | None) -> dict[str, Any]:
        """The draft as a call's parameters (JSON values)."""
        return {
            "contact_id": contact_id,
            "body": self.body,
            "body_nolink": self.body_nolink,
            "offers": [[o.code, o.label, o.reply] for o in self.offers],
            "listed": self.listed,
            "location": self.location,
            "codes": self.codes,
        }

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> Draft:
        """The draft a call carries."""
        return cls(
            params["body"],
            params["body_nolink"],
            tuple(Offer(*offer) for offer in params["offers"]),
            bool(params["listed"]),
            bool(params["location"]),
            str(params["codes"]),
        )

    def reply_codes(self) -> dict[str, str]:
        """The code → reply map to keep for the contact, each label's words a code too.

        "khoe" answers as "1" does; words two choices share, or that are a code, do not.
        """
        codes = {offer.code: offer.reply for offer in self.offers}
        words = [words_of(offer.label) for offer in self.offers]
        for offer, said in zip(self.offers, words, strict=True):
            if said and words.count(said) == 1 and said not in codes:
                codes[said] = offer.reply
        return codes


@dataclass(frozen=True, slots=True)
class ReplyVia:
    """Where replies go when the sender cannot be answered (a brandname): keyword, number."""

    keyword: str
    number: str


def words_of(label: str) -> str:
    """A label or a reply as they are compared: unaccented, lower case, bare words."""
    return " ".join(_NON_WORD.sub(" ", fold(label)).split())


def render_stored(
    kind: str,
    body: dict[str, Any],
    chat_id: int,
    *,
    edit_message_id: int | None = None,
    purpose: str = "",
) -> ApiCall:
    """The SMS call for an outbox row's content (the sender's render, as Telegram's)."""
    return render(from_json(kind, body), chat_id, edit_message_id=edit_message_id)


def render(content: Content, chat_id: int, *, edit_message_id: int | None = None) -> ApiCall:
    """The call that says `content` to the contact of `chat_id`.

    An SMS cannot be edited: an edit (a keyboard taken away, a tick shown) sends nothing.
    """
    contact_id = contact_id_of(chat_id)
    if edit_message_id is not None:
        return ApiCall(NOOP, {"contact_id": contact_id})
    found = draft(content)
    if found is None:
        return ApiCall(NOOP, {"contact_id": contact_id})
    return ApiCall(SEND, found.params(contact_id))


def draft(content: Content) -> Draft | None:
    """The SMS words and reply codes of a content (None: nothing an SMS can say)."""
    if isinstance(content, Pin):
        text = catalogue_text("vi", "sms.pin", lat=content.latitude, lon=content.longitude)
        return Draft(text, text)
    if isinstance(content, Picture | Document):
        if not content.caption:
            return None
        said = wording.say(content.caption)
        return Draft(said.text, said.nolink)
    return _text_draft(content)


def _text_draft(content: Text) -> Draft:
    said = wording.say(content.text)
    links: list[str] = []
    offers: list[Offer] = []
    short = True
    for row in content.buttons:
        for button in row:
            if isinstance(button, Link):
                links.append(f"{wording.plain(button.label)} {button.url}".strip())
                continue
            words, key = wording.label(button.label)
            short = short and key is not None
            offers.append(_offer(len(offers), words, _reply(button, key)))
    typed = list(content.location_request.alternatives) if content.location_request else []
    for answer in (*typed, *content.answers):
        words, key = wording.label(answer)
        short = short and key is not None
        offers.append(_offer(len(offers), words, SAY + answer))
    extra = " ".join(links)
    body = " ".join(part for part in (said.text, extra) if part)
    body_nolink = " ".join(part for part in (said.nolink, extra) if part)
    asks = bool(offers) or content.location_request is not None
    codes = REPLACE if asks else CLEAR if content.close_request else KEEP
    return Draft(
        body,
        body_nolink,
        tuple(offers),
        listed=not short or len(offers) > MAX_SPOKEN,
        location=content.location_request is not None,
        codes=codes,
    )


def _offer(index: int, words: str, reply: str) -> Offer:
    return Offer(str(index + 1), words, reply)


def _reply(choice: Choice, key: str | None) -> str:
    return URGENT + choice.action if key in URGENT_LABELS else choice.action


def compose(
    draft: Draft,
    language: str,
    *,
    link: str | None = None,
    max_segments: int = 1,
    via: ReplyVia | None = None,
) -> str:
    """The SMS itself: the words, the link and the reply codes, within `max_segments`.

    The codes and the link are kept whole; the words are shortened if they must be.
    """
    tail: list[str] = []
    if link is not None and draft.location:
        tail.append(gsm.to_gsm7(catalogue_text(language, "sms.location_link", url=link)))
    if draft.offers:
        tail.append(codes_line(draft.offers, language, listed=draft.listed, via=via))
    end = " ".join(tail)
    body = draft.body if link is not None and draft.location else draft.body_nolink
    limit = gsm.capacity(max_segments)
    if body and end:
        room = limit - gsm.septets(end) - 1
        body = gsm.shorten(body, room) if room > 0 else ""
    return gsm.shorten(" ".join(part for part in (body, end) if part), limit)


def codes_line(
    offers: Sequence[Offer], language: str, *, listed: bool, via: ReplyVia | None = None
) -> str:
    """How the codes are offered: "Tra loi 1 neu khoe, 2 neu met." (or "1=..., 2=...")."""
    each = "sms.code" if listed or via is not None else "sms.code_if"
    join = catalogue_text(language, "sms.code.join")
    choices = join.join(catalogue_text(language, each, code=o.code, label=o.label) for o in offers)
    if via is not None:
        line = catalogue_text(
            language, "sms.codes.via", keyword=via.keyword, number=via.number, choices=choices
        )
    else:
        line = catalogue_text(
            language, "sms.codes.list" if listed else "sms.codes", choices=choices
        )
    return gsm.to_gsm7(line)
