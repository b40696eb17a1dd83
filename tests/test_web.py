"""The web page as staff use it: the archive service started with --web, real OS
accounts signing in with their real passwords through PAM, and Debian's Chromium
driven by Playwright. One service and one archive for the module; each test tells one
part of the story.

The service runs as root here (PAM's pam_unix reads /etc/shadow directly as root; as
a service account it must be in the shadow group, see the README)."""

from __future__ import annotations

import http.client
import io
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

import pytest
from conftest import REPO

from archive_tool.errors import UsageError
from archive_tool.web.server import parse_address
from archive_tool.web.sessions import Sessions
from archive_tool.web.signin import Guard, valid_login

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]
ROLES = ("admin", "ana", "pedro", "luis", "eva")
XSS = "<script>alert(1)</script>"

STAFF = """\
staff:
  - {{id: E-001, name: Isabel Admin, login: {admin}, department: information, role: admin,
     status: active}}
  - {{id: E-010, name: Ana Ruiz, login: {ana}, department: commercial, role: member,
     status: active}}
  - {{id: E-011, name: Pedro Gil, login: {pedro}, department: commercial, role: member,
     status: active}}
  - {{id: E-012, name: Luis Mora, login: {luis}, department: finance, role: member,
     status: active}}
  - {{id: E-013, name: Eva Sanz, login: {eva}, department: finance, role: member,
     status: active}}
"""
LEVANTE = """\
id: CL-0001
name: Suministros Levante, S.L.
category: supplier
status: active
since: 2026-01-10
contacts:
  - {staff: E-010, role: primary}
  - {staff: E-013, role: backup}
"""
SCRIPTED = f"""\
id: CL-0002
name: "{XSS}"
category: special
special_type: bank
status: active
since: 2026-02-01
contacts:
  - {{staff: E-011, role: primary}}
"""
MORA = """\
id: CL-0003
name: Transportes Mora
category: distributor
status: active
since: 2026-02-01
contacts:
  - {staff: E-012, role: primary}
"""
FAX = """\
date: 2026-03-04
kind: fax
direction: in
staff: [E-010]
counterpart: Vicente Martínez
subject: Pedido de cartón ondulado
attachments: [2026-03-04-pedido.pdf, 2026-03-04-notas.txt]
"""
SECRET = """\
date: 2026-03-05
kind: letter
staff: [E-001]
subject: Carta reservada
confidential: true
attachments: [reservada.txt]
"""
LETTER = """\
date: 2026-04-01
kind: letter
staff: [E-011]
subject: Condiciones del préstamo
attachments: [condiciones.txt]
"""


def pdf_with(text: str) -> bytes:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 720, text)
    page.showPage()
    page.save()
    return out.getvalue()


def _skip_reason() -> str | None:
    if os.geteuid() != 0:
        return "needs root to create OS accounts and to check their passwords with PAM"
    for tool in ("useradd", "chpasswd", "userdel"):
        if shutil.which(tool) is None:
            return f"{tool} is missing (.ci/run installs it)"
    if not Path(CHROMIUM).exists():
        return "Debian's chromium is missing (.ci/run installs it)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is missing (pip install -e '.[test]')"
    return None


def wait_for(check, timeout: float = 30.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Site:
    """The archive, its service with the web page, and the people's accounts."""

    def __init__(self, root: Path, port: int, logins: dict[str, str],
                 passwords: dict[str, str]):
        self.root = root
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self.login = logins
        self.password = passwords
        self.log = root.parent / "service.log"
        self.daemon: subprocess.Popen | None = None

    def start(self) -> None:
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(REPO),
               "LANG": "C.UTF-8", "HOME": "/root"}
        with self.log.open("ab") as log:
            self.daemon = subprocess.Popen(
                [sys.executable, "-m", "archive_tool", "-A", str(self.root), "daemon",
                 "--web", f"127.0.0.1:{self.port}"], stdout=log, stderr=log, env=env)
        wait_for(lambda: any(w in self.log.read_text() for w in ("watching", "vigilando"))
                 or self.daemon.poll() is not None,
                 60, "the service to index the archive and watch it")
        assert self.daemon.poll() is None, self.log.read_text()

    def stop(self) -> None:
        if self.daemon is not None and self.daemon.poll() is None:
            self.daemon.terminate()
            try:
                self.daemon.wait(20)
            except subprocess.TimeoutExpired:
                self.daemon.kill()
                self.daemon.wait()

    def audit(self) -> list[dict]:
        path = self.root / ".archive/audit.jsonl"
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]

    def http(self, method: str, path: str, body: dict | None = None,
             headers: dict | None = None) -> http.client.HTTPResponse:
        """One plain request, without a browser (to read headers as sent)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        data = urlencode(body) if body is not None else None
        all_headers = {"Content-Type": "application/x-www-form-urlencoded"} if data else {}
        conn.request(method, path, body=data, headers={**all_headers, **(headers or {})})
        response = conn.getresponse()
        response.read()
        conn.close()
        return response


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    tag = uuid.uuid4().hex[:6]
    logins = {role: f"w{role[:3]}{tag}" for role in ROLES}
    passwords = {role: f"Clave-{secrets.token_hex(6)}" for role in ROLES}
    made: list[str] = []
    base = tmp_path_factory.mktemp("web")
    try:
        for role in ROLES:
            subprocess.run(["useradd", "-M", "-N", "-s", "/usr/sbin/nologin", logins[role]],
                           check=True, capture_output=True)
            made.append(logins[role])
        subprocess.run(["chpasswd"], input="".join(f"{logins[r]}:{passwords[r]}\n"
                                                   for r in ROLES),
                       text=True, check=True, capture_output=True)
        root = base / "arch"
        files = {
            "archive.yaml": "name: Web\nlanguage: es\ndemo: false\n",
            "staff.yaml": STAFF.format(**logins),
            "clients/CL-0001-levante/client.yaml": LEVANTE,
            "clients/CL-0001-levante/correspondence/2026-03-04-pedido.yaml": FAX,
            "clients/CL-0001-levante/correspondence/2026-03-04-pedido.pdf":
                pdf_with("Fax recibido: confirmamos el pedido de albaranes zafiro."),
            "clients/CL-0001-levante/correspondence/2026-03-04-notas.txt":
                "Notas de la llamada sobre el pedido.\n",
            "clients/CL-0001-levante/correspondence/2026-03-05-reservada.yaml": SECRET,
            "clients/CL-0001-levante/correspondence/reservada.txt": "Asunto reservado: rubí.\n",
            "clients/CL-0001-levante/reports/2025/informe-anual.pdf":
                pdf_with("Informe anual 2025 de Suministros Levante."),
            "clients/CL-0002-banco/client.yaml": SCRIPTED,
            "clients/CL-0002-banco/correspondence/2026-04-01-condiciones.yaml": LETTER,
            "clients/CL-0002-banco/correspondence/condiciones.txt":
                "Condiciones del préstamo: ornitorrinco.\n",
            "clients/CL-0003-mora/client.yaml": MORA,
        }
        for name, content in files.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        s = Site(root, free_port(), logins, passwords)
        s.start()
        try:
            yield s
        finally:
            s.stop()
    finally:
        for login in made:
            subprocess.run(["userdel", login], check=False, capture_output=True)


@pytest.fixture(scope="module")
def browser(site):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def person(site, browser):
    """A signed-in person's browser, reading the page in English (the switch's cookie)."""
    contexts = []

    def sign_in(role: str, language: str = "en"):
        context = browser.new_context()
        contexts.append(context)
        context.add_cookies([{"name": "idioma", "value": language, "url": site.base}])
        page = context.new_page()
        page.goto(site.base + "/")
        assert "/signin" in page.url
        page.fill("#login", site.login[role])
        page.fill("#password", site.password[role])
        page.click("form.signin button[type=submit]")
        page.wait_for_url(re.compile(r".*/search$"))
        return page

    yield sign_in
    for context in contexts:
        context.close()


# --- in a real browser ---------------------------------------------------------------

def test_a_sales_employee_finds_a_fax_by_a_word_in_it_and_opens_it(site, person):
    page = person("ana")
    page.fill("#q", "zafiro")
    page.press("#q", "Enter")
    page.wait_for_url(re.compile(r".*q=zafiro"))
    assert page.locator("#results-heading").inner_text() == "1 document found"
    group = page.locator(".client-group")
    assert group.locator("h3").inner_text() == "Suministros Levante, S.L. CL-0001"
    assert page.locator(".snippet mark").first.inner_text().lower() == "zafiro"
    link = page.locator(".hits a").first
    href = link.get_attribute("href")
    assert href == "/clients/CL-0001/files/correspondence/2026-03-04-pedido.pdf"
    shown = page.context.request.get(site.base + href)
    assert shown.status == 200
    assert shown.headers["content-type"] == "application/pdf"
    assert shown.headers["content-disposition"].startswith("inline;")
    assert shown.body().startswith(b"%PDF")
    reads = [r for r in site.audit() if r["action"] == "show" and r["login"] == site.login["ana"]
             and r["path"] == "clients/CL-0001-levante/correspondence/2026-03-04-pedido.pdf"]
    assert reads and reads[-1]["detail"] == "web" and reads[-1]["outcome"] == "ok"
    searches = [r for r in site.audit() if r["action"] == "search"
                and r["login"] == site.login["ana"]]
    assert searches and searches[-1]["query"] == "zafiro"


def test_the_client_page_shows_the_file_and_downloads_other_documents(site, person):
    page = person("ana")
    page.goto(site.base + "/clients")
    assert page.locator("table.clients a").all_inner_texts() == ["Suministros Levante, S.L."]
    page.click("text=Suministros Levante, S.L.")
    assert page.locator("h1").inner_text() == "Suministros Levante, S.L. CL-0001"
    timeline = page.locator("ol.timeline").inner_text()
    assert "Pedido de cartón ondulado" in timeline
    assert "Carta reservada" not in timeline  # a confidential entry of someone else
    assert page.locator("#contacts-heading + ul").inner_text().startswith("Ana Ruiz (E-010)")
    assert page.locator("table a").all_inner_texts() == ["informe-anual.pdf"]
    with page.expect_download() as download:
        page.click("text=2026-03-04-notas.txt")
    assert download.value.suggested_filename == "2026-03-04-notas.txt"
    hidden = page.context.request.get(
        site.base + "/clients/CL-0001/files/correspondence/reservada.txt")
    assert hidden.status == 404


def test_another_persons_client_is_neither_listed_nor_reachable(site, person):
    page = person("ana")
    request = page.context.request
    missing = request.get(site.base + "/clients/CL-9999")
    assert missing.status == 404
    for path in ("/clients/CL-0002", "/clients/CL-0002/files/client.yaml",
                 "/clients/CL-0002/files/correspondence/condiciones.txt",
                 "/clients/CL-0001/files/../../CL-0002-banco/client.yaml",
                 "/clients/CL-0001/files/correspondence/..%2f..%2f..%2fstaff.yaml",
                 "/clients/cl-0002"):
        answer = request.get(site.base + path)
        assert answer.status == 404, path
        assert XSS not in answer.text() and "ornitorrinco" not in answer.text()
    page.goto(site.base + "/clients/CL-0002")
    assert page.locator("h1").inner_text() == "Not found"
    assert page.locator("p.error").inner_text() == "There is no such client among yours."
    page.goto(site.base + "/clients")
    assert "CL-0002" not in page.locator("main").inner_text()
    page.goto(site.base + "/search?q=ornitorrinco")
    assert page.locator("#results-heading").inner_text() == "0 documents found"
    assert page.locator(".suggestion").count() == 0
    page.goto(site.base + "/search?q=ornitorrinco&client=CL-0002")
    same = page.locator("p.error").inner_text()
    page.goto(site.base + "/search?q=ornitorrinco&client=CL-9999")
    assert same.replace("CL-0002", "CL-9999") == page.locator("p.error").inner_text()


def test_a_client_named_script_renders_as_text(site, person):
    page = person("pedro")
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(site.base + "/clients")
    assert page.locator("table.clients a").all_inner_texts() == [XSS]
    page.click("table.clients a")
    assert page.locator("h1").inner_text() == f"{XSS} CL-0002"
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.content()
    page.goto(site.base + "/search?q=ornitorrinco")
    assert page.locator(".client-group h3 a").inner_text() == XSS
    assert page.locator("script").count() == 0
    assert dialogs == []


def test_a_form_without_its_csrf_token_is_refused(site, person, browser):
    page = person("ana")
    page.locator("input[name=csrf]").evaluate_all("inputs => inputs.forEach(i => i.remove())")
    page.click("text=Sign out")
    assert page.locator("h1").inner_text() == "Not allowed"
    assert "The form has expired" in page.locator("p.error").inner_text()
    page.goto(site.base + "/search")
    assert page.url.endswith("/search")  # still signed in: the sign-out did not happen
    other = person("pedro")
    token = other.locator("input[name=csrf]").first.get_attribute("value")
    forged = page.context.request.post(site.base + "/signout", form={"csrf": token},
                                       max_redirects=0)
    assert forged.status == 403  # another session's token is no token
    fresh = browser.new_context()
    try:
        signin = fresh.new_page()
        signin.goto(site.base + "/signin")
        signin.locator("input[name=csrf]").evaluate_all("i => i.forEach(e => e.remove())")
        signin.fill("#login", site.login["ana"])
        signin.fill("#password", site.password["ana"])
        signin.click("form.signin button[type=submit]")
        assert signin.locator("h1").inner_text() in ("Not allowed", "No permitido")
        assert not [c for c in fresh.cookies() if c["name"].endswith("sesion")]
    finally:
        fresh.close()


def test_five_wrong_passwords_slow_the_next_try(site, browser):
    context = browser.new_context()
    context.add_cookies([{"name": "idioma", "value": "en", "url": site.base}])
    try:
        page = context.new_page()
        page.goto(site.base + "/signin")
        for _ in range(5):
            page.fill("#login", site.login["eva"])
            page.fill("#password", "not-the-password")
            page.click("form.signin button[type=submit]")
            assert page.locator("#signin-error").inner_text() == "Wrong login or password."
        page.fill("#password", site.password["eva"])
        started = time.monotonic()
        with page.expect_response(lambda r: r.url.endswith("/signin")) as answer:
            page.click("form.signin button[type=submit]")
        assert answer.value.status == 429
        assert int(answer.value.headers["retry-after"]) >= 29
        assert re.fullmatch(r"Too many failed attempts\. Try again in \d+ seconds\.",
                            page.locator("#signin-error").inner_text())
        assert time.monotonic() - started < 2  # refused before PAM is even asked
        assert "/signin" in page.url
        records = [r for r in site.audit() if r["action"] == "signin"
                   and r["login"] == site.login["eva"]]
        assert [r["outcome"] for r in records] == ["denied"] * 6
        assert "too many failed attempts" in records[-1]["detail"]
    finally:
        context.close()


def test_two_people_signed_in_at_once_see_their_own_clients(site, person):
    ana = person("ana")
    pedro = person("pedro")
    ana.goto(site.base + "/clients")
    pedro.goto(site.base + "/clients")
    assert ana.locator("table.clients .id").all_inner_texts() == ["CL-0001"]
    assert pedro.locator("table.clients .id").all_inner_texts() == ["CL-0002"]
    assert ana.locator(".who span").inner_text() == "Ana Ruiz"
    assert pedro.locator(".who span").inner_text() == "Pedro Gil"
    signins = [r for r in site.audit() if r["action"] == "signin" and r["outcome"] == "ok"]
    assert {site.login["ana"], site.login["pedro"]} <= {r["login"] for r in signins}


def test_sign_out_ends_the_session(site, person):
    page = person("ana")
    cookie = next(c for c in page.context.cookies() if c["name"].endswith("sesion"))
    page.click("text=Sign out")
    assert page.locator("p.notice").inner_text() == "You have signed out."
    stale = site.http("GET", "/search", headers={"Cookie": f"{cookie['name']}={cookie['value']}"})
    assert stale.status == 303 and stale.getheader("Location").startswith("/signin")


def test_a_session_ends_when_the_person_departs(site, person):
    page = person("luis")
    page.goto(site.base + "/clients/CL-0003")
    assert page.locator("h1").inner_text() == "Transportes Mora CL-0003"
    staff = site.root / "staff.yaml"
    before = staff.read_text()
    staff.write_text(_depart(before, site.login["luis"]))
    try:
        page.goto(site.base + "/clients/CL-0003")
        assert "/signin" in page.url
        assert page.locator("p.notice").inner_text().startswith("Your session has ended")
        ended = [r for r in site.audit() if r["action"] == "signout"
                 and r["login"] == site.login["luis"]]
        assert ended and ended[-1]["outcome"] == "ended"
        page.fill("#login", site.login["luis"])
        page.fill("#password", site.password["luis"])
        page.click("form.signin button[type=submit]")
        assert page.locator("#signin-error").inner_text().startswith(
            "Your account is not among this archive's active staff")
    finally:
        staff.write_text(before)


def _depart(roster: str, login: str) -> str:
    lines = roster.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if f"login: {login}," in line:
            lines[i + 1] = lines[i + 1].replace("status: active", "status: departed")
    return "".join(lines)


def test_admin_pages_for_the_information_department_only(site, person):
    admin = person("admin")
    admin.click("text=Service status")
    assert admin.locator("h1").inner_text() == "Service status"
    assert "running" in admin.locator("dl.record").inner_text()
    admin.click("text=Compliance review")
    assert admin.locator("h1").inner_text() == "Compliance review"
    assert "Clients\t3\n" in admin.locator("table.summary").inner_text()  # every client
    ana = person("ana")
    assert ana.locator("text=Service status").count() == 0
    assert ana.context.request.get(site.base + "/status").status == 403
    assert ana.context.request.get(site.base + "/compliance").status == 403


def test_the_page_speaks_the_archives_spanish_and_fits_a_phone(site, browser):
    context = browser.new_context(viewport={"width": 375, "height": 740})
    try:
        page = context.new_page()
        page.goto(site.base + "/signin")
        assert page.locator("html").get_attribute("lang") == "es"
        assert page.locator("h1").inner_text() == "Iniciar sesión"
        assert page.locator("label[for=password]").inner_text() == "Contraseña"
        page.fill("#login", site.login["ana"])
        page.fill("#password", site.password["ana"])
        page.click("form.signin button[type=submit]")
        page.goto(site.base + "/search?q=pedido&kind=fax")
        assert page.locator("h1").inner_text() == "Buscar en el archivo"
        assert page.locator(".hits .meta").first.inner_text().startswith("Fax · 04/03/2026")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375  # nothing wider than the phone's screen
        page.click("button[name=lang][value=en]")
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.locator("h1").inner_text() == "Search the archive"
    finally:
        context.close()


# --- as sent over HTTP -----------------------------------------------------------------

def test_cookies_are_httponly_strict_and_secure_behind_the_proxy(site):
    direct = site.http("GET", "/signin")
    cookie = direct.getheader("Set-Cookie")
    assert cookie.startswith("visitante=") and "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie and "Secure" not in cookie  # http on 127.0.0.1
    proxied = site.http("GET", "/signin", headers={"X-Forwarded-Proto": "https",
                                                   "X-Forwarded-Host": "archivo.example"})
    cookie = proxied.getheader("Set-Cookie")
    assert cookie.startswith("__Host-visitante=") and "; Secure" in cookie
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    by_name = site.http("GET", "/signin", headers={"Host": "archivo.example"})
    assert "; Secure" in by_name.getheader("Set-Cookie")  # plain http off this machine
    assert direct.getheader("Content-Security-Policy").startswith("default-src 'none'")
    assert direct.getheader("X-Frame-Options") == "DENY"
    assert direct.getheader("Cache-Control") == "no-store"


def test_anything_but_a_page_asks_to_sign_in(site):
    for path in ("/search?q=zafiro", "/clients", "/clients/CL-0001",
                 "/clients/CL-0001/files/correspondence/2026-03-04-pedido.pdf", "/status"):
        answer = site.http("GET", path)
        assert answer.status == 303, path
        assert answer.getheader("Location").startswith("/signin?next=")
    assert site.http("POST", "/signout", body={"csrf": "x"}).status == 303


# --- the pieces ----------------------------------------------------------------------------

def test_web_addresses():
    assert parse_address("8080") == ("127.0.0.1", 8080)
    assert parse_address("0.0.0.0:8443") == ("0.0.0.0", 8443)
    assert parse_address("[::1]:9000") == ("::1", 9000)
    assert parse_address("archivo.local:80") == ("archivo.local", 80)
    for bad in ("", "http://x:80", "70000", "x:", ":80", "a b:80"):
        with pytest.raises(UsageError):
            parse_address(bad)


def test_the_guard_waits_longer_after_each_further_failure():
    now = [1000.0]
    guard = Guard(per_login=5, per_address=20, base=30, longest=900, clock=lambda: now[0])
    for _ in range(4):
        guard.failed("ana", "10.0.0.1")
    assert guard.wait("ana", "10.0.0.1") == 0
    guard.failed("Ana", "10.0.0.1")
    assert guard.wait("ana", "10.0.0.2") == 30  # the login waits, from any address
    assert guard.wait("pedro", "10.0.0.1") == 0  # others from the same address do not
    now[0] += 31
    guard.failed("ana", "10.0.0.1")
    assert guard.wait("ana", "10.0.0.1") == 60
    guard.succeeded("ana")
    assert guard.wait("ana", "10.0.0.3") == 0
    for i in range(20):
        guard.failed(f"user{i}", "10.0.0.9")
    assert guard.wait("someone-else", "10.0.0.9") > 0  # spraying logins from one address


def test_sessions_end_when_idle_or_after_a_long_day():
    now = [0.0]
    sessions = Sessions(idle=100, longest=1000, clock=lambda: now[0])
    s = sessions.start("ana")
    now[0] = 99
    assert sessions.get(s.token) is s
    now[0] = 250
    assert sessions.get(s.token) is None
    s = sessions.start("ana")
    for t in range(300, 1300, 90):
        now[0] = t
        sessions.get(s.token)
    assert sessions.get(s.token) is None
    assert sessions.visitor_token_ok("v", sessions.visitor_token("v"))
    assert not sessions.visitor_token_ok("v", sessions.visitor_token("w"))
    assert not sessions.visitor_token_ok(None, "")


def test_logins_the_page_accepts():
    for good in ("ana", "ana.ruiz", "ana_r", "ana@EMPRESA", "pc01$"):
        assert valid_login(good)
    for bad in ("", "ana ruiz", "../etc", "-ana", "a" * 65, "ana\n", "ana/x"):
        assert not valid_login(bad)


def test_taking_a_client_away_counts_from_the_next_search(site, person):
    page = person("ana")
    page.goto(site.base + "/search?q=zafiro")
    assert page.locator("#results-heading").inner_text() == "1 document found"
    record = site.root / "clients/CL-0001-levante/client.yaml"
    before = record.read_text()
    record.write_text(before.replace("  - {staff: E-010, role: primary}\n", ""))
    try:
        page.goto(site.base + "/search?q=zafiro")
        assert page.locator("#results-heading").inner_text() == "0 documents found"
        assert page.context.request.get(site.base + "/clients/CL-0001").status == 404
    finally:
        record.write_text(before)
    page.goto(site.base + "/search?q=zafiro")
    assert page.locator("#results-heading").inner_text() == "1 document found"
