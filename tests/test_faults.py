"""Bad input and faults: whatever people or a disk do to the archive, the tool answers
with one line or a problem at a path, never a traceback, a silent wrong answer or a
half-done operation."""

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import yaml
from conftest import CLIENT, REPO, Run, write
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive_tool import custody
from archive_tool.archive import Archive
from archive_tool.catalog import Catalog
from archive_tool.finding import search
from archive_tool.statedir import CATALOG, STATE_DIR
from archive_tool.syncing import sync

CL = "clients/CL-0001-levante"


def no_traceback(result) -> None:
    assert "Traceback" not in result.stderr + result.stdout
    assert "the program failed" not in result.stderr
    if result.exit_code not in (0, 1):  # 1: findings (validate, search), or an error
        lines = result.stderr.strip().splitlines()
        assert lines and lines[-1].startswith("error: "), result.stderr


def test_a_removed_current_folder_is_one_line(tmp_path, root):
    """A shell left in a folder someone removed: the command says so, or works when
    told where the archive is."""
    gone = tmp_path / "gone"
    env = {**os.environ, "PYTHONPATH": str(REPO), "ARCHIVE_TOOL_LANG": "en"}
    env.pop("ARCHIVE_TOOL_ROOT", None)
    script = (f'mkdir "{gone}" && cd "{gone}" && rmdir "{gone}"'
              f' && exec "{sys.executable}" -m archive_tool "$@"')
    lost = subprocess.run(["sh", "-c", script, "sh", "client", "list"], capture_output=True,
                          text=True, env=env, timeout=60)
    assert lost.returncode == 4 and lost.stderr == (
        "error: the current folder no longer exists; change to the archive's folder or pass"
        " --archive PATH\n")
    told = subprocess.run(["sh", "-c", script, "sh", "-A", str(root), "client", "list"],
                          capture_output=True, text=True, env=env, timeout=60)
    assert told.returncode == 0 and "CL-0001" in told.stdout, told.stderr


# --- values and names people type --------------------------------------------------

def test_a_5000_digit_number_is_a_problem_at_its_line(run, root):
    record = root / CL / "client.yaml"
    record.write_text(CLIENT.replace("since: 2026-01-10", "since: " + "9" * 5000))
    for args in (["validate"], ["client", "list"], ["client", "show", "CL-0001"],
                 ["status"], ["index"]):
        result = run("--json", *args)
        no_traceback(result)
    problems = json.loads(run("--json", "validate").stdout)["problems"]
    assert any(p["path"].endswith("client.yaml") and p["line"] == 7 for p in problems)


def test_contacts_of_the_wrong_shape_are_a_problem(run, root):
    record = root / CL / "client.yaml"
    record.write_text(CLIENT.replace("contacts:\n  - {staff: E-010, role: primary}\n",
                                     "contacts: 5\n"))
    for args in (["validate"], ["client", "list"], ["client", "show", "CL-0001"],
                 ["status"], ["index"], ["report", "compliance"]):
        no_traceback(run("--json", *args))
    assert json.loads(run("--json", "validate").stdout)["ok"] is False


def test_json_after_the_command_is_accepted(run):
    result = run("client", "list", "--json")
    assert result.exit_code == 0
    assert [c["id"] for c in json.loads(result.stdout)["clients"]] == ["CL-0001"]


def test_a_name_that_is_not_utf8_is_a_problem_and_the_rest_is_indexed(run, root):
    folder = root / CL / "correspondence"
    (folder / os.fsdecode(b"caf\xe9-nota.txt")).write_bytes(b"membrillo\n")
    write(folder / "bien.txt", "membrillo dulce\n")
    no_traceback(run("index"))
    found = json.loads(run("--json", "search", "membrillo").stdout)["hits"]
    assert [h["path"] for h in found] == [f"{CL}/correspondence/bien.txt"]
    problems = json.loads(run("--json", "validate").stdout)["problems"]
    assert any(p["rule"] == "file-name" and p["path"].endswith("caf\\xe9-nota.txt")
               for p in problems)
    text = run("validate").stdout
    assert "caf\\xe9-nota.txt" in text


def test_control_characters_in_names_are_shown_escaped(run, root):
    write(root / CL / "correspondence/linea\nnueva\x1b[31m.txt", "x\n")
    out = run("validate").stdout
    assert "\x1b" not in out and "linea\\nnueva\\x1b[31m.txt" in out


def test_eight_logs_of_one_subject_at_once_all_land(root):
    script = ("import sys\nfrom pathlib import Path\nfrom archive_tool import filing\n"
              "from archive_tool.archive import Archive\n"
              "filing.log(Archive(Path(sys.argv[1])), 'CL-0001', 'call', 'Misma llamada')\n")
    procs = [subprocess.Popen([sys.executable, "-c", script, str(root)], cwd=REPO,
                              stderr=subprocess.PIPE, text=True) for _ in range(8)]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0] * 8, errors
    names = sorted(p.name for p in (root / CL / "correspondence").glob("*misma-llamada*"))
    assert len(names) == 8 and not [n for n in names if n.endswith(".tmp")]


def test_a_locked_state_database_is_one_line(run, root, monkeypatch):
    run("index")
    import sqlite3

    holder = sqlite3.connect(root / STATE_DIR / CATALOG, timeout=1, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    monkeypatch.setattr(Catalog, "TIMEOUT", 0.5)
    try:
        started = time.monotonic()
        result = run("index")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert time.monotonic() - started < 60
    no_traceback(result)
    assert result.exit_code == 5 and "busy" in result.stderr


def test_ctrl_c_exits_130(root, tmp_path):
    """Ctrl-C while a command works: one line, exit 130, as shells report SIGINT."""
    busy = tmp_path / "busy"
    env = {**os.environ, "PYTHONPATH": str(REPO), "ARCHIVE_TOOL_LANG": "en"}
    script = (
        "import sys, time\nfrom pathlib import Path\nimport archive_tool.views as v\n"
        "busy = Path(sys.argv[2])\n"
        "def slow(*a, **k):\n    busy.touch()\n    time.sleep(60)\n"
        "v.register = slow\n"
        "sys.argv = ['archive-tool', '-A', sys.argv[1], 'client', 'list']\n"
        "from archive_tool.cli import main\nmain()\n")
    proc = subprocess.Popen([sys.executable, "-c", script, str(root), str(busy)], env=env,
                            stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not busy.exists():
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    err = err.lstrip("\n")  # click ends the ^C line first
    assert err.startswith("error: interrupted") and err.count("\n") == 1


# --- generated records and names: never a traceback ----------------------------------

values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-10**4000, max_value=10**4000)
    | st.floats(allow_nan=True) | st.text(max_size=40) | st.dates().map(str),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12)
record_keys = st.sampled_from(["id", "name", "category", "tier", "status", "since", "contacts",
                               "access", "address", "tax_id", "changes", "special_type",
                               "registered_capital", "x"])
records = st.dictionaries(record_keys, values, max_size=8)
file_names = st.binary(min_size=1, max_size=20).filter(
    lambda b: b"/" not in b and b"\0" not in b and b not in (b".", b".."))


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(record=records, entry=records, name=file_names, raw=st.binary(max_size=200))
def test_generated_records_and_names_never_end_in_a_traceback(tmp_path_factory, record, entry,
                                                            name, raw):
    root = tmp_path_factory.mktemp("gen") / "arch"
    write(root / "archive.yaml", "name: Gen\ndemo: false\n")
    write(root / "staff.yaml", "staff: []\n")
    folder = root / CL
    try:
        text = yaml.safe_dump(record, allow_unicode=True)
    except (yaml.YAMLError, ValueError):
        text = "id: CL-0001\n"
    write(folder / "client.yaml", text)
    write(folder / "correspondence/2026-01-01-x.yaml", yaml.safe_dump(entry, allow_unicode=True)
          if entry else raw)
    (folder / "correspondence" / os.fsdecode(name)).write_bytes(raw)
    run = Run(root)
    for args in (["validate"], ["index"], ["search", "hola"], ["client", "list"],
                 ["client", "show", "CL-0001"], ["status"], ["report", "compliance"]):
        result = run("--json", *args)
        no_traceback(result)
        if args == ["validate"] and result.exit_code == 1:
            for p in json.loads(result.stdout)["problems"]:
                assert p["path"] and p["line"] >= 1


# --- the daemon killed at random points of a pass, 50 times ---------------------------

def _daemon(root: Path) -> list[str]:
    return [sys.executable, "-m", "archive_tool", "-A", str(root), "daemon", "--once"]


def test_daemon_killed_at_random_points_loses_nothing(tmp_path):
    root = tmp_path / "arch"
    write(root / "archive.yaml", "name: Kill\ndemo: false\n")
    write(root / "staff.yaml", "staff: []\n")
    rng = random.Random(20261128)
    env = {**os.environ, "PYTHONPATH": str(REPO), "ARCHIVE_TOOL_LANG": "en"}
    words: dict[str, str] = {}
    for n in range(50):
        for _ in range(rng.randint(1, 4)):  # work for the pass: new and changed files
            c = rng.randint(1, 4)
            rel = f"clients/CL-000{c}-c{c}/correspondence/f{rng.randint(1, 12)}.txt"
            word = f"palabra{n}x{rng.randint(0, 10**6)}"
            write(root / rel, f"{word} texto\n" * rng.randint(1, 200))
            words[rel] = word
        proc = subprocess.Popen(_daemon(root), env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            proc.wait(rng.uniform(0.2, 1.5))
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        a = Archive(root)  # the restart: what `daemon` does first, in this process
        custody.finish_checkins(a)
        sync(a, None)
        rows = a.catalog.rows()
        for rel in words:
            on_disk = root / rel
            assert rel in rows, (n, rel)
            sha = hashlib.sha256(on_disk.read_bytes()).hexdigest()
            assert rows[rel].sha256 == sha, (n, rel)
            assert a.versions.latest(rel).sha256 == sha, (n, rel)
        for rel, word in rng.sample(sorted(words.items()), min(3, len(words))):
            results, _ = search(a, word)
            assert [h.path for h in results.hits] == [rel], (n, rel, word)
        assert a.audit.verify().ok


def test_a_rebuild_killed_midway_leaves_the_previous_index_in_use(tmp_path):
    root = tmp_path / "arch"
    write(root / "archive.yaml", "name: Kill\ndemo: false\n")
    write(root / "staff.yaml", "staff: []\n")
    for n in range(1500):
        write(root / f"clients/CL-{n % 30 + 1:04d}-c/correspondence/f{n}.txt",
              f"palabra{n} texto de prueba\n" * 50)
    a = Archive(root)
    sync(a, None)
    files = a.catalog.count()
    env = {**os.environ, "PYTHONPATH": str(REPO), "ARCHIVE_TOOL_LANG": "en"}
    proc = subprocess.Popen([sys.executable, "-m", "archive_tool", "-A", str(root), "index",
                             "--rebuild"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    aside = root / STATE_DIR / "index.new"
    deadline = time.monotonic() + 60
    while not aside.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert aside.exists(), "the rebuild never started its new index"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    a = Archive(root)
    assert a.catalog.count() == files
    for n in (0, 777, 1499):
        results, _ = search(a, f"palabra{n}")
        assert [h.path for h in results.hits] == [
            f"clients/CL-{n % 30 + 1:04d}-c/correspondence/f{n}.txt"]
    assert sync(a, None).report.wrote is False
