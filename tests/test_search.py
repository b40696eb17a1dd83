"""search from the CLI, and an oracle: search equals a brute-force scan of the text."""

import json
import random
import sys
from pathlib import Path

import pytest
from conftest import TODAY, Run, archive

from archive_tool.documents import plan
from archive_tool.extract import can_extract, extract
from archive_tool.index.analysis import fold, spanish_analyzer, terms
from archive_tool.reconcile import scan
from archive_tool.records import client_folders, load_client

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from generate import generate  # noqa: E402

from archive_tool.finding import search
from archive_tool.syncing import update_index


def test_sample_search_informe_anual(sample):
    result = Run(sample)("--json", "search", "informe anual", "--limit", "5")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["total"] >= 20
    top = data["hits"][0]
    assert top["kind"] == "annual_report" and top["path"].endswith("annual-report.pdf")
    assert set(top) >= {"client_id", "path", "kind", "date", "title", "score", "snippet"}
    assert "Informe anual" in top["snippet"]


@pytest.mark.parametrize(("query", "expected"), [
    ("informacion", "2026-03-04-revision-precios.pdf"),
    ("NUNEZ", "CL-0013-quimicas-del-mediterraneo/client.yaml"),
    ("declaraciones", "2026-11-10-nota-declaracion.yaml"),
    ("albaranes", "2026-02-20-fax-albaran.yaml"),
    ('"titularidad real"', "2026-11-10-nota-declaracion.yaml"),
    ("campana AND verano", "2026-05-12-pedido-campana.eml"),
    ("poliza NOT credito", "2026-08-01-renovacion-poliza.pdf"),
    ("kind:meeting", "2026-07-09-acta-reunion.docx"),
    ("exclusiv*", "2026-04-22-dictamen-contrato.pdf"),
    ("date:[2026-07-01 TO 2026-07-31] AND acta", "2026-07-09-acta-reunion.docx"),
])
def test_sample_queries_find_the_right_document(sample, query, expected):
    result = Run(sample)("--json", "search", query, "--limit", "50")
    assert result.exit_code == 0, result.stderr
    found = [h["path"] for h in json.loads(result.stdout)["hits"]]
    assert any(p.endswith(expected) for p in found), found


def test_first_search_builds_the_index(sample):
    result = Run(sample)("search", "albaranes")
    assert "index built: " in result.stderr
    again = Run(sample)("search", "albaranes")
    assert "index built" not in again.stderr
    assert again.stdout.splitlines()[-1] == "2 hits"


def test_text_output_marks_matches(sample):
    out = Run(sample)("search", "albaranes", "--limit", "1").stdout
    assert "[Albarán]" in out
    assert "\x1b[" not in out  # no colour when not on a terminal


def test_filters(sample):
    def paths(*args):
        result = Run(sample)("--json", "search", *args, "--limit", "100")
        return [h["path"] for h in json.loads(result.stdout)["hits"]]

    assert all("/CL-0004-" in p for p in paths("informe", "--client", "CL-0004"))
    assert all("/reports/2024/" in p for p in paths("informe", "--year", "2024"))
    statements = paths("ejercicio", "--kind", "financial_statements")
    assert statements and all(p.endswith("financial-statements.pdf") for p in statements)


def test_nothing_found_exits_1_with_suggestion(sample):
    result = Run(sample)("search", "polisa")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-2:] == ["0 hits", "did you mean: poliza"]
    data = json.loads(Run(sample)("--json", "search", "xyzzyq").stdout)
    assert data == {"query": "xyzzyq", "total": 0, "suggestion": None, "hits": []}


def test_bad_queries(sample):
    result = Run(sample)("search", "   ")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == "error: empty query; give words to search for"
    result = Run(sample)("search", "informe", "--client", "../x")
    assert result.exit_code == 2


# --- the oracle --------------------------------------------------------------

def _docs(root: Path, policy):
    """Every document with its searchable fields' text, computed without the index."""
    out = {}
    for cid, folder in client_folders(root):
        client = load_client(root, cid, folder)
        files = scan(root, folder, ())
        for path, doc in plan(client, sorted(files), policy).items():
            text = extract(root / path).text if can_extract(Path(path)) and not path.endswith(
                ".yaml") else ""
            content = "\n".join(filter(None, (doc.get("text"), text)))
            out[path] = {"fields": [doc["title"], content, doc["client_name"]],
                         "kind": doc["kind"], "year": (doc.get("date") or "")[:4]}
    return out


def _tokens(text: str) -> list[tuple[int, str, str]]:
    """(position, term, the word as written) of each indexed token."""
    return [(t.pos, t.text, text[t.startchar:t.endchar])
            for t in spanish_analyzer()(text, positions=True, chars=True)]


def _has_phrase(text: str, t1: str, t2: str) -> bool:
    toks = {(p, t) for p, t, _ in _tokens(text)}
    return any((p + 1, t2) in toks for p, t in toks if t == t1)


@pytest.fixture(scope="module")
def oracle(tmp_path_factory):
    root = tmp_path_factory.mktemp("oracle") / "arch"
    generate(root, clients=8, entries_per_client=14, today=TODAY)
    a = archive(root)
    update_index(a)
    docs = _docs(root, a.settings.policy)
    for d in docs.values():
        d["terms"] = {t for f in d["fields"] for t in terms(f)}
    return a, docs


def _found(a, query, **kw):
    results, _ = search(a, query, limit=100_000, **kw)
    assert results.total == len(results.hits)
    return {h.path for h in results.hits}


def test_oracle_single_terms(oracle):
    a, docs = oracle
    rng = random.Random(7)
    vocabulary = sorted({w for d in docs.values() for f in d["fields"]
                         for w in f.split() if w.isalpha() and len(w) > 3})
    words = rng.sample(vocabulary, 60)
    checked = 0
    for word in words:
        stem = terms(word)
        if not stem:
            continue
        expected = {p for p, d in docs.items() if stem[0] in d["terms"]}
        assert _found(a, word) == expected, word
        checked += 1
    assert checked >= 50


def test_oracle_phrases(oracle):
    a, docs = oracle
    rng = random.Random(11)
    contents = [d["fields"][1] for d in docs.values() if len(d["fields"][1]) > 200]
    checked = 0
    while checked < 12:
        toks = _tokens(rng.choice(contents))
        i = rng.randrange(len(toks) - 1)
        (p1, t1, w1), (p2, t2, w2) = toks[i], toks[i + 1]
        if p2 != p1 + 1:
            continue
        expected = {path for path, d in docs.items()
                    if any(_has_phrase(f, t1, t2) for f in d["fields"])}
        assert _found(a, f'"{w1} {w2}"') == expected, (w1, w2)
        checked += 1


def test_oracle_prefixes(oracle):
    a, docs = oracle
    for prefix in ("factur", "declar", "renov", "almac"):
        words = {w for d in docs.values() for f in d["fields"] for _, _, w in _tokens(f)
                 if fold(w).startswith(prefix)}
        stems = {terms(w)[0] for w in words}
        expected = {p for p, d in docs.items() if d["terms"] & stems}
        assert expected
        assert _found(a, f"{prefix}*") == expected, prefix


def test_oracle_field_queries(oracle):
    a, docs = oracle
    for kind in ("letter", "call", "annual_report"):
        for word in ("precios", "facturas"):
            stem = terms(word)[0]
            expected = {p for p, d in docs.items() if d["kind"] == kind and stem in d["terms"]}
            assert _found(a, f"kind:{kind} AND {word}") == expected
            assert _found(a, word, kind=kind) == expected
    for year in ("2024", "2025"):
        expected = {p for p, d in docs.items() if d["year"] == year and terms(
            "pedidos")[0] in d["terms"]}
        assert _found(a, "pedidos", year=int(year)) == expected
