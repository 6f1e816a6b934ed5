"""Catalogue text for channels without markup (Zalo, SMS): the words, tags gone, unescaped.

Catalogue texts carry a small HTML markup for Telegram (`<b>`, `<i>`, `<code>`,
`<a href>`, ...; see message.py) with every parameter escaped. A channel that shows plain
text keeps the words, writes a link as its label and address, and unescapes the rest.
"""

from __future__ import annotations

from html.parser import HTMLParser


class _Words(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._links: list[tuple[str, int]] = []  # (href, where its label starts)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._links.append((dict(attrs).get("href") or "", len(self.parts)))
        elif tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._links:
            href, start = self._links.pop()
            label = "".join(self.parts[start:])
            if href and href != label.strip():
                self.parts.append(f" ({href})")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain_text(markup: str) -> str:
    """The words of a catalogue text, as a channel without markup shows them."""
    if "<" not in markup and "&" not in markup:
        return markup
    words = _Words()
    words.feed(markup)
    words.close()
    return "".join(words.parts)
