"""Rendering a page: the templates, the navigation a role sees, and the figures' formats.

Pages are Jinja2 templates rendered on the server; charts arrive as inline SVG drawn by
`tenure.charts` (the same charts as the board pack). The layout shows only the sections the
user's role may open, and every form carries the session's CSRF token.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from tenure.reports import figures

if TYPE_CHECKING:
    from fastapi import Request

    from tenure.web.access import Principal

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))
TEMPLATES.env.filters.update(money=figures.money, percent=figures.percent, points=figures.points,
                             count=figures.count, days=figures.days)

# (path, label, permission): the navigation, in order; a link shows when the role holds the permission
NAVIGATION = [
    ("/", "Dashboard", "company"),
    ("/book", "My book", "accounts"),
    ("/team", "Team", "team"),
    ("/accounts", "Accounts", "accounts"),
    ("/renewals", "Renewals", "accounts"),
    ("/ctas", "CTAs", "accounts"),
    ("/handoffs", "Handoffs", "handoffs"),
    ("/operating", "Operating model", "company"),
    ("/feedback", "Product feedback", "company"),
    ("/desk", "Desk", "company"),
    ("/reports", "Reports", "company"),
    ("/users", "Users", "users"),
]


def chart_svg(chart) -> Markup:
    """A chart drawn on the server as inline SVG (no chart library in the browser)."""
    from tenure.charts.render import to_svg

    svg = to_svg(chart)
    return Markup(svg[svg.index("<svg"):])


def render(request: Request, template: str, principal: Principal | None, status_code: int = 200, **context):
    """A page: the template with the user, their navigation and the CSRF token."""
    nav = [(path, label) for path, label, permission in NAVIGATION
           if principal is not None and principal.can(permission)]
    return TEMPLATES.TemplateResponse(request, template, {
        "user": principal, "nav": nav, "csrf_token": principal.csrf_token if principal else None,
        "path": request.url.path, **context}, status_code=status_code)
