"""Searching the index: query syntax, filters, permission, snippets, suggestions."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from whoosh import highlight, qparser
from whoosh import query as q

from archive_tool.errors import UsageError
from archive_tool.index.analysis import fold, terms
from archive_tool.index.store import SearchIndex
from archive_tool.index.vocabulary import Vocabulary

MARK_OPEN, MARK_CLOSE = "\x02", "\x03"  # around matched words in snippets
WORD = re.compile(r"(?<![:\w])\w{3,}(?![:\w*?])")  # plain words, not field:value or prefix*


@dataclass(frozen=True)
class Visibility:
    """What the caller may see: None clients means all; confidential documents only
    with all_confidential or when staff_id is among their staff."""

    clients: frozenset[str] | None = None
    staff_id: str | None = None
    all_confidential: bool = False

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
class Hit:
    client_id: str
    client_name: str
    path: str
    kind: str
    date: str | None
    title: str
    score: float
    snippet: str


@dataclass
class Results:
    query: str
    total: int
    hits: list[Hit] = field(default_factory=list)
    suggestion: str | None = None


class _Marks(highlight.Formatter):
    between = " … "

    def format_token(self, text, token, replace=False):
        return MARK_OPEN + highlight.get_text(text, token, replace) + MARK_CLOSE


def parser(index: SearchIndex) -> qparser.QueryParser:
    schema = index.open().schema
    p = qparser.MultifieldParser(["title", "content", "client_name"], schema,
                                 fieldboosts={"title": 2.0, "client_name": 1.5})
    p.add_plugin(qparser.GtLtPlugin())
    return p


def search(index: SearchIndex, text: str, *, visibility: Visibility, client: str | None = None,
           kind: str | None = None, year: int | None = None, limit: int = 20) -> Results:
    if not text.strip():
        raise UsageError("empty query; give words to search for")
    qp = parser(index)
    parsed = qp.parse(text)
    if parsed is q.NullQuery:
        raise UsageError(f"nothing to search for in '{text}' (only common words?)")
    narrowing = [f for f in (visibility.as_filter(),
                             q.Term("client_id", client) if client else None,
                             q.Term("kind", kind) if kind else None,
                             q.Term("year", str(year)) if year else None) if f is not None]
    restrict = q.And(narrowing) if len(narrowing) > 1 else (narrowing[0] if narrowing else None)
    with index.searcher() as s:
        parsed = parsed.accept(lambda node: _expand(node, index.vocabulary))
        # The restriction is part of the query (scoring nothing) so that the total
        # counts only what the caller may see.
        scoped = q.And([parsed, q.ConstantScoreQuery(restrict, 0.0)]) if restrict else parsed
        results = s.search(scoped, limit=limit, terms=True)
        # Fewer hits than the limit: all were collected and counted. Otherwise count
        # (within the caller's scope) with one more pass over the postings.
        total = results.scored_length() if results.scored_length() < limit else len(results)
        results.fragmenter = highlight.ContextFragmenter(maxchars=240, surround=60)
        results.formatter = _Marks()
        out = Results(text, total)
        for hit in results:
            excerpt = hit.get("excerpt") or ""
            snippet = hit.highlights("content", text=excerpt, top=2) if excerpt else ""
            day = hit.get("date")
            out.hits.append(Hit(
                client_id=hit["client_id"], client_name=hit.get("client_name", ""),
                path=hit["path"], kind=hit.get("kind", ""),
                date=day.date().isoformat() if day else None, title=hit.get("title", ""),
                score=round(float(hit.score), 3),
                snippet=snippet or " ".join(excerpt[:200].split())))
        if out.total == 0:
            out.suggestion = _suggest(s, qp, text, restrict, index.vocabulary)
    return out


MAX_EXPANSIONS = 1000
TEXT_FIELDS = ("title", "content", "client_name")


def _expand(node: q.Query, vocabulary: Vocabulary) -> q.Query:
    """prefix* and wild?card on stemmed fields: also match the stems of the unstemmed
    words that fit the pattern."""
    if not isinstance(node, (q.Prefix, q.Wildcard)) or node.fieldname not in TEXT_FIELDS:
        return node
    text = fold(node.text) + ("*" if isinstance(node, q.Prefix) else "")
    stems = sorted({t for w in vocabulary.matching(text, MAX_EXPANSIONS) for t in terms(w)})
    return q.Or([node, *(q.Term(node.fieldname, t) for t in stems)]) if stems else node


def _suggest(searcher, qp, text: str, restrict, vocabulary: Vocabulary) -> str | None:
    """The query with misspelt words replaced by close words of the index, offered
    only when it finds something the caller may see."""
    words = [w for w in WORD.findall(text) if w not in ("AND", "OR", "NOT", "TO")]
    suggestion = text
    for word in words:
        if not terms(word) or _visible_hit(searcher, qp, word, restrict):
            continue  # a word the caller can find is not misspelt
        for candidate in vocabulary.similar(fold(word), maxdist=2, limit=3):
            attempt = re.sub(rf"\b{re.escape(word)}\b", candidate, suggestion, count=1)
            if _visible_hit(searcher, qp, attempt, restrict):
                suggestion = attempt
                break
    return suggestion if suggestion != text else None


def _visible_hit(searcher, qp, text: str, restrict) -> bool:
    return bool(searcher.search(qp.parse(text), limit=1, filter=restrict).scored_length())
