"""Rendering pages: Jinja2 templates with the catalogue, the signed-in user and CSRF."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse

from bot.catalogue import plain, t
from bot.desk import DeskUser
from bot.services import Services
from web.security import CookieSigner

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"


@dataclass
class Desk:
    """What every route needs: the services, the cookie signer, the templates."""

    services: Services
    signer: CookieSigner
    env: Environment

    @property
    def language(self) -> str:
        """The deployment's language (Vietnamese first)."""
        return self.services.settings.deployment.language

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
        language = request.query_params.get("lang") or self.language
        if language not in ("vi", "en"):
            language = self.language

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
            **context,
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


def environment() -> Environment:
    """The templates' environment, escaping everything."""
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        auto_reload=False,
    )
