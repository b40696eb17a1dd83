"""sample_archive/ is valid, complete and its documents are real."""

import re
import shlex
import subprocess
import sys
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from conftest import REPO, SAMPLE, archive

from archive_tool.checking import validate
from archive_tool.records import read_yaml

KIND_OF = {"client.yaml": "client", "staff.yaml": "staff", "archive.yaml": "archive"}
YAML_FILES = sorted(p for p in SAMPLE.rglob("*.yaml") if ".archive" not in p.parts)


@pytest.mark.parametrize("path", YAML_FILES, ids=lambda p: str(p.relative_to(SAMPLE)))
def test_every_sample_yaml_file_is_valid(path):
    kind = KIND_OF.get(path.name, "entry")
    loaded, problems = read_yaml(path, kind, str(path))
    assert loaded is not None and problems == []


def test_sample_validates_without_errors():
    found = validate(archive(SAMPLE))
    assert [p for p in found if p.is_error] == []


def test_sample_covers_the_policy():
    a = archive(SAMPLE)
    clients = a.all_clients
    assert len(clients) >= 12
    data = [c.data for c in clients]
    assert {"supplier", "distributor", "special"} <= {d["category"] for d in data}
    assert {"lawyer", "financial_consultant", "advertising", "public_relations", "bank",
            "insurance", "financial_assistance"} <= {d.get("special_type") for d in data}
    assert sum(d["tier"] == "vip" for d in data) >= 3
    assert sum(d["important"] is True for d in data) >= 2
    admins = [m for m in a.roster.members.values() if m.is_info_admin]
    assert len(admins) >= 2
    departed = [m for m in a.roster.members.values() if m.status == "departed"]
    assert departed and not any(str(c.get("staff")) == departed[0].id
                                for d in data for c in d["contacts"])
    kinds = {e.kind for c in clients for e in c.entries}
    assert {"letter", "fax", "call", "email", "meeting", "visit", "contact_report",
            "note"} <= kinds
    suffixes = {Path(n).suffix for c in clients for e in c.entries for n in e.attachments}
    assert {".pdf", ".eml", ".txt", ".docx"} <= suffixes
    with_reports = [c for c in clients if {2023, 2024, 2025} <= set(c.reports(
        a.settings.policy))]
    assert len(with_reports) >= 3


def test_sample_documents_are_real():
    import docx
    import pypdfium2

    pdfs = sorted(SAMPLE.rglob("*.pdf"))
    texts = {}
    for p in pdfs:
        doc = pypdfium2.PdfDocument(p)
        texts[p.name] = "".join(page.get_textpage().get_text_range() for page in doc)
        doc.close()
    assert "Revisión de precios" in texts["2026-03-04-revision-precios.pdf"]
    assert texts["2026-02-20-fax-albaran.pdf"].strip() == ""  # the fax is only an image
    assert "Informe anual" in texts["annual-report.pdf"]
    minutes = next(SAMPLE.rglob("*.docx"))
    assert "Acuerdo" in docx.Document(minutes).tables[0].cell(0, 0).text
    mail = message_from_bytes(next(SAMPLE.rglob("*.eml")).read_bytes(), policy=policy.default)
    assert mail["Subject"] == "Pedido para la campaña de verano"


def test_readme_first_command_runs_on_a_copy_of_the_sample(sample):
    readme = (REPO / "README.md").read_text()
    first = re.search(r"```sh\n(.*?)```", readme, re.S).group(1)
    steps = [s.strip() for s in first.replace("\\\n", " ").split("&&")]
    tool_steps = [s for s in steps if s.startswith("archive-tool")]
    assert tool_steps, first
    for step in tool_steps:
        args = [str(sample) if a == "sample_archive" else a for a in shlex.split(step)[1:]]
        proc = subprocess.run([sys.executable, "-m", "archive_tool", *args],
                              capture_output=True, text=True, check=False, timeout=300)
        assert proc.returncode == 0, (step, proc.stderr)
