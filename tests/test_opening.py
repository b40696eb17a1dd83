"""open: a hit of the last search, or a file by its path, with the rules of `client
show` and the read audited."""

import json
import time

import pytest
from conftest import Run, archive, write

from archive_tool.audit import AuditLog
from archive_tool.errors import NotFound
from archive_tool.finding import search
from archive_tool.opening import open_file
from archive_tool.syncing import update_index

CL = "clients/CL-0001-levante"
LETTER = f"{CL}/correspondence/carta.txt"


def letters(root):
    write(root / CL / "correspondence/2026-03-04-carta.yaml",
          "date: 2026-03-04\nkind: letter\nsubject: Carta\nattachments: [carta.txt]\n")
    write(root / LETTER, "Pedido de arandelas.\n")
    write(root / CL / "correspondence/2026-03-05-reservada.yaml",
          "date: 2026-03-05\nkind: note\nstaff: [E-011]\nconfidential: true\n"
          "subject: Reservada sobre arandelas\n")


def opens(root) -> list[dict]:
    return [r for r in AuditLog(root / ".archive").records() if r["action"] == "open"]


def test_open_a_hit_of_the_last_search(run, root):
    letters(root)
    found = json.loads(run("--json", "search", "arandelas").stdout)["hits"]
    rank = next(h["rank"] for h in found if h["path"] == LETTER)
    result = run("open", str(rank))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == str(root.resolve() / LETTER)
    assert [(r["path"], r["outcome"]) for r in opens(root)] == [(LETTER, "ok")]
    data = json.loads(run("--json", "open", LETTER).stdout)
    assert (data["path"], data["client_id"], data["opened"]) == (LETTER, "CL-0001", False)


def test_open_by_a_path_outside_a_client_folder_or_missing(run, root):
    letters(root)
    result = run("open", "archive.yaml")
    assert result.exit_code == 2 and result.stderr.startswith("error: ")
    result = run("open", f"{CL}/correspondence/nada.txt")
    assert result.exit_code == 4
    assert result.stderr.splitlines() == [f"error: {CL}/correspondence/nada.txt: no such file"]
    result = run("open", "7")
    assert result.exit_code == 4 and "search first" in result.stderr


def test_a_member_opens_only_what_they_may_see(root):
    letters(root)
    update_index(archive(root))
    member = archive(root, login="cruiz")  # E-010: CL-0001's contact, not the note's staff
    results, _ = search(member, "arandelas")
    assert [h.path for h in results.hits] == [LETTER]
    assert open_file(member, "1").path == LETTER
    hidden = f"{CL}/correspondence/2026-03-05-reservada.yaml"
    with pytest.raises(NotFound, match="reservada.yaml: no such file"):
        open_file(member, hidden)
    assert [(r["path"], r["outcome"]) for r in opens(root)] == [
        (LETTER, "ok"), (hidden, "not-found")]


def test_open_through_the_desktop_viewer(run, root, tmp_path, monkeypatch):
    letters(root)
    viewer = tmp_path / "bin/xdg-open"
    seen = tmp_path / "opened.txt"
    write(viewer, f"#!/bin/sh\nprintf '%s' \"$1\" > {seen}\n")
    viewer.chmod(0o755)
    monkeypatch.setenv("PATH", f"{viewer.parent}:/usr/bin:/bin")
    monkeypatch.setenv("DISPLAY", ":0")
    result = Run(root)("--json", "open", LETTER)
    assert json.loads(result.stdout)["opened"] is True
    deadline = time.monotonic() + 10
    while not seen.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert seen.read_text() == str(root.resolve() / LETTER)
    assert Run(root)("--json", "open", "--print", LETTER).stdout.count('"opened": false') == 1
