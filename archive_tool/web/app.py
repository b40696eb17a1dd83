"""The web page as a WSGI application: who is asking (a session from a PAM sign-in),
the form tokens, the language, errors as pages, and the headers every answer gets.
What each page shows is in pages.py."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from archive_tool import i18n
from archive_tool.archive import Archive, Shared
from archive_tool.errors import AccessDenied, ArchiveError, ExitCode
from archive_tool.i18n import _
from archive_tool.locate import archive_language
from archive_tool.outside import CallerFiles
from archive_tool.web import labels
from archive_tool.web.sessions import Sessions, WebSession
from archive_tool.web.signin import PAM_SERVICE, Guard

log = logging.getLogger("archive_tool.web")
STATIC = Path(__file__).resolve().parent / "static"
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")
MAX_FORM_BYTES = 64 * 1024
STATUS = {ExitCode.DENIED: 403, ExitCode.NOT_FOUND: 404, ExitCode.CONFLICT: 409,
          ExitCode.UNAVAILABLE: 503}
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self';"
                               " form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


class NoFiles(CallerFiles):
    """A person on the web page has no files of theirs on the server: every command
    that would read or write them is refused."""

    def _refuse(self, *_args: Any, **_kw: Any) -> Any:
        raise AccessDenied(_("files of your own cannot be sent through the web page;"
                             " use the shared folder or the command line"))

    resolve = kind = walk = open_read = write_new = _refuse


NO_FILES = NoFiles()


class Visit:
    """One request: the session and the archive as this person sees it, the form
    token, and what the answer must set."""

    def __init__(self, app: WebApp, request: Request, language: str):
        self.app = app
        self.request = request
        self.language = language
        self.session: WebSession | None = None
        self.archive: Archive | None = None
        self.visitor = request.cookies.get(app.cookie_name("visitor", request)) \
            or secrets.token_urlsafe(24)
        self.new_visitor = app.cookie_name("visitor", request) not in request.cookies

    @property
    def secure(self) -> bool:
        return self.app.secure(self.request)

    @property
    def csrf(self) -> str:
        if self.session is not None:
            return self.session.csrf
        return self.app.sessions.visitor_token(self.visitor)

    def csrf_ok(self) -> bool:
        given = self.request.form.get("csrf")
        if self.session is not None:
            return bool(given) and secrets.compare_digest(self.session.csrf, str(given))
        return self.app.sessions.visitor_token_ok(self.visitor, given)

    @property
    def remote(self) -> str:
        return self.request.remote_addr or "unknown"

    def render(self, template: str, status: int = 200, **context: Any) -> Response:
        page = self.app.templates.get_template(template).render(visit=self, **context)
        return Response(page, status=status, mimetype="text/html")

    def redirect(self, location: str) -> Response:
        return Response("", status=303, headers={"Location": location})

    def fail(self, status: int, message: str) -> Response:
        return self.render("error.html", status=status, status_code=status, message=message)


def _marked(snippet: str) -> Markup:
    """A search snippet with its matched words in <mark>, everything else escaped."""
    from archive_tool.index.query import MARK_CLOSE, MARK_OPEN

    text = str(escape(" ".join(snippet.split())))
    return Markup(text.replace(MARK_OPEN, "<mark>").replace(MARK_CLOSE, "</mark>"))


def _day(value: object) -> str:
    """A date as people in the page's language write it (20/11/2026 in Spanish)."""
    text = "" if value is None else str(value)
    if i18n.language() == "es" and len(text) >= 10 and text[4] == "-" and text[7] == "-":
        return f"{text[8:10]}/{text[5:7]}/{text[:4]}{text[10:]}"
    return text


def _size(n: int) -> str:
    if n < 1024:
        return _("{n} bytes").format(n=n)
    if n < 1024 * 1024:
        return _("{n} KB").format(n=round(n / 1024))
    return _("{n:.1f} MB").format(n=n / 2**20)


class WebApp:
    def __init__(self, root: Path, shared: Shared, *, pam_service: str = PAM_SERVICE,
                 guard: Guard | None = None, sessions: Sessions | None = None,
                 check_password: Callable[[str, str, str, str], bool] | None = None):
        from archive_tool.web import pages, signin

        self.root = Path(root).resolve()
        self.shared = shared
        self.pam_service = pam_service
        self.guard = guard or Guard()
        self.sessions = sessions or Sessions()
        self.check_password = check_password or signin.check_password
        self.rules = Map([Rule(path, endpoint=name, methods=methods)
                          for path, name, methods in pages.ROUTES], strict_slashes=False)
        self.handlers = pages.HANDLERS
        self.public = pages.PUBLIC
        env = Environment(loader=PackageLoader("archive_tool.web", "templates"),
                          autoescape=select_autoescape(["html"]),
                          extensions=["jinja2.ext.i18n"], trim_blocks=True,
                          lstrip_blocks=True)
        env.install_gettext_callables(  # type: ignore[attr-defined]
            i18n._, i18n.ngettext, newstyle=False)
        env.filters.update(marked=_marked, day=_day, size=_size,
                           label=lambda value, table: labels.label(getattr(labels, table),
                                                                   value),
                           label_of=lambda value, key: labels.label(labels.VALUES[key], value),
                           q=lambda value: quote(str(value), safe=""))
        env.globals.update(labels=labels, search_link=pages.search_link)
        self.templates = env

    # --- cookies: Secure unless the browser is on this machine over plain http ----------

    def secure(self, request: Request) -> bool:
        """Cookies are Secure, except for plain http to a loopback name (127.0.0.1,
        localhost, [::1]): a browser on the server itself. Behind the reverse proxy
        the request says https (X-Forwarded-Proto, trusted from 127.0.0.1 only)."""
        if request.scheme == "https":
            return True
        host = urlsplit("//" + (request.host or "")).hostname or ""
        return host not in LOOPBACK_NAMES

    def cookie_name(self, kind: str, request: Request) -> str:
        names = {"session": "sesion", "visitor": "visitante", "lang": "idioma"}
        return ("__Host-" if self.secure(request) else "") + names[kind]

    def set_cookie(self, response: Response, request: Request, kind: str, value: str,
                   max_age: int | None = None) -> None:
        response.set_cookie(self.cookie_name(kind, request), value, max_age=max_age, path="/",
                            secure=self.secure(request), httponly=True, samesite="Strict")

    # --- one request --------------------------------------------------------------------

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        request = Request(environ)
        request.max_content_length = MAX_FORM_BYTES
        request.max_form_memory_size = MAX_FORM_BYTES
        response = self.answer(request)
        return response(environ, start_response)

    def answer(self, request: Request) -> Response:
        wanted = request.cookies.get(self.cookie_name("lang", request))
        language = i18n.choose(archive_language(self.root), wanted)
        i18n.use(language)
        if request.path.startswith("/static/"):
            return self.static(request.path[len("/static/"):])
        visit = Visit(self, request, language)
        try:
            response = self.route(visit)
        except Exception:  # never a traceback on the page; always one in the log
            log.exception("web page %s failed", request.path)
            response = visit.fail(500, _("The page failed. The information department can"
                                         " see why in the service's log."))
        for key, value in PAGE_HEADERS.items():
            response.headers.setdefault(key, value)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        if visit.new_visitor:
            self.set_cookie(response, request, "visitor", visit.visitor)
        return response

    def route(self, visit: Visit) -> Response:
        request = visit.request
        try:
            endpoint, args = self.rules.bind_to_environ(request.environ).match()
        except MethodNotAllowed:
            return visit.fail(405, _("This page does not take that request."))
        except NotFound:
            return visit.fail(404, _("There is no such page."))
        except HTTPException as e:  # a redirect to the canonical address
            return e.get_response(request.environ)
        visit.session = self.sessions.get(request.cookies.get(self.cookie_name("session",
                                                                               request)))
        if visit.session is not None:
            ended = self._open_archive(visit)
            if ended is not None:
                return ended
        if endpoint not in self.public and visit.session is None:
            target = request.full_path if request.method == "GET" else "/"
            return visit.redirect("/signin?next=" + quote(target.rstrip("?"), safe="/"))
        if request.method == "POST":
            try:
                ok = visit.csrf_ok()
            except HTTPException:  # a form larger than any of ours
                return visit.fail(413, _("The form is too large."))
            if not ok:
                return visit.fail(403, _("The form has expired or did not come from this"
                                         " page; go back, reload it and try again."))
        try:
            return self.handlers[endpoint](visit, **args)
        except ArchiveError as e:
            return visit.fail(STATUS.get(e.exit_code, 400), str(e))

    def _open_archive(self, visit: Visit) -> Response | None:
        """The archive as the signed-in person sees it, staff.yaml read again: someone
        who left (or is no longer staff) is signed out at once."""
        assert visit.session is not None
        archive = self.archive_for(visit.session.login)
        if not archive.user.allowed:
            self.sessions.end(visit.session.token)
            archive.record("signout", outcome="ended",
                           detail=f"web: no longer active staff; from {visit.remote}")
            visit.session = None
            return visit.redirect("/signin?notice=ended")
        visit.archive = archive
        return None

    def archive_for(self, login: str) -> Archive:
        """The archive as this person sees it, for one request: staff.yaml,
        archive.yaml and the client records as they are now (read again only when
        they changed)."""
        return Archive(self.root, login=login, system=False, shared=self.shared,
                       outside=NO_FILES)

    def static(self, name: str) -> Response:
        files = {p.name: p for p in STATIC.iterdir()}
        if name not in files:
            return Response(_("There is no such page."), status=404, mimetype="text/plain")
        types = {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png"}
        response = Response(files[name].read_bytes(),
                            mimetype=types.get(files[name].suffix, "application/octet-stream"))
        response.headers["Cache-Control"] = "max-age=3600"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response
