"""Which language the command line speaks: --lang, else the locale, else the deployment's."""

from __future__ import annotations

from collections.abc import Mapping

from bot.catalogue import LANGUAGES

# The variables a locale is read from, strongest first (as setlocale reads them).
LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")


def locale_language(environ: Mapping[str, str]) -> str | None:
    """'vi_VN.UTF-8' -> 'vi', 'en_US' -> 'en'; 'C', 'POSIX', unset or another -> None."""
    for name in LOCALE_VARIABLES:
        value = environ.get(name, "")
        if not value:
            continue
        # The first variable set decides, as for the C library: LC_ALL=C means no opinion.
        code = value.split(".", 1)[0].split("@", 1)[0].split("_", 1)[0].lower()
        return code if code in LANGUAGES else None
    return None


def cli_language(choice: str | None, environ: Mapping[str, str], deployment: str) -> str:
    """The language of this run: the --lang choice, the locale's, the deployment's."""
    return choice or locale_language(environ) or deployment
