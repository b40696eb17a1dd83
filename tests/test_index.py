"""Incremental indexing: only what changed is touched, and nothing is lost."""

import json
import os
import shutil

import pytest
from conftest import archive, write

from archive_tool.checking import validate
from archive_tool.errors import NotFound
from archive_tool.finding import search
from archive_tool.reconcile import Interrupted, Reconciler
from archive_tool.syncing import update_index

CL = "clients/CL-0001-levante"
ENTRY = "date: 2026-03-04\nkind: letter\nsubject: Revisión de precios\nattachments: [{}]\n"


def paths(a, query):
    results, _ = search(a, query, limit=1000)
    return sorted(h.path for h in results.hits)


@pytest.fixture
def indexed(root):
    corr = root / CL / "correspondence"
    write(corr / "2026-03-04-precios.yaml", ENTRY.format("nota.txt"))
    write(corr / "nota.txt", "Los albaranes de marzo llegan tarde.\n")
    report = update_index(archive(root))
    assert (report.added, report.deleted) == (3, 0)
    return root


def test_no_change_touches_nothing(indexed):
    report = update_index(archive(indexed))
    assert (report.added, report.changed, report.deleted, report.unchanged) == (0, 0, 0, 3)
    assert not report.wrote


def test_changed_file_is_reindexed(indexed):
    note = indexed / CL / "correspondence/nota.txt"
    note.write_text("Ahora hablamos de pólizas.\n")
    a = archive(indexed)
    report = update_index(a)
    assert (report.changed, report.unchanged) == (1, 2)
    assert paths(a, "polizas") == [f"{CL}/correspondence/nota.txt"]
    assert paths(a, "albaran") == []


def test_kept_postings_stay_within_their_budget_and_follow_changes(indexed):
    """The postings kept between searches: least recently used out first, never more
    than the budget; a changed file is found by its new words and not its old ones
    with the same archive open (new segments are read anew)."""
    from archive_tool.index.docsets import _Kept, _postings

    a = archive(indexed)
    kept = _Kept(budget=8, size=lambda postings: len(postings[0]))
    with a.search_index.searcher() as s:
        reader = s.leaf_searchers()[0][0].reader()
        words = [t for f, t in reader.all_terms() if f == "content"][:12]
        for word in words:
            ids, weights = kept.get(("segment", "content", word),
                                    lambda w=word: _postings(reader, "content", w))
            assert list(ids) == list(reader.postings("content", word).all_ids())
            assert len(weights) == len(ids) and kept.held <= kept.budget
        assert len(kept.found) < len(words) and words[-1] in {k[2] for k in kept.found}
    assert paths(a, "albaran") == [f"{CL}/correspondence/nota.txt"]
    (indexed / CL / "correspondence/nota.txt").write_text("Ahora hablamos de pólizas.\n")
    update_index(a)
    assert paths(a, "albaran") == []
    assert paths(a, "polizas") == [f"{CL}/correspondence/nota.txt"]


def test_touch_without_change_is_not_reindexed(indexed):
    note = indexed / CL / "correspondence/nota.txt"
    os.utime(note, ns=(1, 1))
    report = update_index(archive(indexed))
    assert (report.changed, report.unchanged) == (0, 3)


def test_added_deleted_and_renamed(indexed):
    corr = indexed / CL / "correspondence"
    write(corr / "2026-03-05-otra.yaml", ENTRY.format("b.txt").replace("precios", "plazos"))
    write(corr / "b.txt", "Declaración de titularidad.\n")
    a = archive(indexed)
    assert update_index(a).added == 2
    (corr / "b.txt").rename(corr / "c.txt")
    (corr / "2026-03-05-otra.yaml").unlink()
    report = update_index(a)
    assert (report.renamed, report.deleted, report.added) == (1, 1, 0)
    assert paths(a, "declaracion") == [f"{CL}/correspondence/c.txt"]


def test_entry_change_reaches_its_attachment(indexed):
    corr = indexed / CL / "correspondence"
    write(corr / "2026-03-04-precios.yaml", ENTRY.format("nota.txt").replace(
        "kind: letter", "kind: fax"))
    a = archive(indexed)
    report = update_index(a)
    assert report.changed == 2  # the entry and its attachment's kind
    results, _ = search(a, "albaranes", kind="fax")
    assert [h.path for h in results.hits] == [f"{CL}/correspondence/nota.txt"]


def test_deleted_client_folder_leaves_the_index(indexed):
    write(indexed / "clients/CL-0002-otro/client.yaml",
          "id: CL-0002\nname: Zapaterías Ruiz\ncategory: supplier\nstatus: active\n"
          "since: 2026-01-01\ncontacts: [{staff: E-010, role: primary}]\n")
    a = archive(indexed)
    update_index(a)
    assert paths(a, "zapaterias") == ["clients/CL-0002-otro/client.yaml"]
    shutil.rmtree(indexed / "clients/CL-0002-otro")
    assert update_index(a).deleted == 1
    assert paths(a, "zapaterias") == []


def test_vanished_or_empty_root_deletes_nothing(indexed):
    shutil.move(indexed / "clients", indexed / "away")
    a = archive(indexed)
    with pytest.raises(NotFound, match="nothing was removed"):
        update_index(a)
    (indexed / "clients").mkdir()
    with pytest.raises(NotFound, match="is empty"):
        update_index(a)
    assert a.search_index.doc_count() == 3


def test_rebuild_starts_from_nothing(indexed):
    report = update_index(archive(indexed), rebuild=True)
    assert (report.added, report.unchanged) == (3, 0)


def test_an_interrupted_rebuild_leaves_the_index_in_use(indexed):
    a = archive(indexed)
    (indexed / CL / "correspondence/nota.txt").write_text("Los pedidos de abril.\n")
    reconciler = Reconciler(a.root, a.settings, a.catalog, a.search_index)
    with pytest.raises(Interrupted):
        reconciler.run(rebuild=True, stop=lambda: True)
    assert paths(a, "albaranes") == [f"{CL}/correspondence/nota.txt"]
    assert a.catalog.count() == 3
    assert not (indexed / ".archive/index.new").exists()
    report = update_index(a, rebuild=True)
    assert report.added == 3
    assert paths(a, "pedidos") == [f"{CL}/correspondence/nota.txt"]
    assert paths(a, "albaranes") == []
    assert sorted(p.name for p in (indexed / ".archive").glob("index*")) == ["index"]


@pytest.mark.parametrize("left", ["complete new index", "previous index"])
def test_a_swap_cut_short_is_completed(indexed, left):
    state = indexed / ".archive"
    if left == "complete new index":
        (state / "index").rename(state / "index.new")
        (state / "index.new/COMPLETE").touch()
    else:
        (state / "index").rename(state / "index.old")
    a = archive(indexed)
    assert paths(a, "albaranes") == [f"{CL}/correspondence/nota.txt"]
    assert sorted(p.name for p in state.glob("index*")) == ["index"]
    assert not (state / "index/COMPLETE").exists()


def test_missing_index_is_rebuilt(indexed):
    shutil.rmtree(indexed / ".archive/index")
    a = archive(indexed)
    report = update_index(a)
    assert report.added == 3
    assert paths(a, "albaranes") == [f"{CL}/correspondence/nota.txt"]


def test_corrupt_index_is_rebuilt_with_a_warning(indexed):
    for f in (indexed / ".archive/index").glob("*.toc"):
        f.write_bytes(b"garbage")
    a = archive(indexed)
    report = update_index(a)
    assert report.added == 3
    assert any("damaged" in w for w in report.warnings)


def test_schema_version_change_rebuilds(indexed, monkeypatch):
    (indexed / ".archive/index/SCHEMA_VERSION").write_text("0\n")
    report = update_index(archive(indexed))
    assert report.added == 3
    assert any("another version" in w for w in report.warnings)


def test_extraction_problem_recorded_and_validated(indexed):
    corr = indexed / CL / "correspondence"
    write(corr / "2026-03-06-roto.yaml", ENTRY.format("roto.pdf"))
    write(corr / "roto.pdf", b"%PDF-1.4 broken")
    a = archive(indexed)
    report = update_index(a)
    assert [p for p, _ in report.problems] == [f"{CL}/correspondence/roto.pdf"]
    found = [p for p in validate(archive(indexed)) if p.rule == "extract-failed"]
    assert [(p.path, p.severity) for p in found] == [(f"{CL}/correspondence/roto.pdf",
                                                      "warning")]
    assert paths(a, "albaranes")  # the rest was indexed


def test_the_installed_script_indexes_with_the_worker_pool(root):
    """bin/archive-tool as installed: its worker processes (forkserver) run the
    script's file again, and must not run the command a second time."""
    import subprocess
    import sys

    from conftest import REPO

    corr = root / CL / "correspondence"
    for i in range(30):
        write(corr / f"2026-01-{i % 28 + 1:02d}-n{i}.yaml", ENTRY.format(f"n{i}.txt"))
        write(corr / f"n{i}.txt", f"documento número {i} sobre facturas\n")
    done = subprocess.run([sys.executable, str(REPO / "bin" / "archive-tool"), "-A", str(root),
                           "--json", "index"], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "ARCHIVE_TOOL_LANG": "en"})
    assert done.returncode == 0, done.stderr
    assert "crashed" not in done.stderr and json.loads(done.stdout)["extracted"] >= 30
    assert len(paths(archive(root), "facturas")) == 30


def test_symlink_out_of_the_archive_is_not_followed(indexed, tmp_path):
    secret = write(tmp_path / "secret.txt", "contraseña supersecreta\n")
    (indexed / CL / "correspondence/link.txt").symlink_to(secret)
    a = archive(indexed)
    update_index(a)
    assert paths(a, "supersecreta") == []


def test_editor_temp_files_are_not_indexed(indexed):
    corr = indexed / CL / "correspondence"
    write(corr / ".nota.txt.swp", "borrador temporal")
    write(corr / "~$acta.docx", "borrador temporal")
    write(corr / ".~lock.acta.docx#", "borrador temporal")
    a = archive(indexed)
    assert update_index(a).added == 0
    assert paths(a, "borrador") == []


def test_many_files_use_the_worker_pool(root):
    corr = root / CL / "correspondence"
    for i in range(30):
        write(corr / f"2026-01-{i % 28 + 1:02d}-n{i}.yaml", ENTRY.format(f"n{i}.txt"))
        write(corr / f"n{i}.txt", f"documento número {i} sobre facturas\n")
    a = archive(root)
    report = update_index(a)
    assert report.extracted == 30
    assert len(paths(a, "facturas")) == 30


def test_a_segment_part_reads_as_a_file_does():
    """The index's parts are read in place from the segment's map: every read a file
    gives, the window gives the same."""
    import io
    import pickle

    from archive_tool.index.store import _Window

    data = b"ab\ncd" + b"x" * 9000 + b"\nend" + pickle.dumps((1, 2.5, "z"))
    for limit in (-1, 0, 1, 3, 5000, 9010, 20000):
        window, file = _Window(memoryview(data)), io.BytesIO(data)
        assert [window.readline(limit) for _ in range(4)] == \
            [file.readline(limit) for _ in range(4)]
    window = _Window(memoryview(data))
    assert window.seek(-len(pickle.dumps((1, 2.5, "z"))), 2) == window.tell()
    assert bytes(window.peek(3)) == data[window.tell():window.tell() + 3]
    assert pickle.load(window) == (1, 2.5, "z") and window.read() == b""
