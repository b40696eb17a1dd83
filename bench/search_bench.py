"""Index and search benchmark: archive-tool against a plain Whoosh writer, ripgrep and
SQLite FTS5, on one generated archive, in one run.

    python bench/search_bench.py --quick      # about 1k documents, under a minute
    python bench/search_bench.py              # about 50k documents

Prints build throughput, no-change and one-file index times, and search latency
p50/p95 per query type, in-process and as whole CLI calls, with ratios.
"""

from __future__ import annotations

import argparse
import os
import pickle
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import WORDS, generate  # noqa: E402

from archive_tool.archive import Archive  # noqa: E402
from archive_tool.index.analysis import terms  # noqa: E402
from archive_tool.index.fields import to_document  # noqa: E402

CLI = [sys.executable, "-m", "archive_tool"]


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def ms(values: list[float]) -> str:
    return f"{pct(values, 50) * 1000:7.1f} / {pct(values, 95) * 1000:7.1f} ms"


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def run_cli(root: Path, *args: str) -> float:
    start = time.perf_counter()
    subprocess.run([*CLI, "-A", str(root), *args], capture_output=True, check=False)
    return time.perf_counter() - start


def documents(a: Archive) -> list[tuple[dict, str]]:
    """The documents exactly as the build indexed them, with their cached text."""
    from archive_tool.documents import plan
    from archive_tool.reconcile import scan
    from archive_tool.records import client_folders, load_client

    rows = a.catalog.rows()
    out = []
    for cid, folder in client_folders(a.root):
        client = load_client(a.root, cid, folder)
        files = scan(a.root, folder, ())
        for path, doc in plan(client, sorted(files), a.settings.policy).items():
            text = doc.get("text") or a.catalog.text(rows[path].sha256)[0]
            out.append((dict(doc, path=path), text))
    return out


BASELINE = """
import pickle, sys, time
from whoosh import index
from archive_tool.index.fields import make_schema
docs = pickle.load(open(sys.argv[1], "rb"))
ix = index.create_in(sys.argv[2], make_schema())
start = time.perf_counter()
w = ix.writer()
for fields in docs:
    w.add_document(**fields)
w.commit()
print(time.perf_counter() - start)
"""


def baseline_build(docs: list[tuple[dict, str]], folder: Path) -> float:
    """A plain single-process Whoosh writer (stock Whoosh, in its own process), same
    schema and analyzer, on the same text: each field given as text to analyse."""
    folder.mkdir()
    plain = []
    for doc, text in docs:
        fields = to_document(doc, text, [])
        body = "\n".join(filter(None, (doc.get("text"), text)))
        fields.update(content=body, title=fields.pop("_stored_title"),
                      client_name=fields.pop("_stored_client_name"))
        plain.append(fields)
    dump = folder / "docs.pickle"
    dump.write_bytes(pickle.dumps(plain))
    out = subprocess.run([sys.executable, "-c", BASELINE, str(dump), str(folder)],
                         capture_output=True, text=True, check=True)
    return float(out.stdout)


def queries(docs, rng: random.Random, n: int) -> dict[str, list[str]]:
    words = [w for w in WORDS if len(w) > 4]
    texts = [t for _, t in docs if len(t) > 300]
    phrases = []
    while len(phrases) < n:
        tokens = rng.choice(texts).split()
        i = rng.randrange(len(tokens) - 1)
        a, b = tokens[i].strip(".,").lower(), tokens[i + 1].strip(".,").lower()
        if a.isalpha() and b.isalpha() and terms(a) and terms(b):
            phrases.append(f'"{a} {b}"')
    return {
        "term": [rng.choice(words) for _ in range(n)],
        "AND": [f"{rng.choice(words)} AND {rng.choice(words)}" for _ in range(n)],
        "phrase": phrases,
        "field": [f"kind:{rng.choice(['letter', 'call', 'email'])} AND {rng.choice(words)}"
                  for _ in range(n)],
        "prefix": [rng.choice(words)[:5] + "*" for _ in range(n)],
    }


def fts5(docs, qs) -> tuple[float, dict[str, list[float]]]:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(path UNINDEXED, body,"
               " tokenize='unicode61 remove_diacritics 2')")
    rows = [(d["path"], f"{d.get('title', '')}\n{t}") for d, t in docs]
    build = timed(lambda: (db.executemany("INSERT INTO t VALUES (?, ?)", rows), db.commit()))
    lat: dict[str, list[float]] = {}
    for kind, items in qs.items():
        if kind == "field":
            continue
        for item in items:
            expr = item.replace(" AND ", " AND ")
            start = time.perf_counter()
            db.execute("SELECT path, snippet(t, 1, '[', ']', '…', 12) FROM t WHERE t MATCH ?"
                       " ORDER BY rank LIMIT 20", (expr,)).fetchall()
            lat.setdefault(kind, []).append(time.perf_counter() - start)
    return build, lat


def ripgrep(docs, qs, folder: Path) -> dict[str, list[float]]:
    folder.mkdir()
    for i, (d, t) in enumerate(docs):
        (folder / f"{i}.txt").write_text(f"{d.get('title', '')}\n{t}")
    lat: dict[str, list[float]] = {}
    for kind in ("term", "phrase", "prefix"):
        for item in qs[kind][:20]:
            pattern = item.strip('"').rstrip("*")
            start = time.perf_counter()
            subprocess.run(["rg", "-l", "-i", "-F", pattern, str(folder)], capture_output=True,
                           check=False)
            lat.setdefault(kind, []).append(time.perf_counter() - start)
    return lat


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="about 1k documents")
    ap.add_argument("--clients", type=int, help="archive size in clients")
    ap.add_argument("--dir", type=Path, help="work here instead of a temp folder")
    args = ap.parse_args()
    clients = args.clients or (24 if args.quick else 1200)
    n = 20 if args.quick else 50
    work = args.dir or Path(tempfile.mkdtemp(prefix="archive-bench-"))
    root = work / "archive"
    if root.exists():
        shutil.rmtree(root)
    out = sys.stdout.write
    t = timed(lambda: generate(root, clients))
    a = Archive(root)
    out(f"archive: {clients} clients generated in {t:.1f} s at {root}\n")

    report = a.update_index(rebuild=True)
    ndocs = a.catalog.count()
    src_mb = sum((root / p).stat().st_size for p in a.catalog.rows()) / 2**20
    docs = documents(a)
    text_mb = sum(len(t.encode()) for _, t in docs) / 2**20
    base = baseline_build(docs, work / "baseline")
    out(f"\nfull build: {ndocs} documents, {src_mb:.0f} MB of files, {text_mb:.0f} MB of text\n")
    out(f"  archive-tool index --rebuild  {report.seconds:7.1f} s  {ndocs / report.seconds:6.0f}"
        f" docs/s  {src_mb / report.seconds:5.1f} MB/s\n")
    out(f"  plain Whoosh writer           {base:7.1f} s  {ndocs / base:6.0f} docs/s"
        f"   (text already extracted)\n")
    out(f"  ratio (throughput)            {base / report.seconds:7.2f}x\n")

    a.update_index()  # the first pass after a build validates every client once
    nochange = timed(a.update_index)
    nochange_cli = run_cli(root, "index")
    target = sorted(root.glob("clients/*/correspondence/*.txt"))[len(docs) // 100]
    folder = target.parent.parent
    changes = []
    for i in range(5):
        target.write_text(target.read_text() + f"\nrevisión zanahoria{i}\n")
        changes.append(timed(lambda: a.sync([folder])))
    target.write_text(target.read_text() + "\notra línea más\n")
    onefile_cli = run_cli(root, "index")
    out(f"\nno-change index:  {nochange:6.2f} s in-process, {nochange_cli:6.2f} s CLI"
        " (scans every file)\n")
    out(f"one-file change:  {statistics.median(changes):6.2f} s median of 5 as the daemon"
        f" does it (its folder), {onefile_cli:6.2f} s CLI index\n")

    rng = random.Random(5)
    qs = queries(docs, rng, n)
    inproc: dict[str, list[float]] = {}
    cli: dict[str, list[float]] = {}
    for kind, items in qs.items():
        for item in items:
            inproc.setdefault(kind, []).append(timed(lambda item=item: a.search(item)))
        for item in items[:10]:
            cli.setdefault(kind, []).append(run_cli(root, "search", item))
    fts_build, fts = fts5(docs, qs)
    rg = ripgrep(docs, qs, work / "rg") if shutil.which("rg") else {}

    out(f"\nSQLite FTS5 build (no stemming): {fts_build:.1f} s"
        f" ({report.seconds / fts_build:.0f}x faster than archive-tool)\n")
    out("\nsearch latency p50 / p95 (ratios are archive-tool's p50 over the other's)\n")
    out(f"{'query':8} {'archive-tool':>22} {'CLI call':>22} {'FTS5':>22} {'ripgrep':>22}"
        f" {'CLI/rg':>7}\n")
    for kind in qs:
        row = f"{kind:8} {ms(inproc[kind]):>22} {ms(cli[kind]):>22}"
        row += f" {ms(fts[kind]):>22}" if kind in fts else f" {'-':>22}"
        if kind in rg:
            row += f" {ms(rg[kind]):>22} {pct(cli[kind], 50) / pct(rg[kind], 50):6.2f}x"
        out(row + "\n")
    if not rg:
        out("ripgrep not installed: apt-get install ripgrep\n")
    if not args.dir:
        shutil.rmtree(work)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    main()
