"""The pages: each a function of the visit, calling the same use-case functions as
the command line (finding.search, views.register/describe/status, custody.checkouts,
compliance.review) for the signed-in person. A client they may not see answers 404,
exactly as one that does not exist."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date, datetime
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from werkzeug.wrappers import Response
from werkzeug.wsgi import wrap_file

from archive_tool import i18n
from archive_tool.archive import Archive
from archive_tool.errors import AccessDenied, Conflict, NotFound, UsageError
from archive_tool.i18n import _
from archive_tool.records import CORRESPONDENCE
from archive_tool.web import labels
from archive_tool.web.app import Visit
from archive_tool.web.documents import open_document
from archive_tool.web.signin import MAX_PASSWORD, valid_login

PAGE_SIZE = 20
MAX_RESULTS = 1000  # what one search may collect (finding.search's limit)
MAX_QUERY = 500
SEARCH_KINDS = ("letter", "fax", "call", "email", "meeting", "visit", "contact_report", "note",
                "annual_report", "financial_statements", "report", "client", "file")


# --- signing in and out, the language ---------------------------------------------------

def _local_target(target: str | None) -> str:
    """Where to go after signing in: a path on this site, never another site."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/search"
    return target


def signin_form(visit: Visit) -> Response:
    if visit.session is not None:
        return visit.redirect(_local_target(visit.request.args.get("next")))
    notices = {"ended": _("Your session has ended: your account no longer has access to"
                          " the archive."),
               "out": _("You have signed out.")}
    return visit.render("signin.html", next=_local_target(visit.request.args.get("next")),
                        notice=notices.get(visit.request.args.get("notice", "")),
                        login="", error=None)


def signin(visit: Visit) -> Response:
    app = visit.app
    form = visit.request.form
    login = form.get("login", "").strip()
    password = form.get("password", "")
    target = _local_target(form.get("next"))

    def again(status: int, error: str) -> Response:
        return visit.render("signin.html", status=status, next=target, notice=None,
                            login=login if valid_login(login) else "", error=error)

    if not valid_login(login) or not password or len(password) > MAX_PASSWORD:
        return again(400, _("Type your login (the name you use on your desktop) and your"
                            " password."))
    archive = _archive_of(visit, login)
    wait = app.guard.wait(login, visit.remote)
    if wait > 0:
        archive.record("signin", outcome="denied",
                       detail=f"web: too many failed attempts, {math.ceil(wait)} s to wait;"
                              f" from {visit.remote}")
        response = again(429, i18n.ngettext(
            "Too many failed attempts. Try again in {n} second.",
            "Too many failed attempts. Try again in {n} seconds.",
            math.ceil(wait)).format(n=math.ceil(wait)))
        response.headers["Retry-After"] = str(math.ceil(wait))
        return response
    if not app.check_password(login, password, visit.remote, app.pam_service):
        app.guard.failed(login, visit.remote)
        archive.record("signin", outcome="denied",
                       detail=f"web: wrong password or unknown account; from {visit.remote}")
        return again(401, _("Wrong login or password."))
    if not archive.user.allowed:
        archive.record("signin", outcome="denied",
                       detail=f"web: not active staff of this archive; from {visit.remote}")
        return again(403, _("Your account is not among this archive's active staff; ask the"
                            " information department for access."))
    app.guard.succeeded(login)
    session = app.sessions.start(archive.user.login)
    archive.record("signin", detail=f"web; from {visit.remote}")
    response = visit.redirect(target)
    app.set_cookie(response, visit.request, "session", session.token)
    return response


def signout(visit: Visit) -> Response:
    if visit.session is not None:
        visit.app.sessions.end(visit.session.token)
        if visit.archive is not None:
            visit.archive.record("signout", detail=f"web; from {visit.remote}")
    response = visit.redirect("/signin?notice=out")
    response.delete_cookie(visit.app.cookie_name("session", visit.request), path="/",
                           secure=visit.secure, httponly=True, samesite="Strict")
    return response


def language(visit: Visit) -> Response:
    wanted = visit.request.form.get("lang", "")
    response = visit.redirect(_local_target(visit.request.form.get("next")))
    if wanted in i18n.LANGUAGES:
        visit.app.set_cookie(response, visit.request, "lang", wanted, max_age=365 * 86400)
    return response


def _archive_of(visit: Visit, login: str) -> Archive:
    return visit.app.archive_for(login)


# --- search ---------------------------------------------------------------------------

def _parse_day(text: str) -> date | None:
    """A date as people write it: 2026-11-20 or 20/11/2026."""
    text = text.strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise UsageError(_("'{value}' is not a date; write it as 20/11/2026 or 2026-11-20")
                     .format(value=text))


def _link(hit: Any) -> str:
    """Where a hit opens: the client's page for its record and entries, the file
    itself for attachments, reports and other files."""
    parts = PurePosixPath(hit.path).parts
    inner = "/".join(parts[2:])
    base = f"/clients/{quote(hit.client_id)}"
    if inner == "client.yaml":
        return base
    if inner.startswith(CORRESPONDENCE + "/") and inner.endswith((".yaml", ".yml")):
        return f"{base}#{entry_anchor(inner)}"
    return f"{base}/files/{quote(inner)}"


def entry_anchor(path: str) -> str:
    return "e-" + re.sub(r"[^A-Za-z0-9_-]", "-", PurePosixPath(path).stem)


def search(visit: Visit) -> Response:
    archive = _signed_in(visit)
    args = visit.request.args
    form = {key: args.get(key, "").strip()[:MAX_QUERY]
            for key in ("q", "client", "kind", "year", "from", "to")}
    form["client"] = form["client"].upper()
    if form["kind"] not in SEARCH_KINDS:
        form["kind"] = ""
    try:
        page = max(1, min(int(args.get("page", "1")), MAX_RESULTS // PAGE_SIZE))
    except ValueError:
        page = 1
    context: dict[str, Any] = {"form": form, "kinds": SEARCH_KINDS, "page": page,
                               "results": None, "groups": [], "error": None, "pages": 0}
    if not form["q"]:
        return visit.render("search.html", **context)
    status = 200
    try:
        year = None
        if form["year"]:
            if not re.fullmatch(r"\d{4}", form["year"]):
                raise UsageError(_("'{value}' is not a year; write it as 2025")
                                 .format(value=form["year"]))
            year = int(form["year"])
        text = form["q"]
        since = _parse_day(form["from"]) if form["from"] else None
        until = _parse_day(form["to"]) if form["to"] else None
        if since or until:
            text = (f"({text}) AND date:[{since.isoformat() if since else ''} TO"
                    f" {until.isoformat() if until else ''}]")
        from archive_tool.finding import search as find

        try:
            results, _built = find(archive, text, client=form["client"] or None,
                                   kind=form["kind"] or None, year=year,
                                   limit=min(page * PAGE_SIZE, MAX_RESULTS))
        except (AccessDenied, NotFound):
            raise UsageError(_("There is no client {id} among those you may see.")
                             .format(id=form["client"])) from None
        groups: dict[str, dict[str, Any]] = {}
        for hit in results.hits[(page - 1) * PAGE_SIZE:page * PAGE_SIZE]:
            group = groups.setdefault(hit.client_id, {"id": hit.client_id,
                                                      "name": hit.client_name, "hits": []})
            group["hits"].append({"hit": hit, "link": _link(hit)})
        context.update(results=results, groups=list(groups.values()),
                       pages=min(math.ceil(results.total / PAGE_SIZE),
                                 MAX_RESULTS // PAGE_SIZE))
        if results.total == 0:
            status = 404
    except UsageError as e:
        context["error"] = str(e)
        status = 400
    except Conflict:
        context["error"] = _("The index is being built; search again in a moment.")
        status = 503
    return visit.render("search.html", status=status, **context)


def search_link(form: dict[str, str], **changes: object) -> str:
    values = {**form, **{k: str(v) for k, v in changes.items()}}
    return "/search?" + "&".join(f"{k}={quote(v, safe='')}" for k, v in values.items() if v)


# --- clients and their files -------------------------------------------------------------

def clients(visit: Visit) -> Response:
    from archive_tool import views

    rows = views.register(_signed_in(visit))
    return visit.render("clients.html", rows=rows)


def client(visit: Visit, client_id: str) -> Response:
    from archive_tool import custody, views

    archive = _signed_in(visit)
    try:
        view = views.describe(archive, client_id, last=100_000)
    except (AccessDenied, NotFound, UsageError):
        return _no_client(visit)
    checkouts = [c for c in custody.checkouts(archive) if c.client_id == view["id"]]
    for entry in view["entries"]:
        entry["anchor"] = entry_anchor(entry["path"])
    record = view["record"]
    fields = [(key, record[key]) for key in labels.FIELDS if record.get(key) not in (None, "")]
    return visit.render("client.html", view=view, record=record, fields=fields,
                        checkouts=checkouts, file_link=_file_link(view["id"]))


def _file_link(client_id: str) -> Callable[[str], str]:
    return lambda inner: f"/clients/{quote(client_id)}/files/{quote(inner)}"


def document(visit: Visit, client_id: str, inner: str) -> Response:
    archive = _signed_in(visit)
    try:
        doc = open_document(archive, client_id, inner)
    except (AccessDenied, NotFound, UsageError):
        return _no_client(visit, document=True)
    body = wrap_file(visit.request.environ, doc.stream)
    response = Response(body, mimetype=doc.mimetype, direct_passthrough=True)
    response.content_length = doc.size
    disposition = "inline" if doc.inline else "attachment"
    response.headers["Content-Disposition"] = (
        f"{disposition}; filename=\"{_ascii(doc.name)}\"; filename*=UTF-8''{quote(doc.name)}")
    response.headers["Cache-Control"] = "no-store"
    if not doc.inline:
        response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


def _ascii(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", name)


def _no_client(visit: Visit, document: bool = False) -> Response:
    """The same answer for what does not exist and what the person may not see."""
    return visit.fail(404, _("There is no such file among your clients'.") if document
                      else _("There is no such client among yours."))


# --- for the information department -------------------------------------------------------

def status(visit: Visit) -> Response:
    from archive_tool import views

    archive = _signed_in(visit)
    archive.require_admin("status")
    return visit.render("status.html", s=views.status(archive))


def compliance(visit: Visit) -> Response:
    from archive_tool.compliance import review

    archive = _signed_in(visit)
    archive.require_admin("report")
    report = review(archive)
    flagged = [c for c in report["clients"]
               if any(c["findings"].values()) or c["overdue_checkouts"]]
    return visit.render("compliance.html", report=report, flagged=flagged)


def home(visit: Visit) -> Response:
    return visit.redirect("/search")


def _signed_in(visit: Visit) -> Archive:
    if visit.archive is None:  # routing lets no one here without a session
        raise AccessDenied(_("sign in first"))
    return visit.archive


ROUTES = [
    ("/", "home", ["GET"]),
    ("/signin", "signin_form", ["GET"]),
    ("/signin", "signin", ["POST"]),
    ("/signout", "signout", ["POST"]),
    ("/language", "language", ["POST"]),
    ("/search", "search", ["GET"]),
    ("/clients", "clients", ["GET"]),
    ("/clients/<client_id>", "client", ["GET"]),
    ("/clients/<client_id>/files/<path:inner>", "document", ["GET"]),
    ("/status", "status", ["GET"]),
    ("/compliance", "compliance", ["GET"]),
]
HANDLERS: dict[str, Callable[..., Response]] = {
    "home": home, "signin_form": signin_form, "signin": signin, "signout": signout,
    "language": language, "search": search, "clients": clients, "client": client,
    "document": document, "status": status, "compliance": compliance,
}
PUBLIC = {"signin_form", "signin", "language"}
