"""Searching the index: one hit per document, what the caller may see, ordered.

A document is a client's record, a correspondence entry with its attachments (one
hit, listing the files where each word matched), a report or any other file. The
records of the clients a query names come first; then by relevance, ties newest
first; or by date. Totals are exact and count only what the caller may see.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from whoosh import query as q

from archive_tool import words
from archive_tool.errors import UsageError
from archive_tool.i18n import _
from archive_tool.index import ranking
from archive_tool.index.analysis import fold, terms
from archive_tool.index.docsets import Evaluator, Segments
from archive_tool.index.fields import NO_DATE
from archive_tool.index.parsing import Parsed, parse
from archive_tool.index.snippets import MARK_CLOSE, MARK_OPEN, snippet
from archive_tool.index.store import SearchIndex

__all__ = ["MARK_CLOSE", "MARK_OPEN", "SORTS", "Hit", "Match", "Results", "Visibility",
           "search"]

SORTS = ("relevance", "date", "-date")
WORD = re.compile(r"(?<![:\w])\w{3,}(?![:\w*?])")  # plain words, not field:value or prefix*


@dataclass(frozen=True)
class Visibility:
    """What the caller may see: None clients means all; confidential documents only
    with all_confidential or when staff_id is among their staff."""

    clients: frozenset[str] | None = None
    staff_id: str | None = None
    all_confidential: bool = False

    @property
    def everything(self) -> bool:
        return self.clients is None and self.all_confidential

    def as_filter(self) -> q.Query | None:
        parts: list[q.Query] = []
        if self.clients is not None:
            if not self.clients:
                return q.NullQuery
            parts.append(q.Or([q.Term("client_id", c) for c in sorted(self.clients)]))
        if not self.all_confidential:
            allowed = [q.Term("confidential", False)]
            if self.staff_id:
                allowed.append(q.Term("staff", self.staff_id))
            parts.append(q.Or(allowed))
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else q.And(parts)


@dataclass
class Match:
    """A file of a hit and the words of the query found in it."""

    path: str
    terms: list[str]


@dataclass
class Hit:
    client_id: str
    client_name: str
    path: str           # the file that matched best
    kind: str
    date: str | None
    title: str
    score: float        # an information admin's BM25F score; for others 1/rank
    snippet: str
    rank: int = 0
    document: str = ""  # the entry for an entry and its attachments, else the file
    files: list[Match] = field(default_factory=list)
    named: bool = False  # the record of a client the query names


@dataclass
class Results:
    query: str
    total: int          # documents (not files) the caller may see
    hits: list[Hit] = field(default_factory=list)
    suggestion: str | None = None
    page: int = 1
    limit: int = 20
    sort: str = "relevance"

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.limit))

    @property
    def first(self) -> int:
        return (self.page - 1) * self.limit + 1


def _date_bounds(segments: Segments) -> tuple[date, date]:
    cached = getattr(segments, "date_bounds", None)
    if cached is None:
        years = [int(y) for y in segments.searcher.lexicon("year")
                 if (y.decode() if isinstance(y, bytes) else str(y)).isdigit()]
        cached = (date(min(years), 1, 1), date(max(years), 12, 31)) if years else (
            date.max, date.min)
        segments.date_bounds = cached  # type: ignore[attr-defined]
    return cached


def _scope(segments: Segments, ev: Evaluator, visibility: Visibility) -> set[int]:
    """The documents the caller may see (kept per searcher)."""
    found = segments.scopes.get(visibility)
    if found is not None:
        return found
    allowed = segments.alive
    if visibility.clients is not None:
        allowed = set()
        for c in visibility.clients:
            allowed |= ev.ids(q.Term("client_id", c))
        allowed -= segments.deleted
    if not visibility.all_confidential:
        hidden = ev.ids(q.Term("confidential", True))
        if visibility.staff_id:
            hidden = hidden - ev.ids(q.Term("staff", visibility.staff_id))
        allowed = allowed - hidden
    segments.scopes[visibility] = allowed
    while len(segments.scopes) > 32:
        segments.scopes.popitem(last=False)
    return allowed


def search(index: SearchIndex, text: str, *, visibility: Visibility, client: str | None = None,
           kind: str | None = None, year: int | None = None, limit: int = 20,
           page: int = 1, sort: str = "relevance") -> Results:
    if sort not in SORTS:
        raise UsageError(_("sort by one of: {sorts}").format(sorts=", ".join(SORTS)))
    page = max(1, page)
    with index.searcher() as s:
        segments = Segments.of(s)
        ev = Evaluator(segments)
        parsed = parse(text, s.schema, index.vocabulary, _date_bounds(segments))
        scope = _scope(segments, ev, visibility)
        for f in (q.Term("client_id", client) if client else None,
                  q.Term("kind", words.find("document_kind", kind) or kind) if kind else None,
                  q.Term("year", str(year)) if year else None):
            if f is not None:
                scope = scope & ev.ids(f)
        found = ev.ids(parsed.query)
        if scope is segments.alive:  # everything the index holds: only deletions to drop
            matched = found - segments.deleted if segments.deleted else found
        else:
            matched = found & scope
        out = Results(text, segments.groups_of(matched), page=page, limit=limit, sort=sort)
        if not matched:
            out.suggestion = _suggest(s, segments, ev, index, text, scope)
            return out
        wanted = page * limit
        if sort == "relevance":
            order, scores = _by_relevance(s, segments, ev, parsed, matched, wanted,
                                          visibility.everything)
        else:
            order = _by_date(segments, matched, wanted, newest=sort == "-date")
            scores = ranking.NOTHING
        shown = order[(page - 1) * limit:wanted]  # (group, one of its documents)
        out.hits = _hits(s, segments, ev, parsed, matched, shown, scores, out.first,
                         visibility.everything)
    return out


def _by_relevance(s, segments: Segments, ev: Evaluator, parsed: Parsed, matched: set[int],
                  wanted: int, admin: bool) -> tuple[list[tuple[int, int]], ranking.Scores]:
    """Groups in order: the records of the clients the query names, then by best score,
    ties newest first; documents no word scores (field queries) after, newest first.
    Returns (group, its best document) in order and every matched document's score."""
    group, when = segments.group, segments.when
    named: dict[int, int] = {}
    if parsed.names is not None:
        records = ev.ids(q.Term("doc", "record"))
        for d in ev.ids(parsed.names) & records & matched:
            named[group[d]] = d
    scored = (ranking.scores(ev, parsed.scoring, matched, admin) if parsed.scoring
              else ranking.NOTHING)
    best: dict[int, float] = {}  # group -> its best document's score
    lead: dict[int, int] = {}    # group -> that document
    for candidates in scored.best_first(4 * (wanted + len(named)) + 16):
        best.clear()
        lead.clear()
        cut = None
        for d, score in candidates:
            if cut is not None and score < cut:
                break  # enough groups, and every one tied with the last has its chance
            g = group[d]
            if g not in best:
                best[g] = score
                lead[g] = d
                if g not in named and len(best) - len(named.keys() & best.keys()) >= wanted:
                    cut = score
        if cut is not None:
            break

    def key(g: int) -> tuple[float, int, int]:  # best first, ties newest first
        d = lead.get(g, named.get(g, 0))
        return (-best.get(g, 0.0), -when[d], d)

    first = sorted(named, key=key)
    ranked = sorted((g for g in best if g not in named), key=key)
    order = [(g, lead.get(g, named.get(g, 0))) for g in (first + ranked)[:wanted]]
    if len(order) < wanted:
        seen = {g for g, _d in order}
        order += _by_date(segments, matched, wanted - len(order), newest=True, skip=seen)
    return order, scored


def _by_date(segments: Segments, matched: set[int], wanted: int, newest: bool,
             skip: set[int] | None = None) -> list[tuple[int, int]]:
    """(group, a document of it) by date, newest or oldest first, undated last, ties
    by document number: each group where its first document in that order stands
    (a document's newest file when newest first, its oldest when oldest first)."""
    if not matched or wanted <= 0:
        return []
    docs = np.sort(np.fromiter(matched, dtype=np.intp, count=len(matched)))
    when = segments.vector("when")[docs].astype(np.int64)
    key = -when if newest else np.where(when == NO_DATE, np.iinfo(np.int64).max, when)
    group = segments.group
    k = 4 * wanted + 16
    while True:
        if k < len(docs):  # the first documents in order: all those up to the k-th key
            picked = np.flatnonzero(key <= np.partition(key, k)[k])
            order = picked[np.argsort(key[picked], kind="stable")]
        else:
            order = np.argsort(key, kind="stable")
        out: list[tuple[int, int]] = []
        seen = set(skip or ())
        for d in docs[order].tolist():
            g = group[d]
            if g not in seen:
                seen.add(g)
                out.append((g, d))
                if len(out) == wanted:
                    return out
        if k >= len(docs):
            return out
        k *= 4


def _hits(s, segments: Segments, ev: Evaluator, parsed: Parsed, matched: set[int],
          shown: list[tuple[int, int]], scores: ranking.Scores, first: int,
          admin: bool) -> list[Hit]:
    multi = segments.members
    members = {g: [d for d in multi[g] if d in matched] if g in multi else [lead]
               for g, lead in shown}
    if not scores and parsed.scoring:  # sorted by date: the shown documents' scores
        scores = ranking.scores(ev, parsed.scoring,
                                {d for ds in members.values() for d in ds}, admin)
    atoms = [(a.label, ev.ids(a.query)) for a in parsed.atoms]
    stems = [t for a in parsed.atoms for t in a.content]
    prefixes = [p for a in parsed.atoms for p in a.prefixes]
    names = ev.ids(parsed.names) if parsed.names is not None else set()
    hits = []
    for rank, (g, _lead) in enumerate(shown, first):
        docs = sorted(members[g], key=lambda d: (-scores.get(d, 0.0), d))
        stored = {d: s.stored_fields(d) for d in docs}
        lead = docs[0]
        lead_fields = stored[lead]
        day = lead_fields.get("date")
        excerpt = lead_fields.get("excerpt") or ""
        hits.append(Hit(
            client_id=lead_fields["client_id"], client_name=lead_fields.get("client_name", ""),
            path=lead_fields["path"], kind=lead_fields.get("kind", ""),
            date=day.date().isoformat() if day else None,
            title=lead_fields.get("title", ""),
            score=round(scores.get(lead, 0.0), 3) if admin else round(1 / rank, 4),
            snippet=snippet(excerpt, stems, prefixes) if excerpt else "",
            rank=rank,
            document=lead_fields.get("entry") or lead_fields["path"],
            files=[Match(stored[d]["path"], [label for label, ids in atoms if d in ids])
                   for d in docs],
            named=lead_fields.get("doc") == "record" and lead in names))
    return hits


def _suggest(s, segments: Segments, ev: Evaluator, index: SearchIndex, text: str,
             scope: set[int]) -> str | None:
    """The query with misspelt words replaced by close words of the index, offered
    only when it finds something the caller may see."""
    def visible(attempt: str) -> bool:
        try:
            parsed = parse(attempt, s.schema, index.vocabulary, _date_bounds(segments))
        except UsageError:
            return False
        return bool(ev.ids(parsed.query) & scope)

    words_ = [w for w in WORD.findall(text) if w not in ("AND", "OR", "NOT", "TO")]
    suggestion = text
    for word in words_:
        if not terms(word) or visible(word):
            continue  # a word the caller can find is not misspelt
        for candidate in index.vocabulary.similar(fold(word), maxdist=2, limit=3):
            attempt = re.sub(rf"\b{re.escape(word)}\b", candidate, suggestion, count=1)
            if visible(attempt):
                suggestion = attempt
                break
    return suggestion if suggestion != text else None
