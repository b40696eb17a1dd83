"""The daemon's pure pieces: routing, office locks, debouncing, file system types."""

import pytest

from archive_tool.changes import (
    EVERYTHING,
    Debouncer,
    filesystem_type,
    held_by_locks,
    needs_polling,
    route,
)

ROOT = "/srv/archivo/"


@pytest.mark.parametrize(("path", "unit"), [
    ("/srv/archivo/clients/CL-0001-x/client.yaml", "CL-0001-x"),
    ("/srv/archivo/clients/CL-0001-x/correspondence/a.pdf", "CL-0001-x"),
    ("/srv/archivo/clients/CL-0001-x/reports/2025/annual-report.pdf", "CL-0001-x"),
    ("/srv/archivo/clients/CL-0001-x", "CL-0001-x"),
    ("/srv/archivo/clients/CL-0001-x/correspondence/.~lock.acta.docx#", "CL-0001-x"),
    ("/srv/archivo/clients/CL-0001-x/correspondence/~$ta.docx", "CL-0001-x"),
    ("/srv/archivo/clients/CL-0001-x/correspondence/.a.txt.swp", None),
    ("/srv/archivo/clients/CL-0001-x/correspondence/4913", None),
    ("/srv/archivo/clients/CL-0001-x/correspondence/a.txt~", None),
    ("/srv/archivo/clients/CL-0001-x/correspondence/sedAb12Cd", None),
    ("/srv/archivo/clients/CL-0001-x/correspondence/lu123abc.tmp", None),
    ("/srv/archivo/clients/CL-0001-x/correspondence/~WRD0001.tmp", None),
    ("/srv/archivo/clients/misc/a.txt", None),
    ("/srv/archivo/clients", EVERYTHING),
    ("/srv/archivo/staff.yaml", EVERYTHING),
    ("/srv/archivo/archive.yaml", EVERYTHING),
    ("/srv/archivo/.archive/index/_MAIN_1.toc", None),
    ("/srv/archivo/README.txt", None),
    ("/srv/otro/clients/CL-0001-x/client.yaml", None),
])
def test_route(path, unit):
    assert route(ROOT, path) == unit


def test_office_locks_hold_their_documents():
    names = ["acta.docx", ".~lock.acta.docx#", "informe.docx", "~$forme.docx", "libre.txt"]
    assert held_by_locks(names) == {"acta.docx", "informe.docx"}
    assert held_by_locks(["acta.docx"]) == set()


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_debouncer_waits_for_quiet():
    clock = Clock()
    d = Debouncer(quiet=0.5, quiet_fast=0.05, max_delay=3.0, clock=clock)
    d.mark("CL-0001")
    clock.now += 0.3
    assert d.take_due() == []
    d.mark("CL-0001")  # still changing: the quiet period starts again
    clock.now += 0.4
    assert d.take_due() == []
    clock.now += 0.2
    assert d.take_due() == ["CL-0001"]
    assert d.take_due() == [] and len(d) == 0


def test_debouncer_is_fast_after_a_completed_write():
    clock = Clock()
    d = Debouncer(quiet=0.5, quiet_fast=0.05, clock=clock)
    d.mark("CL-0001", fast=True)
    clock.now += 0.06
    assert d.take_due() == ["CL-0001"]


def test_debouncer_acts_at_most_max_delay_after_first_change():
    clock = Clock()
    d = Debouncer(quiet=0.5, max_delay=2.0, clock=clock)
    for _ in range(10):  # a folder that never goes quiet
        d.mark("CL-0001")
        clock.now += 0.25
    assert d.take_due() == ["CL-0001"]


def test_debouncer_delay_and_age():
    clock = Clock()
    d = Debouncer(quiet=0.1, clock=clock)
    d.mark("CL-0002", delay=5.0)
    clock.now += 1.0
    assert d.take_due() == []
    clock.now += 4.2
    assert d.take_due() == ["CL-0002"]
    d.mark("CL-0003")
    clock.now += 0.05
    assert d.oldest_age() == pytest.approx(0.05)


MOUNTINFO = """\
22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
40 22 0:35 / /srv rw,relatime - ext4 /dev/sdb1 rw
41 40 0:36 / /srv/compartido rw,relatime - cifs //fs/comp rw
42 22 0:37 / /mnt/nfs rw - nfs4 fs:/x rw
"""


def test_filesystem_type_picks_the_longest_mount(tmp_path):
    from pathlib import Path
    assert filesystem_type(Path("/srv/compartido/archivo"), MOUNTINFO) == "cifs"
    assert filesystem_type(Path("/srv/local"), MOUNTINFO) == "ext4"
    assert filesystem_type(Path("/mnt/nfs/a"), MOUNTINFO) == "nfs4"
    assert needs_polling("cifs") and needs_polling("nfs4") and needs_polling("fuse.sshfs")
    assert not needs_polling("ext4")
    assert filesystem_type(tmp_path)  # this machine's /proc answers
