"""The Whoosh index on disk: open, create, rebuild on a schema change, write in batches."""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import gc
import mmap
import shutil
import signal
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh import multiproc, writing
from whoosh.codec import whoosh3
from whoosh.filedb import compound, structfile
from whoosh.index import LockError

from archive_tool.errors import Conflict
from archive_tool.i18n import _
from archive_tool.index.fields import SCHEMA_VERSION, make_schema, to_document
from archive_tool.index.vocabulary import Vocabulary

PR_SET_PDEATHSIG = 1
VERSION_FILE = "SCHEMA_VERSION"
WORDS_FILE = "words.db"
COMPLETE_FILE = "COMPLETE"  # in a rebuilt index: it may take the place of the old one
MAPPED_BYTES_KEPT = 48 << 20  # of the index's files, mapped into a long-running searcher


def _cached_reader(self, fieldname, column):
    """Whoosh 2.7's W3PerDocReader._cached_reader, caching absent columns too: the
    original asks the file system again for every posting of a field without
    lengths (ID, KEYWORD), a quarter of a commit's time."""
    try:
        return self._readers[fieldname]
    except KeyError:
        reader = self.column_reader(fieldname, column) if self.has_column(fieldname) else None
        self._readers[fieldname] = reader
        return reader


whoosh3.W3PerDocReader._cached_reader = _cached_reader


class _Window:
    """A read-only file over a memory view, without a copy of it."""

    def __init__(self, buf: memoryview):
        self._buf = buf
        self._pos = 0

    def read(self, n: int | None = -1) -> bytes:
        end = len(self._buf) if n is None or n < 0 else min(len(self._buf), self._pos + n)
        data = self._buf[self._pos:end].tobytes()
        self._pos = end
        return data

    def peek(self, n: int = 1) -> memoryview:
        """What follows, unread and uncopied: the unpickler reads a block's header
        from it in one go instead of a few bytes at a time."""
        return self._buf[self._pos:self._pos + max(n, 1)]

    def readline(self, limit: int = -1) -> bytes:
        stop = len(self._buf) if limit < 0 else min(len(self._buf), self._pos + limit)
        at = self._pos
        while at < stop:  # a page at a time, not a copy of the rest of the part
            found = self._buf[at:min(stop, at + 4096)].tobytes().find(b"\n")
            if found >= 0:
                return self.read(at + found + 1 - self._pos)
            at += 4096
        return self.read(stop - self._pos)

    def seek(self, pos: int, whence: int = 0) -> int:
        base = (0, self._pos, len(self._buf))[whence]
        self._pos = max(0, base + pos)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        pass


class _Part(structfile.BufferFile):
    """A part of a compound segment read in place from the segment's memory map
    (Whoosh's BufferFile holds a copy of each part it opens: the whole index, in
    the memory of a long-running reader)."""

    def __init__(self, buf: memoryview, name: str):
        super().__init__(b"", name=name)
        self._buf = buf
        self.file = _Window(buf)


def _open_part(self, name, *args, **kwargs):
    if self._source is None or self.is_closed:
        return _open_compound_part(self, name, *args, **kwargs)
    offset, length = self.range(name)
    return _Part(memoryview(self._source)[offset:offset + length], name)


_open_compound_part = compound.CompoundStorage.open_file
compound.CompoundStorage.open_file = _open_part


def _die_with_parent() -> None:
    """Ask Linux to kill this process when its parent dies."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


class _SubWriter(multiproc.SubWriterTask):
    """A sub-writer that dies with its parent: a killed rebuild leaves no orphan
    holding the index lock (the lock's file descriptor is inherited)."""

    def run(self):
        _die_with_parent()
        super().run()


class _ParallelWriter(multiproc.MpWriter):
    """Whoosh's MpWriter with sub-writers that die with the parent and that are told
    to stop on cancel (the stock cancel leaves them waiting forever)."""

    def _new_task(self):
        task = _SubWriter(self.storage, self.indexname, self.jobqueue, self.resultqueue,
                          self.subargs, self.multisegment)
        self.tasks.append(task)
        task.start()
        return task

    def cancel(self):
        try:
            for task in self.tasks:
                task.terminate()
                task.join(5)
        finally:
            writing.SegmentWriter.cancel(self)


class SearchIndex:
    def __init__(self, folder: Path):
        self.folder = folder
        self.warnings: list[str] = []
        self._ix = None
        self._searcher = None
        self._generation = -1
        self.vocabulary = Vocabulary(folder / WORDS_FILE)
        self.searching = threading.Lock()  # held while searching and while swapping
        self._aside = folder.with_name(folder.name + ".new")
        self._previous = folder.with_name(folder.name + ".old")

    def exists(self) -> bool:
        return (self.folder / VERSION_FILE).is_file() and any(self.folder.glob("_MAIN_*.toc"))

    def current(self) -> bool:
        """The index exists and has the schema of this version of the tool."""
        self._finish_swap()
        try:
            return self.exists() and (self.folder / VERSION_FILE).read_text().strip() \
                == SCHEMA_VERSION
        except OSError:
            return False

    def open(self):
        """The index, created when missing; a corrupt or old one is recreated (empty)
        with a warning, and the caller reindexes."""
        if self._ix is not None:
            return self._ix
        if self.current():
            self._ix, damage = _try_open(self.folder)
            if self._ix is not None:
                return self._ix
            self.warnings.append(_("{folder}: the index is damaged ({damage}); rebuilding")
                                 .format(folder=self.folder, damage=damage))
        elif self.exists():
            self.warnings.append(_("the index was made by another version; rebuilding"))
        self._ix = self.create()
        return self._ix

    def close(self) -> None:
        self.vocabulary.close()
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None
        self._ix = None

    def create(self):
        self.close()
        if self.folder.exists():
            shutil.rmtree(self.folder)
        self.folder.mkdir(parents=True)
        ix = whoosh_index.create_in(self.folder, make_schema())
        (self.folder / VERSION_FILE).write_text(SCHEMA_VERSION + "\n")
        self._ix = ix
        return ix

    @contextmanager
    def rebuilding(self) -> Iterator[SearchIndex]:
        """A new index, built beside this one, that takes its place only when the block
        ends without an exception: until then searches use this one, and an
        interrupted rebuild leaves it as it was."""
        aside = SearchIndex(self._aside)
        aside.create()
        try:
            yield aside
        except BaseException:
            aside.close()
            shutil.rmtree(self._aside, ignore_errors=True)
            raise
        aside.close()
        (self._aside / COMPLETE_FILE).touch()
        with self.searching:
            self.close()
            shutil.rmtree(self._previous, ignore_errors=True)
            if self.folder.exists():
                self.folder.rename(self._previous)
            self._finish_swap()

    def _finish_swap(self) -> None:
        """Complete a swap that a crash interrupted: a complete new index takes the
        place of a missing one, else the previous one comes back. (What an
        interrupted build left beside is removed by the next rebuild.)"""
        try:
            if not self.folder.exists():
                if (self._aside / COMPLETE_FILE).is_file():
                    self._aside.rename(self.folder)
                    (self.folder / COMPLETE_FILE).unlink(missing_ok=True)
                elif self._previous.is_dir():
                    self._previous.rename(self.folder)
        except FileNotFoundError:  # another process completed it
            pass
        if self._previous.exists() and self.folder.exists():
            shutil.rmtree(self._previous, ignore_errors=True)

    def doc_count(self) -> int:
        return self.open().doc_count()

    @contextmanager
    def batch(self, procs: int = 1, limitmb: int = 128) -> Iterator[Batch]:
        """One writer; commits only when the block ends without an exception."""
        try:
            ix = self.open()
            if procs > 1:
                writer = _ParallelWriter(ix, procs=procs, batchsize=256, multisegment=True,
                                         limitmb=limitmb)
            else:
                writer = ix.writer(limitmb=limitmb)
        except LockError as e:
            raise Conflict(_("the index is being written by another process (the"
                             " daemon?); try again when it is done")) from e
        batch = Batch(writer, self.vocabulary)
        try:
            yield batch
        except BaseException:
            writer.cancel()
            raise
        self.vocabulary.add(batch.words)
        writer.commit(optimize=False)

    def release_pages(self, keep: int = MAPPED_BYTES_KEPT) -> bool:
        """When more than `keep` bytes of the index's files are mapped into this
        process, unmap its pages (MADV_DONTNEED): they stay in the kernel's page
        cache, shared and reclaimable, and a search that needs one again maps it
        back from there. True if it did. For a long-running searcher (the service)."""
        searcher = self._searcher
        if searcher is None or _mapped_bytes() <= keep:
            return False
        for sub, _offset in searcher.leaf_searchers():
            storage = getattr(sub.reader(), "_storage", None)
            source = getattr(getattr(storage, "a", storage), "_source", None)
            if isinstance(source, mmap.mmap):
                with contextlib.suppress(ValueError, OSError):  # closed by a new commit
                    source.madvise(mmap.MADV_DONTNEED)
        return True

    def searcher(self):
        """A searcher on the latest commit; one kept open is reused until the index
        changes (opening every segment costs more than most searches)."""
        ix = self.open()
        generation = ix.latest_generation()
        if self._searcher is None or self._generation != generation:
            if self._searcher is not None:
                self._searcher.close()
            try:
                self._searcher = ix.searcher()
            except FileNotFoundError:  # a commit was merging segments: look again
                generation = ix.latest_generation()
                self._searcher = ix.searcher()
            self._generation = generation
        return _Borrowed(self._searcher)


def _mapped_bytes() -> int:
    """Resident pages of files mapped by this process (statm's shared pages: the
    index's and the program's own libraries')."""
    try:
        return int(Path("/proc/self/statm").read_bytes().split()[2]) * mmap.PAGESIZE
    except (OSError, ValueError, IndexError):
        return 0


class _Borrowed:
    """The kept searcher, usable in a with block that leaves it open."""

    def __init__(self, searcher):
        self.searcher = searcher

    def __enter__(self):
        return self.searcher

    def __exit__(self, *exc):
        return False


def _try_open(folder: Path):
    """(index, None), or (None, what is wrong). Whoosh leaves the file it failed to
    read open; it is closed here, quietly."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            return whoosh_index.open_dir(folder), None
        except Exception as e:  # any unreadable part means: rebuild
            damage = str(e) or type(e).__name__
        gc.collect()
    return None, damage


class Batch:
    def __init__(self, writer, vocabulary: Vocabulary):
        self.writer = writer
        self.vocabulary = vocabulary
        self.words: set[str] = set()

    def delete(self, path: str) -> None:
        self.writer.delete_by_term("path", path)

    def update(self, doc: dict, body: str, terms: list[str]) -> None:
        self.writer.update_document(**to_document(doc, body, terms))

    def add(self, doc: dict, body: str, terms: list[str]) -> None:
        self.writer.add_document(**to_document(doc, body, terms))

    def add_words(self, words) -> None:
        self.words.update(words)
