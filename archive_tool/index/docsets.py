"""Which documents a query matches, as sets of document numbers, computed from the
postings in bulk (set operations in C) instead of one posting at a time: the exact
count of every search and its groups cost a few milliseconds.

Per searcher (one commit of the index) it also keeps, read in bulk from the
index's columns, each document's group (an entry and its attachments are one) and
date, and the documents the caller may see.
"""

from __future__ import annotations

import sys
import threading
from array import array
from collections import OrderedDict
from collections.abc import Callable
from itertools import accumulate, repeat
from typing import Any

import numpy as np
from whoosh import query as q
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.matching import ListMatcher
from whoosh.reading import TermNotFound

from archive_tool.index.fields import NO_DATE

_lock = threading.Lock()  # for what is kept on a searcher


class _Kept:
    """What was read from the index's segments lately (a segment never changes once
    written), up to a budget of sizes in all, least recently used first out; a
    value over a quarter of the budget is not kept."""

    def __init__(self, budget: int, size: Callable[[Any], int]) -> None:
        self.budget = budget
        self.size = size
        self.held = 0
        self.found: OrderedDict[tuple, Any] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple, read: Callable[[], Any]) -> Any:
        with self.lock:
            found = self.found.get(key)
            if found is not None:
                self.found.move_to_end(key)
                return found
        found = read()
        size = self.size(found)
        if size <= self.budget // 4:
            with self.lock:
                if key not in self.found:
                    self.found[key] = found
                    self.held += size
                while self.held > self.budget:
                    _key, gone = self.found.popitem(last=False)
                    self.held -= self.size(gone)
        return found


COLUMNS = _Kept(budget=64, size=lambda values: 1)  # (segment, column): an array
# (segment, field, term): its postings as arrays of documents and weights, 12 bytes
# a posting: the words people search for again, and those a prefix or several
# fields share, are not decoded again
POSTINGS = _Kept(budget=1_500_000, size=lambda postings: len(postings[0]))


def _column(reader, fieldname: str, typecode: str, default: int, column=None) -> array:
    """A numeric column of one segment as an array, read in one go."""
    return COLUMNS.get((reader.segment().segment_id(), fieldname),
                       lambda: _read_column(reader, fieldname, typecode, default, column))


def _read_column(reader, fieldname: str, typecode: str, default: int, column) -> array:
    count = reader.doc_count_all()
    values = array(typecode)
    perdoc = reader._perdoc
    if perdoc.has_column(fieldname):
        cr = perdoc.column_reader(fieldname, column or reader.schema[fieldname].column_type)
        raw = cr._dbfile.get(cr._basepos, cr._count * cr._fixedlen)
        values.frombytes(raw)
        if sys.byteorder == "little" and values.itemsize > 1:
            values.byteswap()  # Whoosh writes them big-endian
    if len(values) < count:
        values.extend([default] * (count - len(values)))
    return values


def lengths(reader, fieldname: str) -> array:
    """Each document's length of a field in one segment, as Whoosh's length bytes."""
    return _column(reader, _lenfield(fieldname), "B", 0, LENGTHS_COLUMN)


def postings(reader, fieldname: str, btext: bytes) -> tuple[array, array]:
    """The document numbers and weights of one term in one segment (deleted ones
    included), as read lately or read now."""
    return POSTINGS.get((reader.segment().segment_id(), fieldname, btext),
                        lambda: _postings(reader, fieldname, btext))


def _postings(reader, fieldname: str, btext: bytes) -> tuple[array, array]:
    """postings(), read a block at a time."""
    ids, weights = array("i"), array("d")
    try:
        m = reader._terms.matcher(fieldname, btext, reader.schema[fieldname].format)
    except (TermNotFound, KeyError):
        return ids, weights
    if not isinstance(m, W3LeafMatcher):
        while m.is_active():
            ids.append(m.id())
            weights.append(m.weight())
            m.next()
        return ids, weights
    while True:  # Whoosh's own per-block decoding, without its Python generators
        m._read_data()
        block_ids, block_weights = m._data[0], m._data[1]
        # (iterators: an array extends from another array only of its own type)
        ids.extend(iter(block_ids) if m._byteids else accumulate(block_ids))
        if block_weights is None:
            weights.extend(repeat(1.0, m._blocklength))
        elif isinstance(block_weights, float):
            weights.extend(repeat(block_weights, m._blocklength))
        else:
            weights.extend(iter(block_weights))
        if m._lastblock:
            return ids, weights
        m._goto(m._nextoffset)


class DocList(q.Query):
    """Exactly the given top-level document numbers (to score or confirm only those)."""

    def __init__(self, docs: list[int]):
        self.docs = sorted(docs)

    def __eq__(self, other):
        return isinstance(other, DocList) and self.docs == other.docs

    def __hash__(self):
        return hash(tuple(self.docs))

    def __repr__(self):
        return f"DocList({len(self.docs)})"

    def is_leaf(self):
        return True

    def estimate_size(self, ixreader):
        return len(self.docs)

    def matcher(self, searcher, context=None):
        offset = _offset_of(searcher)
        count = searcher.doc_count_all()
        ids = [d - offset for d in self.docs if offset <= d < offset + count]
        return ListMatcher(ids, all_weights=0.0) if ids else q.NullQuery.matcher(searcher)


def _offset_of(searcher) -> int:
    parent = searcher.get_parent()
    if parent is searcher:
        return 0
    for sub, offset in parent.leaf_searchers():
        if sub is searcher:
            return offset
    raise AssertionError(searcher)  # every searcher here is a leaf of its parent


class Segments:
    """What one searcher knows of its documents, kept while the searcher lives."""

    def __init__(self, searcher) -> None:
        self.searcher = searcher
        self.leaves = [(sub.reader(), offset) for sub, offset in searcher.leaf_searchers()
                       if sub.doc_count_all()]  # an empty index has a reader of nothing
        self.count = searcher.doc_count_all()
        self.deleted: set[int] = set()
        for reader, offset in self.leaves:
            self.deleted.update(d + offset for d in reader.deleted_docs_set or ())
        self._alive: set[int] | None = None
        self._group: list[int] | None = None
        self._when: list[int] | None = None
        self._vectors: dict[str, np.ndarray] = {}
        self._dense_groups: np.ndarray | None = None  # each document's group as 0, 1, 2...
        self._members: dict[int, list[int]] | None = None
        self.scopes: OrderedDict = OrderedDict()  # visibility -> the documents it sees

    @classmethod
    def of(cls, searcher) -> Segments:
        """The searcher's, made once; kept on the searcher itself, so that it goes
        with it when a commit replaces it."""
        with _lock:
            found = getattr(searcher, "_archive_segments", None)
            if found is None:
                found = searcher._archive_segments = cls(searcher)
        return found

    @property
    def alive(self) -> set[int]:
        if self._alive is None:
            self._alive = set(range(self.count)) - self.deleted
        return self._alive

    def vector(self, fieldname: str) -> np.ndarray:
        """The `group` or `when` column of every segment, as one numpy vector (for
        work over thousands of documents at once)."""
        found = self._vectors.get(fieldname)
        if found is None:
            typecode, default = {"group": ("q", 0), "when": ("i", NO_DATE)}[fieldname]
            found = self._vectors[fieldname] = np.concatenate(
                [np.frombuffer(_column(reader, fieldname, typecode, default), dtype=typecode)
                 for reader, _offset in self.leaves] or [np.zeros(0, dtype=typecode)])
        return found

    def groups_of(self, docs: set[int]) -> int:
        """How many groups the documents make."""
        if self._dense_groups is None:
            self._dense_groups = np.unique(self.vector("group"),
                                           return_inverse=True)[1].astype(np.intp)
        numbers = self._dense_groups[np.fromiter(docs, dtype=np.intp, count=len(docs))]
        return int(np.count_nonzero(np.bincount(numbers))) if len(numbers) else 0

    @property
    def group(self) -> list[int]:
        """Each document's group, as a list (indexing a list hands out the ints it
        holds; an array makes a new one each time)."""
        if self._group is None:
            self._group = self.vector("group").tolist()
        return self._group

    @property
    def members(self) -> dict[int, list[int]]:
        """The documents of each group of more than one (an entry and its
        attachments); any other document is a group of its own."""
        if self._members is None:
            found: dict[int, list[int]] = {}
            for d, g in enumerate(self.group):
                found.setdefault(g, []).append(d)
            self._members = {g: ds for g, ds in found.items() if len(ds) > 1}
        return self._members

    @property
    def when(self) -> list[int]:
        """Each document's date (`NO_DATE` for none), as a list."""
        if self._when is None:
            self._when = self.vector("when").tolist()
        return self._when


class Evaluator:
    """Top-level document numbers matched by a query (deleted documents included
    only where a caller intersects with `alive`). Results of leaves are kept, so
    an atom evaluated inside the query costs nothing the second time."""

    def __init__(self, segments: Segments):
        self.segments = segments
        self.schema = segments.searcher.schema
        self.memo: dict[q.Query, set[int]] = {}
        self.read: dict[tuple[str, bytes], list[tuple[object, int, array, array]]] = {}

    def postings(self, fieldname: str, text) -> list[tuple[object, int, array, array]]:
        """(segment reader, offset, documents, weights) of a term in each segment."""
        btext = text if isinstance(text, bytes) else self.schema[fieldname].to_bytes(text)
        key = (fieldname, btext)
        found = self.read.get(key)
        if found is None:
            found = self.read[key] = [(reader, offset, *postings(reader, fieldname, btext))
                                      for reader, offset in self.segments.leaves]
        return found

    def ids(self, node: q.Query) -> set[int]:
        try:
            return self.memo[node]
        except (KeyError, TypeError):
            pass
        found = self._ids(node)
        try:
            self.memo[node] = found
        except TypeError:
            pass
        return found

    def _term(self, fieldname: str, text) -> set[int]:
        return self._union([(fieldname, text)])

    def _union(self, terms: list[tuple[str, object]]) -> set[int]:
        """The documents of any of the (field, text) terms, without a set for each."""
        out: set[int] = set()
        for fieldname, text in terms:
            if fieldname in self.schema:
                for _reader, offset, ids, _weights in self.postings(fieldname, text):
                    out.update(map(offset.__add__, ids) if offset else ids)
        return out

    def _ids(self, node: q.Query) -> set[int]:
        if node is q.NullQuery or isinstance(node, type(q.NullQuery)):
            return set()
        if isinstance(node, q.Term):
            return self._term(node.fieldname, node.text)
        if isinstance(node, q.Or | q.DisjunctionMax):
            if all(type(child) is q.Term for child in node.subqueries):  # a word, in fields
                return self._union([(c.fieldname, c.text) for c in node.subqueries])
            return set().union(*(self.ids(child) for child in node.subqueries))
        if isinstance(node, q.And):
            return self._and(node.subqueries)
        if isinstance(node, q.Require):
            return self._and([node.a, node.b])
        if isinstance(node, q.AndNot):
            return self.ids(node.a) - self.ids(node.b)
        if isinstance(node, q.AndMaybe):
            return self.ids(node.a)
        if isinstance(node, q.Not):
            return self.segments.alive - self.ids(node.query)
        if isinstance(node, q.Every):
            return set(self.segments.alive)
        if isinstance(node, q.ConstantScoreQuery | q.WrappingQuery):
            return self.ids(node.child)
        if isinstance(node, q.MultiTerm) and node.field():
            out = set()
            fieldname = node.field()
            btexts = {b for reader, _offset in self.segments.leaves for b in node._btexts(reader)}
            for btext in btexts:  # read through the cache: the expansions hold them too
                out |= self._term(fieldname, btext)
            return out
        return self._confirm(node, None)

    def _and(self, children: list[q.Query]) -> set[int]:
        sets = sorted((self.ids(c) for c in children), key=len)
        return set.intersection(*sets) if sets else set()

    def _confirm(self, node: q.Query, among: set[int] | None) -> set[int]:
        """Whoosh's own matching, only over `among` when given (a phrase's positions
        are read for those documents alone)."""
        if among is not None:
            if not among:
                return set()
            node = q.And([node, DocList(list(among))])
        out: set[int] = set()
        for sub, offset in self.segments.searcher.leaf_searchers():
            matcher = node.matcher(sub)
            out.update(d + offset for d in matcher.all_ids())
        return out
