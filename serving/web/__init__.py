"""Web pages for supervisors and ethics reviewers, served by the same FastAPI app as ``/v1``.

Public API::

    from serving.web import install_web_pages
    install_web_pages(app)    # adds /ui/... routes, /ui/static and the HTML error pages

People sign in with their role's API key, which becomes a signed, HttpOnly,
SameSite=Strict session cookie; every form carries a per-session CSRF token. Pages are
Jinja2 templates with a small stylesheet and script served from this package: no
external hosts, no build step. Nothing is read or loaded until the first request.
"""

from serving.web.install import install_web_pages
from serving.web.sessions import SessionCodec, WebSession
from serving.web.web_config import WebConfig

__all__ = ["SessionCodec", "WebConfig", "WebSession", "install_web_pages"]
