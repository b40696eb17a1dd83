"""The web page's search under load: people signed in at once, each searching,
reading the results and searching again, against the archive service as it runs
(`archive-tool daemon --web`), over HTTP on 127.0.0.1.

    sudo python bench/web_bench.py                 # about 50k documents (1200 clients)
    sudo python bench/web_bench.py --quick         # about 1k documents, under a minute
    sudo python bench/web_bench.py --archive DIR   # an archive made by bench/generate.py

Needs root: it creates two OS accounts (removed at the end) to sign in with their
passwords through PAM, as people do. Half the sessions are an information admin's
(every client visible), half a commercial member's (the clients they are contacts of).
Each simulated person searches for one or two words of the archive's vocabulary
(some with a kind or year filter), reads for `--think` seconds (uniform between the
two values) and searches again. Prints p50/p95/p99 of the search page's answer time,
then the same with no reading time at all (the service saturated), and PASS or MISS
against the target (p95 <= 0.2 s for 20 people at about 50k documents).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generate import WORDS, generate  # noqa: E402

TARGET_P95 = 0.2
KINDS = ["", "", "", "fax", "letter", "email", "annual_report"]
YEARS = ["", "", "", "2024", "2025"]


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    """One person's cookies over a kept-alive connection."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        except (http.client.HTTPException, OSError):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        for value in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return response.status, text

    def sign_in(self, login: str, password: str) -> None:
        _, page = self.request("GET", "/signin")
        token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        status, _ = self.request("POST", "/signin", {"csrf": token, "login": login,
                                                     "password": password, "next": "/search"})
        if status != 303 or "sesion" not in self.cookies:
            raise SystemExit(f"sign-in as {login} failed ({status}); see the service's log")


def query(rng: random.Random) -> str:
    words = " ".join(rng.sample(WORDS, rng.choice((1, 1, 2))))
    params = {"q": words, "kind": rng.choice(KINDS), "year": rng.choice(YEARS)}
    return "/search?" + urlencode({k: v for k, v in params.items() if v})


def load(port: int, people: list[tuple[str, str]], seconds: float,
         think: tuple[float, float], seed: int) -> tuple[list[float], int, float]:
    """(answer times of the search page, errors, wall time)."""
    browsers = []
    for login, password in people:
        b = Browser(port)
        b.sign_in(login, password)
        browsers.append(b)
    times: list[float] = []
    errors = [0]
    lock = threading.Lock()
    start = time.monotonic()
    deadline = start + seconds

    def person(i: int, browser: Browser) -> None:
        rng = random.Random(seed * 1000 + i)
        time.sleep(rng.uniform(0, think[1]))  # people do not all start in the same instant
        while time.monotonic() < deadline:
            path = query(rng)
            t = time.perf_counter()
            status, _ = browser.request("GET", path)
            took = time.perf_counter() - t
            with lock:
                if status in (200, 404):  # 404: the page says nothing was found
                    times.append(took)
                else:
                    errors[0] += 1
            if think[1] > 0:
                time.sleep(rng.uniform(*think))

    threads = [threading.Thread(target=person, args=(i, b)) for i, b in enumerate(browsers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return times, errors[0], time.monotonic() - start


def files_in(root: Path) -> int:
    return sum(len(names) for _, _, names in os.walk(root / "clients"))


def startup_pass_done(root: Path, files: int) -> bool:
    """The daemon runs, has reconciled everything since it started (its status) and
    catalogued every file (those just written wait for a later pass)."""
    done = subprocess.run([sys.executable, "-m", "archive_tool", "-A", str(root), "--json",
                           "status"], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "ARCHIVE_TOOL_LANG": "en"})
    try:
        d = json.loads(done.stdout).get("daemon") or {}
    except ValueError:
        return False
    from archive_tool.archive import Archive

    return bool(d.get("running") and d.get("last_reconcile") and d.get("started")
                and d["last_reconcile"] >= d["started"]
                and Archive(root, system=True).catalog.count() >= files)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="about 1k documents, 15 s of load")
    ap.add_argument("--clients", type=int, help="archive size in clients (default 1200)")
    ap.add_argument("--archive", type=Path, help="use this generated archive (indexed or not)")
    ap.add_argument("--users", type=int, default=20)
    ap.add_argument("--seconds", type=float, help="load per run (default 60, --quick 15)")
    ap.add_argument("--think", type=float, nargs=2, default=(1.0, 3.0), metavar=("MIN", "MAX"),
                    help="seconds a person reads the results before searching again")
    args = ap.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("run as root: it creates OS accounts to sign in through PAM")
    out = sys.stdout.write
    seconds = args.seconds or (15.0 if args.quick else 60.0)
    work = Path(tempfile.mkdtemp(prefix="web-bench-"))
    tag = uuid.uuid4().hex[:6]
    accounts = {"admin": f"wbadm{tag}", "member": f"wbmem{tag}"}
    password = f"Clave-{secrets.token_hex(8)}"
    daemon = None
    kept: dict[Path, str] = {}  # a given archive's files as they were, put back at the end
    try:
        if args.archive:
            root = args.archive.resolve()
        else:
            root = work / "archive"
            clients = args.clients or (24 if args.quick else 1200)
            t = time.monotonic()
            generate(root, clients)
            out(f"archive: {clients} clients generated in {time.monotonic() - t:.0f} s\n")
        for name in accounts.values():
            subprocess.run(["useradd", "-M", "-N", "-s", "/usr/sbin/nologin", name], check=True)
        subprocess.run(["chpasswd"], input="".join(f"{n}:{password}\n" for n in accounts.values()),
                       text=True, check=True)
        settings, staff = root / "archive.yaml", root / "staff.yaml"
        if args.archive:
            kept = {f: f.read_text() for f in (settings, staff)}
        settings.write_text(re.sub(r"(?m)^demo:.*$", "demo: false", settings.read_text()))
        staff.write_text(re.sub(r"login: user2,", f"login: {accounts['member']},", re.sub(
            r"login: user0,", f"login: {accounts['admin']},", staff.read_text())))
        port = free_port()
        log = work / "service.log"
        t = time.monotonic()
        with log.open("wb") as f:
            daemon = subprocess.Popen([sys.executable, "-m", "archive_tool", "-A", str(root),
                                       "daemon", "--web", f"127.0.0.1:{port}"],
                                      stdout=f, stderr=f,
                                      env={**os.environ, "ARCHIVE_TOOL_LANG": "en"})
        while not startup_pass_done(root, files_in(root)):
            if daemon.poll() is not None or time.monotonic() - t > 3600:
                raise SystemExit("the service did not start:\n" + log.read_text())
            time.sleep(0.5)
        from archive_tool.archive import Archive

        docs = Archive(root, system=True).catalog.count()
        out(f"service ready in {time.monotonic() - t:.0f} s (index built or checked);"
            f" {docs} documents\n")
        people = [(accounts["admin" if i % 2 == 0 else "member"], password)
                  for i in range(args.users)]
        Browser(port).sign_in(accounts["member"], password)  # warm the first page
        out(f"\n{args.users} people, {seconds:.0f} s per run, search page answer times:\n")
        verdict = None
        for label, think in ((f"reading {args.think[0]:g}-{args.think[1]:g} s between"
                              " searches", tuple(args.think)), ("no reading time (saturated)",
                                                                (0.0, 0.0))):
            times, errors, wall = load(port, people, seconds, think, seed=7)
            p95 = pct(times, 95)
            out(f"  {label:42} n={len(times):5d}  p50 {statistics.median(times) * 1000:6.0f} ms"
                f"  p95 {p95 * 1000:6.0f} ms  p99 {pct(times, 99) * 1000:6.0f} ms"
                f"  {len(times) / wall:5.1f} pages/s  errors {errors}\n")
            if verdict is None:
                verdict = "PASS" if p95 <= TARGET_P95 and not errors else "MISS"
        out(f"\n{verdict}: p95 <= {TARGET_P95:.1f} s for {args.users} people searching"
            f" (reading {args.think[0]:g}-{args.think[1]:g} s between searches) at {docs}"
            " documents\n")
    finally:
        if daemon is not None and daemon.poll() is None:
            daemon.terminate()
            daemon.wait(60)
        for name in accounts.values():
            subprocess.run(["userdel", name], check=False, capture_output=True)
        for path, text in kept.items():
            path.write_text(text)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
