from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive_tool.access import os_login
from archive_tool.archive import Archive
from archive_tool.cli import cli

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "sample_archive"
TODAY = date(2026, 11, 28)

STAFF = """\
staff:
  - {{id: E-001, name: Admin Uno, login: {me}, department: information, role: admin,
     status: active}}
  - {{id: E-010, name: Carlos Ruiz, login: cruiz, department: commercial, role: member,
     status: active}}
  - {{id: E-011, name: Ana Torres, login: atorres, department: commercial, role: member,
     status: active}}
  - {{id: E-012, name: Pablo Moreno, login: pmoreno, department: finance, role: member,
     status: active}}
  - {{id: E-014, name: Raúl Domínguez, login: rdominguez, department: commercial,
     role: member, status: departed, left_on: 2026-06-30}}
"""

CLIENT = """\
id: CL-0001
name: Suministros Levante, S.L.
category: supplier
tier: standard
important: false
status: active
since: 2026-01-10
tax_id: B46123451
legal_representative: {name: Vicente Martínez, position: Administrador}
address: {street: Calle Mayor 7, city: Valencia, postal_code: "46001", country: ES}
phone: "+34 960 000 001"
fax: "+34 960 000 002"
email: info@levante.es
business_scope: Envases y embalajes
registered_capital: {amount: 120000, currency: EUR}
contacts:
  - {staff: E-010, role: primary}
"""


class _FixedDay(date):
    @classmethod
    def today(cls) -> date:
        return TODAY


@pytest.fixture(autouse=True)
def fixed_day(monkeypatch):
    """Commands run in this process (CliRunner) see the same day as archive(): the
    fixtures' dates are written relative to it. Processes the tests start see the
    real day."""
    monkeypatch.setattr("archive_tool.archive.date", _FixedDay)


@pytest.fixture(autouse=True)
def english(monkeypatch):
    """Tests read the tool in English unless they ask for Spanish (test_language)."""
    from archive_tool import i18n

    monkeypatch.setenv(i18n.LANG_ENV, "en")
    i18n.use("en")
    yield
    i18n.use(i18n.DEFAULT)


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A small non-demo archive whose only admin is the current OS login."""
    r = tmp_path / "arch"
    write(r / "archive.yaml", "name: Test\ndemo: false\n")
    write(r / "staff.yaml", STAFF.format(me=os_login()))
    write(r / "clients/CL-0001-levante/client.yaml", CLIENT)
    (r / "clients/CL-0001-levante/correspondence").mkdir()
    return r


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    """A private copy of sample_archive/."""
    dest = tmp_path / "sample"
    shutil.copytree(SAMPLE, dest, ignore=shutil.ignore_patterns(".archive"))
    return dest


def archive(root: Path, login: str | None = None) -> Archive:
    return Archive(root, login=login, today=TODAY)


class Run:
    def __init__(self, root: Path | None):
        self.root = root

    def __call__(self, *args: str, input: str | None = None):
        runner = CliRunner()
        prefix = ["--archive", str(self.root)] if self.root else []
        return runner.invoke(cli, [*prefix, *args], input=input, catch_exceptions=False)


@pytest.fixture
def run(root: Path) -> Run:
    return Run(root)
