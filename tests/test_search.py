"""search from the CLI, and an oracle: search equals a brute-force scan of the text."""

import json
import random
import shutil
import sys
from pathlib import Path

import pytest
from conftest import CLIENT, SAMPLE, TODAY, Run, archive, write

from archive_tool.documents import plan
from archive_tool.extract import can_extract, extract
from archive_tool.index.analysis import fold, spanish_analyzer, terms
from archive_tool.reconcile import scan
from archive_tool.records import client_folders, load_client

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from generate import generate  # noqa: E402

from archive_tool.finding import search
from archive_tool.syncing import update_index


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """One indexed copy of the sample for the tests that only search it."""
    dest = tmp_path_factory.mktemp("shared") / "sample"
    shutil.copytree(SAMPLE, dest, ignore=shutil.ignore_patterns(".archive"))
    update_index(archive(dest))
    return dest


def hits(root, *args):
    result = Run(root)("--json", "search", *args)
    assert result.exit_code in (0, 1), result.stderr
    return json.loads(result.stdout)


def test_sample_search_informe_anual(shared):
    data = hits(shared, "informe anual", "--limit", "5")
    assert data["total"] >= 20
    top = data["hits"][0]
    assert top["kind"] == "annual_report" and "/informe-anual-" in top["path"]
    assert set(top) >= {"client_id", "path", "kind", "date", "title", "score", "snippet",
                        "rank", "client_name", "document", "files"}
    assert "Informe anual" in top["snippet"]
    assert (data["page"], data["limit"], data["sort"]) == (1, 5, "relevance")


@pytest.mark.parametrize(("query", "expected"), [
    ("informacion", "2026-03-04-revision-precios.pdf"),
    ("NUNEZ", "CL-0013-quimicas-del-mediterraneo/client.yaml"),
    ("declaraciones", "2026-11-10-nota-declaracion.yaml"),
    ("albaranes", "2026-02-20-fax-albaran.yaml"),
    ('"titularidad real"', "2026-11-10-nota-declaracion.yaml"),
    ("campana AND verano", "2026-05-12-pedido-campana.eml"),
    ("poliza NOT credito", "2026-08-01-renovacion-poliza.pdf"),
    ("kind:meeting", "2026-07-09-acta-reunion.docx"),
    ("kind:reunión", "2026-07-09-acta-reunion.docx"),
    ("exclusiv*", "2026-04-22-dictamen-contrato.pdf"),
    ("date:[2026-07-01 TO 2026-07-31] AND acta", "2026-07-09-acta-reunion.docx"),
    ("date:07/2026 AND acta", "2026-07-09-acta-reunion.docx"),
    ("date:09/07/2026", "2026-07-09-acta-reunion.docx"),
    ("date:>2026-07-08 AND acta", "2026-07-09-acta-reunion.docx"),
])
def test_sample_queries_find_the_right_document(shared, query, expected):
    data = hits(shared, query, "--limit", "50")
    assert data["total"] > 0, query
    files = [f["path"] for h in data["hits"] for f in h["files"]]
    assert any(p.endswith(expected) for p in files), files


def test_an_entry_and_its_attachments_are_one_hit(shared):
    data = hits(shared, "levante")
    documents = [h["document"] for h in data["hits"]]
    assert len(documents) == len(set(documents)) == data["total"]
    letter = next(h for h in data["hits"] if h["document"].endswith(
        "2026-03-04-revision-precios.yaml"))
    assert {f["path"].rsplit("/", 1)[-1]: f["terms"] for f in letter["files"]} == {
        "2026-03-04-revision-precios.yaml": ["levante"],
        "2026-03-04-revision-precios.pdf": ["levante"]}
    where = hits(shared, "informacion", "--limit", "100")["hits"]
    letter = next(h for h in where if h["document"].endswith("revision-precios.yaml"))
    assert [(f["path"].rsplit("/", 1)[-1], f["terms"]) for f in letter["files"]] == [
        ("2026-03-04-revision-precios.pdf", ["informacion"])]
    assert letter["path"].endswith(".pdf")  # the file that matched


def test_a_query_naming_a_client_brings_its_record_first(shared):
    for query in ("suministros levante", "levante", "CL-0001"):
        top = hits(shared, query)["hits"][0]
        assert top["path"] == "clients/CL-0001-suministros-levante/client.yaml", query
        assert top["named"] and top["rank"] == 1
    assert not hits(shared, "informe anual")["hits"][0]["named"]


def test_ties_are_broken_by_date_newest_first(shared):
    reports = [h for h in hits(shared, "suministros levante", "--limit", "50")["hits"]
               if h["kind"] == "annual_report"]
    assert [h["date"][:4] for h in reports] == ["2025", "2024", "2023", "2022", "2021"]
    assert len({h["score"] for h in reports}) == 1  # equal scores: the date decides


def test_sort_by_date_and_pages(shared):
    newest = hits(shared, "informe", "--sort", "-date", "--limit", "100")
    dates = [h["date"] or "" for h in newest["hits"]]
    assert dates == sorted(dates, reverse=True) and newest["total"] == len(dates)
    oldest = hits(shared, "informe", "--sort", "date", "--limit", "100")
    assert [h["date"] for h in oldest["hits"]] == sorted(h["date"] for h in oldest["hits"])
    everything = hits(shared, "informe", "--limit", "100")["hits"]
    pages = [hits(shared, "informe", "--limit", "7", "--page", str(n)) for n in (1, 2, 3)]
    assert [h["document"] for p in pages for h in p["hits"]] == [
        h["document"] for h in everything[:21]]
    assert [h["rank"] for h in pages[2]["hits"]] == list(range(15, 22))
    assert pages[0]["pages"] == -(-pages[0]["total"] // 7)
    past = Run(shared)("search", "informe", "--page", "999")
    assert past.exit_code == 0 and "page 999 is past the last" in past.stdout


def test_date_order_is_the_plain_sort_of_each_document_s_files(root):
    """Sorting by date (done over vectors) against the plain definition, on random
    sets of documents: a group (an entry and its attachments) counts once, dated by
    its newest file when newest first and its oldest when oldest first, ties by
    document number; undated ones last; groups to skip left out. The total counts
    each group once."""
    from archive_tool.index.docsets import Segments
    from archive_tool.index.query import _by_date

    corr = root / "clients/CL-0001-levante/correspondence"
    days = ["2026-03-02", "2026-03-02", "2025-11-30", "2026-01-15"] * 3
    for n, day in enumerate(days):
        write(corr / f"{day}-carta{n}.yaml",
              f"date: {day}\nkind: letter\nsubject: Carta {n}\nattachments: [a{n}.txt]\n")
        write(corr / f"a{n}.txt", f"Anexo {n}.\n")
    many = [f"b{n}.txt" for n in range(25)]  # the newest document has many files
    write(corr / "2026-06-01-envio.yaml", "date: 2026-06-01\nkind: letter\nsubject: Envío\n"
          f"attachments: [{', '.join(many)}]\n")
    for name in many:
        write(corr / name, "Copia.\n")
    for n in range(3):
        write(root / f"clients/CL-0001-levante/notas{n}.txt", "Notas.\n")  # undated
    update_index(archive(root))
    with archive(root).search_index.searcher() as s:
        segments = Segments.of(s)
        group, when, alive = segments.group, segments.when, sorted(segments.alive)
        assert 0 in {when[d] for d in alive} and len(segments.members) == 13
        rng = random.Random(3)
        for _ in range(300):
            matched = set(rng.sample(alive, rng.randint(1, len(alive))))
            skip = {group[d] for d in rng.sample(sorted(matched), 1)} if rng.random() < .5 else None
            newest = rng.random() < 0.5

            def key(d, newest=newest):
                return ((-when[d],) if newest else (when[d] == 0, when[d]), d)

            lead: dict[int, int] = {}
            for d in matched:
                if group[d] not in lead or key(d) < key(lead[group[d]]):
                    lead[group[d]] = d
            expected = sorted(((g, d) for g, d in lead.items() if g not in (skip or ())),
                              key=lambda gd: key(gd[1]))
            assert segments.groups_of(matched) == len(lead)
            wanted = rng.choice([1, 3, 50])
            assert _by_date(segments, matched, wanted, newest, skip) == expected[:wanted]


def test_text_output_one_line_per_document_grouped_by_client(shared):
    out = Run(shared)("search", "levante").stdout.splitlines()
    assert out[0].startswith("CL-0001  Suministros Levante, S.L.")
    assert out[1].split()[0] == "1" and "Suministros Levante, S.L." in out[1]
    documents = [line for line in out if line.startswith("  ") and line.split()[0].isdigit()]
    total = hits(shared, "levante")["total"]
    assert len(documents) == total and out[-1] == f"{total} documents"
    assert len(out) == total + 2  # one client header, the count
    flat = Run(shared)("search", "levante", "--flat").stdout.splitlines()
    assert flat[0].split()[0] == "1" and len(flat) == total + 1
    found = hits(shared, "informe anual", "--limit", "30")["hits"]
    out = Run(shared)("search", "informe anual", "--limit", "30").stdout.splitlines()
    heads = [line.split()[0] for line in out[:-1] if not line.startswith(" ")]
    assert heads == list(dict.fromkeys(h["client_id"] for h in found))  # each client once
    numbers = [int(line.split()[0]) for line in out[:-1] if line.startswith(" ")]
    assert sorted(numbers) == list(range(1, 31))


def test_text_output_marks_matches(shared):
    out = Run(shared)("search", "albaranes", "--limit", "1").stdout
    assert "[Albarán]" in out
    assert "\x1b[" not in out  # no colour when not on a terminal


def test_filters(shared):
    def paths(*args):
        return [h["path"] for h in hits(shared, *args, "--limit", "100")["hits"]]

    assert all("/CL-0004-" in p for p in paths("informe", "--client", "CL-0004"))
    assert all("/reports/2024/" in p for p in paths("informe", "--year", "2024"))
    statements = paths("ejercicio", "--kind", "financial_statements")
    assert statements and all("/cuentas-anuales-" in p for p in statements)
    assert paths("ejercicio", "--kind", "estados-financieros") == statements


def test_nothing_found_exits_1_with_suggestion(shared):
    result = Run(shared)("search", "polisa")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-2:] == ["0 documents", "did you mean: poliza"]
    data = hits(shared, "xyzzyq")
    assert (data["total"], data["suggestion"], data["hits"]) == (0, None, [])


def test_bad_queries(shared):
    result = Run(shared)("search", "   ")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == "error: empty query; give words to search for"
    result = Run(shared)("search", "informe", "--client", "../x")
    assert result.exit_code == 2
    for pattern in ("*", "?*", "*forme", "i*"):
        result = Run(shared)("search", pattern)
        assert result.exit_code == 2, pattern
        lines = result.stderr.splitlines()
        assert lines[-1].startswith("error: ") and "two letters" in lines[-1], lines


def test_scores_leak_nothing_of_what_the_caller_cannot_see(root):
    corr = root / "clients/CL-0001-levante/correspondence"
    for n in (1, 2):  # two identical letters the member may see
        write(corr / f"2026-03-0{n}-carta.yaml",
              f"date: 2026-03-0{n}\nkind: letter\nsubject: Pedido de tornillos\n")
    write(root / "clients/CL-0002-banco/client.yaml",
          CLIENT.replace("CL-0001", "CL-0002").replace("Suministros Levante", "Banco Norte")
          .replace("B46123456", "A11111111").replace("E-010", "E-011"))

    def seen(login):
        a = archive(root, login=login)
        update_index(archive(root))
        results, _ = search(a, "tornillos pedido")
        return [(h.path, h.score, h.rank) for h in results.hits], results.total

    before, admin_before = seen("cruiz"), seen(None)
    for n in range(1, 10):  # the hidden client fills up with the same words
        write(root / f"clients/CL-0002-banco/correspondence/2026-04-0{n}-tornillos.yaml",
              f"date: 2026-04-0{n}\nkind: note\nsubject: Pedido de tornillos {n}\n")
    after, admin_after = seen("cruiz"), seen(None)
    assert before == after
    assert [score for _, score, _ in after[0]] == [1.0, 0.5]  # rank, not BM25
    assert admin_after[1] == admin_before[1] + 9
    assert admin_after[0][0][1] != admin_before[0][0][1]  # an admin's BM25 moved


def test_an_admin_s_scores_are_whoosh_s_bm25f(shared):
    """The scores computed in bulk are the ones Whoosh's own BM25F gives, document
    by document, for words, several words, prefixes and phrases."""
    from whoosh import query as q
    from whoosh.scoring import BM25F

    from archive_tool.index import ranking
    from archive_tool.index.docsets import Evaluator, Segments
    from archive_tool.index.parsing import parse
    from archive_tool.index.query import _date_bounds

    index = archive(shared).search_index
    with index.searcher() as s:
        assert isinstance(s.weighting, BM25F)
        segments = Segments.of(s)
        everything = segments.alive
        for text in ("albaranes", "informe anual", "poliza credito", "exclusiv*",
                     '"titularidad real"', "suministros levante"):
            parsed = parse(text, s.schema, index.vocabulary, _date_bounds(segments))
            ours = ranking.scores(Evaluator(segments), parsed.scoring, everything, True)
            whoosh = {hit.docnum: hit.score for hit in s.search(
                q.Or(parsed.scoring), limit=None)}
            assert whoosh, text
            assert {d for d in everything if ours.get(d)} == set(whoosh), text
            for d, score in whoosh.items():
                assert ours.get(d) == pytest.approx(score, rel=1e-9), (text, d)


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
                         "kind": doc["kind"], "year": (doc.get("date") or "")[:4],
                         "date": doc.get("date") or ""}
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
    """The files matched: every file of every hit (an entry's attachments included)."""
    results, _ = search(a, query, limit=100_000, **kw)
    assert results.total == len(results.hits) == len({h.document for h in results.hits})
    return {m.path for h in results.hits for m in h.files}


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


def test_oracle_date_ranges(oracle):
    a, docs = oracle
    rng = random.Random(3)
    dated = sorted({d["date"] for d in docs.values() if d["date"]})
    for _ in range(12):
        lo, hi = sorted(rng.sample(dated, 2))
        expected = {p for p, d in docs.items() if d["date"] and lo <= d["date"] <= hi}
        assert _found(a, f"date:[{lo} TO {hi}]") == expected, (lo, hi)
        assert _found(a, f"date:>={lo}") == {p for p, d in docs.items()
                                             if d["date"] and d["date"] >= lo}, lo
        assert _found(a, f"date:<{hi}") == {p for p, d in docs.items()
                                            if d["date"] and d["date"] < hi}, hi
