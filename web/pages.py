"""Rendering pages: Jinja2 templates with the catalogue, the signed-in user and CSRF."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse

from bot.catalogue import plain, t
from bot.config import Settings
from bot.desk import DeskUser
from bot.services import Services
from web.security import CookieSigner

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
# The visitor's language, chosen with the switch in every page's header (web/routes/language.py).
LANGUAGE_COOKIE = "cachly_lang"
LANGUAGES = ("vi", "en")


@dataclass
class Desk:
    """What every route needs: the services, the cookie signer, the templates."""

    services: Services
    signer: CookieSigner
    env: Environment
    # The @username of the bot of a province ("" if unknown), for enrolment links.
    usernames: Callable[[int], str]

    @property
    def language(self) -> str:
        """The deployment's language (Vietnamese first)."""
        return self.services.settings.deployment.language

    def language_of(self, request: Request) -> str:
        """The request's language: `?lang=`, else the switch's cookie, else the deployment's."""
        for chosen in (request.query_params.get("lang"), request.cookies.get(LANGUAGE_COOKIE)):
            if chosen in LANGUAGES:
                return chosen
        return self.language

    def render(
        self,
        request: Request,
        template: str,
        *,
        user: DeskUser | None = None,
        token: str | None = None,
        status_code: int = 200,
        **context: Any,
    ) -> HTMLResponse:
        """A page in the deployment's language; forms get the session's CSRF token."""
        language = self.language_of(request)

        def tr(key: str, **params: object) -> str:
            return plain(language, key, **params)

        def rich(key: str, **params: object) -> Markup:
            # Catalogue texts may hold Telegram's few HTML tags (<b>, <i>); t() escapes params.
            return Markup(t(language, key, **params))

        html = self.env.get_template(template).render(
            t=tr,
            rich=rich,
            lang=language,
            user=user,
            csrf=self.signer.csrf(token) if token else "",
            tz=self.services.settings.schedule.tz,
            **{"here": here(request), **context},
        )
        return HTMLResponse(
            html,
            status_code=status_code,
            headers={
                "Content-Security-Policy": (
                    "default-src 'self'; img-src 'self' data: https:; style-src 'self' "
                    "'unsafe-inline'; script-src 'self'; frame-ancestors 'none'"
                ),
                "X-Content-Type-Options": "nosniff",
                "Referrer-Policy": "no-referrer",
            },
        )


def configured_usernames(settings: Settings) -> Callable[[int], str]:
    """The configured @username of each province's bot (`telegram.bot_username`, `[[bots]]`)."""
    names = {p: bot.username for bot in settings.all_bots for p in bot.provinces}
    return lambda province: names.get(province, "")


def here(request: Request) -> str:
    """This page's path and query (without `lang`), for the language switch to come back to.

    A page answering a POST has no address of its own to come back to: the route names one
    (`here=` in the context), else the start page.
    """
    if request.method != "GET":
        return "/"
    query = "&".join(
        f"{name}={quote(value)}"
        for name, value in request.query_params.multi_items()
        if name != "lang"
    )
    return request.url.path + (f"?{query}" if query else "")


def environment() -> Environment:
    """The templates' environment, escaping everything."""
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        auto_reload=False,
    )
