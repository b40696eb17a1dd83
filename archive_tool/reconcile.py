"""Bring the catalog and the index in line with the files, touching only what changed.

Per client folder: files whose size, mtime_ns and inode match the catalog are
skipped without being read; the others are hashed. A document is rewritten
when its content hash or its fields (from the folder's YAML) changed. Text is
extracted once per content hash, in worker processes, and cached. The index
commits first and the catalog follows, so a crash in between only repeats
work at the next run. Nothing under the root is read through a symbolic link.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import BinaryIO

from archive_tool import documents
from archive_tool.catalog import Catalog, FileRow
from archive_tool.children import die_with_parent
from archive_tool.config import CLIENTS_DIR, Settings
from archive_tool.documents import fields_hash, plan
from archive_tool.errors import NotFound
from archive_tool.extract import Extracted, can_extract, extract_in
from archive_tool.files import file_in, stat_in, walk_in
from archive_tool.i18n import _
from archive_tool.index.analysis import analyze
from archive_tool.index.store import SearchIndex
from archive_tool.printable import escaped, is_nameable
from archive_tool.records import client_folders, is_ignored, load_client
from archive_tool.scans import ScanQueue

Progress = Callable[[str, int, int], None]  # (stage, done, total)
POOL_THRESHOLD = 8  # fewer files are extracted in this process
PARALLEL_WRITES = 2000  # batches this large are written by two processes
CHUNK = 1024  # files extracted between two turns of writing


class Interrupted(Exception):
    """The run was asked to stop; nothing of it was committed."""


@dataclass
class Report:
    added: int = 0
    changed: int = 0
    renamed: int = 0
    deleted: int = 0
    unchanged: int = 0
    extracted: int = 0
    problems: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    held: list[str] = field(default_factory=list)
    folders: set[str] = field(default_factory=set)  # client folders that changed
    written: list[tuple[str, str]] = field(default_factory=list)  # (path, sha256) changed
    scans: int = 0  # contents newly queued for OCR
    seconds: float = 0.0
    restarted: bool = False  # from no catalogued files (a rebuild, or a lost index)

    @property
    def wrote(self) -> bool:
        return bool(self.added or self.changed or self.renamed or self.deleted)

    def summary(self) -> str:
        return _("{added} added, {changed} changed, {renamed} renamed, {deleted} deleted,"
                 " {unchanged} unchanged ({extracted} extracted) in {seconds:.2f} s").format(
            added=self.added, changed=self.changed, renamed=self.renamed,
            deleted=self.deleted, unchanged=self.unchanged, extracted=self.extracted,
            seconds=self.seconds)


def _sha256(f: BinaryIO) -> str:
    h = hashlib.sha256()
    while chunk := f.read(1 << 20):
        h.update(chunk)
    return h.hexdigest()


def sha256_of(path: Path) -> str:
    """The hash of a file given by path (one outside the archive: see sha256_in)."""
    with path.open("rb") as f:
        return _sha256(f)


def sha256_in(root: Path, relpath: str) -> str:
    """The hash of the regular file at relpath under root, never through a link."""
    with file_in(root, relpath) as f:
        return _sha256(f)


def scan(root: Path, folder: Path, ignore: tuple[str, ...]) -> dict[str, os.stat_result]:
    """Regular files of a client folder by path relative to root (one lstat each);
    symlinks (never followed), hidden folders, editors' temp files and files the
    archive cannot name (see unnameable) are skipped."""
    return {rel: st for rel, st in walk_in(root, folder.relative_to(root).as_posix(),
                                           lambda name: name.startswith("."))
            if stat.S_ISREG(st.st_mode) and not is_ignored(rel.rsplit("/", 1)[-1], ignore)
            and is_nameable(rel)}


def unnameable(root: Path, folder: Path) -> list[str]:
    """Files of a client folder whose names are not valid UTF-8 or hold control
    characters: they cannot be catalogued or indexed until someone renames them."""
    return sorted(rel for rel, _ in walk_in(root, folder.relative_to(root).as_posix(),
                                            lambda name: name.startswith("."))
                  if not is_nameable(rel))


def _folder_of(path: str) -> str:
    return "/".join(path.split("/", 2)[:2])


def _analysis_job(job: tuple[str, str]) -> tuple[Extracted, list[str], set[str]]:
    root, relpath = job
    extracted = extract_in(Path(root), relpath)
    return (extracted, *analyze(extracted.text))


def _relative(root: Path, folder: Path | str) -> str | None:
    """A client folder's path relative to root, without resolving links in it."""
    given = Path(folder).absolute()
    for candidate in (given, given.parent.resolve() / given.name):
        try:
            return candidate.relative_to(root).as_posix()
        except ValueError:
            continue
    return None


class Reconciler:
    def __init__(self, root: Path, settings: Settings, catalog: Catalog, index: SearchIndex,
                 workers: int | None = None):
        self.root = root
        self.settings = settings
        self.catalog = catalog
        self.index = index
        self.workers = workers or os.cpu_count() or 1

    def run(self, folders: Iterable[Path] | None = None, *, rebuild: bool = False,
            progress: Progress | None = None,
            stop: Callable[[], bool] | None = None,
            hold: Callable[[str, os.stat_result], bool] | None = None) -> Report:
        """Reconcile the given client folders (all when None). stop is asked now and
        then; when it answers True the run ends with Interrupted, writing nothing.
        Files for which hold answers True (still being written) are left as the
        catalog has them, and listed in the report's held. A rebuild writes a new
        index beside the one in use, which searches keep using until it is done."""
        start = time.monotonic()
        self._check_root()
        if rebuild:
            with self.index.rebuilding() as aside:
                report, rows, deletes = Reconciler(
                    self.root, self.settings, self.catalog, aside, self.workers)._pass(
                        None, True, progress, stop, hold)
        else:
            report, rows, deletes = self._pass(folders, False, progress, stop, hold)
        self.catalog.apply(rows, deletes, everything=rebuild or report.restarted)
        self.catalog.set_meta("settings", self._fingerprint())
        report.seconds = time.monotonic() - start
        return report

    def _fingerprint(self) -> str:
        return json.dumps([documents.VERSION, self.settings.policy.annual_report_patterns,
                           self.settings.policy.financial_statement_patterns,
                           self.settings.ignore])

    def _pass(self, folders: Iterable[Path] | None, rebuild: bool,
              progress: Progress | None, stop: Callable[[], bool] | None,
              hold: Callable[[str, os.stat_result], bool] | None,
              ) -> tuple[Report, list[FileRow], list[str]]:
        """Index what changed; returns the report and the catalog rows to write and
        delete. A rebuild, or an index found empty, starts from no rows."""
        report = Report()
        ix = self.index.open()
        report.warnings += self.index.warnings
        self.index.warnings.clear()
        report.restarted = rebuild or (ix.doc_count() == 0 and self.catalog.count() > 0)
        force = self.catalog.get_meta("settings") != self._fingerprint()
        on_disk = {f"{CLIENTS_DIR}/{folder.name}": (cid, folder)
                   for cid, folder in client_folders(self.root)}
        if report.restarted:
            rows: dict[str, FileRow] = {}
        elif folders is None or force:
            rows = self.catalog.rows()
        else:
            wanted = {rel for f in folders if (rel := _relative(self.root, f)) is not None}
            rows = self.catalog.rows(under=wanted)
        by_folder: dict[str, dict[str, FileRow]] = defaultdict(dict)
        for r in rows.values():
            by_folder[_folder_of(r.path)][r.path] = r
        if folders is None or force or report.restarted:
            wanted = set(on_disk) | set(by_folder)

        writes: list[tuple[dict, FileRow]] = []
        stat_only: list[FileRow] = []
        deletes: list[str] = []
        for rel in sorted(wanted):
            known = by_folder.get(rel, {})
            if rel not in on_disk:
                deletes += known
                continue
            cid, folder = on_disk[rel]
            disk = scan(self.root, folder, self.settings.ignore)
            report.problems += [(escaped(bad), _("the file's name is not valid UTF-8 or holds"
                                                 " control characters; rename it"))
                                for bad in unnameable(self.root, folder)]
            if not force and disk.keys() == known.keys() and all(
                    known[p].same_stat(st.st_size, st.st_mtime_ns, st.st_ino)
                    for p, st in disk.items()):
                report.unchanged += len(disk)
                continue
            client = load_client(self.root, cid, folder, check=False)
            docs = plan(client, sorted(disk), self.settings.policy)
            for path, st in disk.items():
                row = known.get(path)
                if hold and hold(path, st):
                    report.held.append(path)
                    continue
                try:
                    sha = row.sha256 if row and row.same_stat(
                        st.st_size, st.st_mtime_ns, st.st_ino) else sha256_in(self.root, path)
                except OSError:
                    continue  # vanished or unreadable now: the next run sees it
                doc = dict(docs[path], path=path)
                new = FileRow(path, cid, st.st_size, st.st_mtime_ns, st.st_ino, sha,
                              fields_hash(doc), row.problem if row else None)
                if row and row.sha256 == sha and row.fields_hash == new.fields_hash:
                    report.unchanged += 1
                    if not row.same_stat(st.st_size, st.st_mtime_ns, st.st_ino):
                        stat_only.append(new)
                    continue
                writes.append((doc, new))
            deletes += [p for p in known if p not in disk]

        deleted_shas: dict[str, int] = defaultdict(int)
        for p in deletes:
            deleted_shas[rows[p].sha256] += 1
        for _doc, new in writes:
            if new.path in rows:
                report.changed += 1
            elif deleted_shas.get(new.sha256):
                deleted_shas[new.sha256] -= 1
                report.renamed += 1
            else:
                report.added += 1
        report.deleted = len(deletes) - report.renamed
        report.folders = {p.split("/")[1] for p in [*deletes, *report.held]} | {
            new.path.split("/")[1] for _, new in writes}
        report.written = [(new.path, new.sha256) for _, new in writes
                          if new.path not in rows or rows[new.path].sha256 != new.sha256]

        problems = self._write(writes, deletes, progress, report, stop or (lambda: False),
                               cache=not rebuild)
        final = [FileRow(**{**new.__dict__, "problem": problems.get(new.sha256)})
                 for _, new in writes]
        report.problems = [(r.path, r.problem) for r in final if r.problem]
        return report, final + stat_only, deletes

    def _write(self, writes: list[tuple[dict, FileRow]], deletes: list[str],
               progress: Progress | None, report: Report,
               stop: Callable[[], bool], cache: bool = True) -> dict[str, str]:
        """Index the documents in one batch; returns the extraction problem per hash.
        Text not in the cache (all of it, without cache) is extracted and analysed in
        worker processes while this one writes."""
        if not writes and not deletes:
            return {}
        jobs: dict[str, str] = {}
        waiting: dict[str, list[dict]] = defaultdict(list)
        known: list[tuple[dict, str]] = []
        extractable = {new.sha256 for doc, new in writes
                       if doc.get("text") is None and can_extract(Path(new.path))}
        cached = self.catalog.known_texts(extractable) if cache else set()
        problems: dict[str, str] = {}
        for doc, new in writes:
            if new.sha256 in extractable and new.sha256 not in cached:
                jobs[new.sha256] = new.path
                waiting[new.sha256].append(doc)
            elif new.sha256 in cached:
                text, problem = self.catalog.text(new.sha256)
                known.append((doc, text))
                if problem:
                    problems[new.sha256] = problem
            else:
                known.append((doc, doc.get("text") or ""))
        fresh = self.index.open().doc_count() == 0
        done = 0
        procs = min(2, self.workers) if len(writes) >= PARALLEL_WRITES else 1
        with self.index.batch(procs=procs) as batch:
            write = batch.add if fresh else batch.update
            for path in deletes:
                batch.delete(path)
            for i, (doc, text) in enumerate(known):
                if i % 100 == 0 and stop():
                    raise Interrupted
                stems, words = analyze(text)
                write(doc, text, stems)
                batch.add_words(words)
            new_texts: dict[str, tuple[str, str | None]] = {}
            scans = ScanQueue(self.catalog.db)
            for sha, extracted, stems, words in self._extract(jobs, progress):
                if done % 100 == 0 and stop():
                    raise Interrupted
                if extracted.scanned:  # indexed by its metadata now, by its text once read
                    read = scans.text(sha)
                    if read is None:
                        report.scans += scans.want([(sha, jobs[sha])])
                    else:
                        extracted = Extracted(read, extracted.problem)
                        stems, words = analyze(read)
                for doc in waiting[sha]:
                    write(doc, extracted.text, stems)
                batch.add_words(words)
                new_texts[sha] = (extracted.text, extracted.problem)
                if extracted.problem:
                    problems[sha] = extracted.problem
                done += 1
                if len(new_texts) >= 200:
                    self.catalog.put_texts(new_texts)
                    new_texts = {}
            if new_texts:
                self.catalog.put_texts(new_texts)
        report.extracted = done
        return problems

    def _check_root(self) -> None:
        clients = self.root / CLIENTS_DIR
        try:
            is_folder = stat.S_ISDIR(stat_in(self.root, CLIENTS_DIR).st_mode)
        except OSError:
            is_folder = False
        if not is_folder:
            raise NotFound(_("{folder} is missing (is the share mounted?); nothing was"
                             " removed from the index").format(folder=clients))
        if not any(client_folders(self.root)) and self.catalog.count():
            raise NotFound(_("{folder} is empty (is the share mounted?); nothing was removed"
                             " from the index").format(folder=clients))

    def _extract(self, jobs: dict[str, str], progress: Progress | None):
        """(hash, Extracted, terms, words) for each job, in order. Work goes to the
        worker processes a chunk at a time, so extracting and writing take turns at
        the cores and memory stays bounded; a worker that crashes costs only its file."""
        items = [(sha, (str(self.root), path)) for sha, path in jobs.items()]
        if len(items) < POOL_THRESHOLD or self.workers == 1:
            for i, (sha, path) in enumerate(items, 1):
                yield (sha, *_analysis_job(path))
                if progress:
                    progress("extract", i, len(items))
            return
        pool = _pool(self.workers)
        try:
            for start in range(0, len(items), CHUNK):
                chunk = items[start:start + CHUNK]
                try:
                    results = list(pool.map(_analysis_job, [p for _, p in chunk], chunksize=8))
                except BrokenProcessPool:
                    results, pool = _one_by_one(chunk, pool, self.workers)
                for (sha, _), result in zip(chunk, results, strict=True):
                    yield (sha, *result)
                if progress:
                    progress("extract", start + len(chunk), len(items))
        finally:
            pool.shutdown(cancel_futures=True)


def _pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(workers, mp_context=get_context("forkserver"),
                               initializer=die_with_parent)


def _one_by_one(chunk: list[tuple[str, tuple[str, str]]], pool: ProcessPoolExecutor,
                workers: int):
    """After a worker crashed: each file of the chunk on its own, a new pool after
    each crash, so the file that crashes is the only one without text."""
    results = []
    pool.shutdown(cancel_futures=True)
    pool = _pool(workers)
    for _name, path in chunk:
        try:
            results.append(pool.submit(_analysis_job, path).result())
        except BrokenProcessPool:
            results.append((Extracted("", "reading this file crashed the text extractor;"
                                          " check that the file is complete"), [], set()))
            pool.shutdown(cancel_futures=True)
            pool = _pool(workers)
    return results, pool
