"""What a person types, as queries the index answers cheaply.

The query syntax is Whoosh's (words, "phrases", AND/OR/NOT, field:value,
prefix*, date:[a TO b]); then, before anything is searched:
- a phrase in the text becomes a lookup of its adjacent pairs (the `pairs` field);
- a date range becomes whole years, whole months and the days at its edges;
- prefix* and wild?cards also match the stems of the words that fit them;
- Spanish names of stored values are read (`kind:llamada` is `kind:call`) and dates
  as people write them (`date:20/11/2026`, `date:[1/2026 TO 3/2026]`);
- a leading wildcard, or one with fewer than two letters before it, is refused.

`Parsed` holds the query that decides what matches, the one that scores (the
positive words only), and the words as typed, each with its query, to show where
each matched.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from whoosh import qparser
from whoosh import query as q
from whoosh.util.times import long_to_datetime

from archive_tool import words
from archive_tool.errors import UsageError
from archive_tool.i18n import _
from archive_tool.index.analysis import fold, terms
from archive_tool.index.vocabulary import Vocabulary

TEXT_FIELDS = ("title", "content", "client_name")
FIELD_BOOSTS = {"title": 2.0, "client_name": 1.5}
MAX_EXPANSIONS = 1000
MIN_PREFIX = 2  # letters before a * or ?
VALUE_FIELDS = {"kind": "document_kind", "category": "category", "special_type":
                "special_type", "tier": "tier", "status": "status", "direction": "direction"}
_DATE_COMPARED = re.compile(r"\bdate:(>=|<=|>|<)([^\s()\[\]{}]+)")
_DATE_RANGE = re.compile(r"\bdate:([\[{])\s*(\S*?)\s*\bTO\b\s*(\S*?)\s*([\]}])",
                         re.IGNORECASE)
_DATE_VALUE = re.compile(r"\bdate:(?![\[{<>])([^\s()]+)")


@dataclass
class Atom:
    """A word, phrase or pattern as the person typed it, and what it matches."""

    label: str
    query: q.Query
    scoring: list[q.Query] = field(default_factory=list)  # its word terms, for scores
    name: list[q.Query] = field(default_factory=list)  # what it matches in client names
    content: list[str] = field(default_factory=list)   # its terms in the text
    prefixes: list[str] = field(default_factory=list)  # folded prefixes of patterns


@dataclass
class Parsed:
    text: str
    query: q.Query      # what matches (cheap forms)
    scoring: list[q.Term]  # what scores: the positive words (none: a field query)
    atoms: list[Atom]
    names: q.Query | None  # the query read as a client's name (its record comes first)


_PARSERS: dict[tuple[int, tuple[str, ...]], qparser.QueryParser] = {}


def _parser(schema, fields: tuple[str, ...], boosts: dict[str, float]):
    """A parser per schema and fields, made once (making one costs more than a
    search of a rare word)."""
    key = (id(schema), fields)
    p = _PARSERS.get(key)
    if p is None or p.schema is not schema:
        p = qparser.MultifieldParser(list(fields), schema, fieldboosts=boosts)
        p.add_plugin(qparser.GtLtPlugin())
        if len(_PARSERS) > 16:
            _PARSERS.clear()
        _PARSERS[key] = p
    return p


def _people_dates(text: str) -> str:
    """Every date: query in the one form the index answers exactly: date:[A TO B] with
    inclusive ISO days (either may be left open). Dates are read as people write
    them (20/11/2026, 11/2026, 2026); date:<X and date:>X leave X out, date:{A TO B}
    leaves out A and B."""
    def iso(value: date) -> str:
        return value.isoformat()

    def compared(m: re.Match) -> str:
        op, (first, last) = m.group(1), words.period(m.group(2))
        if op == ">":
            return f"date:[{iso(last + timedelta(days=1))} TO]"
        if op == ">=":
            return f"date:[{iso(first)} TO]"
        if op == "<":
            return f"date:[TO {iso(first - timedelta(days=1))}]"
        return f"date:[TO {iso(last)}]"

    def ranged(m: re.Match) -> str:
        opening, low, high, closing = m.groups()
        start = end = ""
        if low:
            first, last = words.period(low)
            start = iso(last + timedelta(days=1) if opening == "{" else first)
        if high:
            first, last = words.period(high)
            end = iso(first - timedelta(days=1) if closing == "}" else last)
        return f"date:[{start} TO {end}]".replace("[ TO", "[TO").replace(" TO ]", " TO]")

    def single(m: re.Match) -> str:
        first, last = words.period(m.group(1))
        return f"date:[{iso(first)} TO {iso(last)}]"

    text = _DATE_COMPARED.sub(compared, text)
    text = _DATE_RANGE.sub(ranged, text)
    return _DATE_VALUE.sub(single, text)


def _refuse_patterns(node: q.Query, text: str) -> None:
    typed = _typed_pattern(node, text)
    if isinstance(node, q.Every):
        raise UsageError(_("'{query}' would list everything; give a word, or at least two"
                           " letters before * (fact*)").format(query=text))
    if isinstance(node, (q.Prefix, q.Wildcard)):
        shown = typed or node.text + ("*" if isinstance(node, q.Prefix) else "")
        head = re.split(r"[*?]", typed or node.text, maxsplit=1)[0]
        if len(head) < MIN_PREFIX:
            raise UsageError(_("'{pattern}': give at least two letters before * or ? (fact*);"
                               " a pattern that starts with them is not searched").format(
                                   pattern=shown))


def _typed_pattern(node: q.Query, text: str) -> str | None:
    """The pattern as the person typed it (the parser points at its * or ?)."""
    at = getattr(node, "startchar", None)
    if at is None or not 0 <= at < len(text) or text[at] not in "*?":
        return None
    start, end = at, at
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] in "*?_"):
        start -= 1
    while end < len(text) and (text[end].isalnum() or text[end] in "*?_"):
        end += 1
    return text[start:end]


def _typed_phrase(node: q.Phrase, text: str) -> str | None:
    """The quoted words the phrase came from."""
    for m in re.finditer(r'"([^"]*)"', text):
        if terms(m.group(1)) == list(node.words):
            return m.group(0)
    return None


def _label(node: q.Query, text: str) -> str:
    if isinstance(node, q.Phrase):
        return _typed_phrase(node, text) or '"' + " ".join(node.words) + '"'
    if isinstance(node, q.Prefix | q.Wildcard):
        return _typed_pattern(node, text) or node.text + (
            "*" if isinstance(node, q.Prefix) else "")
    start, end = getattr(node, "startchar", None), getattr(node, "endchar", None)
    if start is not None and end is not None and 0 <= start < end <= len(text):
        return text[start:end]
    return str(getattr(node, "text", node))


class Rewriter:
    """The rewrites of one query; collects its atoms on the way."""

    def __init__(self, text: str, vocabulary: Vocabulary, dates: tuple[date, date]):
        self.text = text
        self.vocabulary = vocabulary
        self.dates = dates  # the first and last date in the index (open ranges)
        self.atoms: dict[str, Atom] = {}
        self.negative = 0

    def matching(self, node: q.Query) -> q.Query:
        """The query that decides what matches."""
        if isinstance(node, q.Not):
            self.negative += 1
            try:
                return q.Not(self.matching(node.query))
            finally:
                self.negative -= 1
        if isinstance(node, q.AndNot):
            positive = self.matching(node.a)
            self.negative += 1
            try:
                return q.AndNot(positive, self.matching(node.b))
            finally:
                self.negative -= 1
        if isinstance(node, q.NumericRange) and node.fieldname == "date":
            return self._dates(node)
        if isinstance(node, q.Phrase):
            return self._atom(node, self._phrase(node), [
                q.Term(node.fieldname, w, boost=node.boost) for w in node.words],
                content=list(node.words) if node.fieldname == "content" else [])
        if isinstance(node, (q.Prefix, q.Wildcard)):
            _refuse_patterns(node, self.text)
            return self._pattern(node)
        if isinstance(node, q.Every):
            _refuse_patterns(node, self.text)
        if isinstance(node, q.Term):
            if node.fieldname in VALUE_FIELDS and isinstance(node.text, str):
                value = words.find(VALUE_FIELDS[node.fieldname], node.text)
                return q.Term(node.fieldname, value or node.text)
            if node.fieldname in TEXT_FIELDS:
                return self._atom(node, node, [node], content=[node.text]
                                  if node.fieldname == "content" else [])
            return node
        if node.is_leaf():
            return node
        return node.apply(self.matching)

    def _atom(self, node: q.Query, rewritten: q.Query, scoring: list[q.Query],
              content: list[str] | None = None, prefixes: list[str] | None = None
              ) -> q.Query:
        if not self.negative and getattr(node, "fieldname", None) in TEXT_FIELDS:
            label = _label(node, self.text)
            atom = self.atoms.setdefault(label, Atom(label, q.Or([])))
            atom.query = q.Or([*atom.query.subqueries, rewritten])
            atom.scoring += scoring
            if node.fieldname == "client_name":
                atom.name.append(rewritten)
            atom.content += [t for t in content or [] if t not in atom.content]
            atom.prefixes += [p for p in prefixes or [] if p not in atom.prefixes]
        return rewritten

    def _phrase(self, node: q.Phrase) -> q.Query:
        """A phrase as its adjacent pairs: exact for two words; for more, a document
        holding each pair of the phrase (in practice, the phrase). A phrase with a
        slop ("a b"~3) finds its words anywhere in the field."""
        stems = list(node.words)
        if node.fieldname not in TEXT_FIELDS or len(stems) < 2:
            return q.And([q.Term(node.fieldname, w) for w in stems]) if stems else q.NullQuery
        if node.slop != 1:
            return q.And([q.Term(node.fieldname, w) for w in stems])
        pairs = [q.Term("pairs", f"{a} {b}") for a, b in zip(stems, stems[1:], strict=False)]
        return pairs[0] if len(pairs) == 1 else q.And(pairs)

    def _pattern(self, node: q.Prefix | q.Wildcard) -> q.Query:
        """prefix* and wild?card on stemmed fields: also the stems of the unstemmed
        words that fit the pattern."""
        if node.fieldname not in TEXT_FIELDS:
            return node
        typed = _typed_pattern(node, self.text)
        pattern = fold(typed) if typed else fold(node.text) + (
            "*" if isinstance(node, q.Prefix) else "")
        found = self.vocabulary.matching(pattern, MAX_EXPANSIONS)
        stems = sorted({t for w in found for t in terms(w)})
        head = re.split(r"[*?]", pattern, maxsplit=1)[0]
        # The vocabulary holds every word of the texts but numbers and the longest
        # words: when it answers in full, its words' stems are all that the pattern
        # matches in `content`, and the index's term list need not be walked too.
        whole = node.fieldname == "content" and 0 < len(found) < MAX_EXPANSIONS \
            and not any(c.isdigit() for c in head)
        expanded = node if not stems else q.Or(
            [*([] if whole else [node]), *(q.Term(node.fieldname, t) for t in stems)])
        return self._atom(node, expanded, [q.Term(node.fieldname, t, boost=node.boost)
                                           for t in stems],
                          content=stems if node.fieldname == "content" else [],
                          prefixes=[head])

    def _dates(self, node: q.NumericRange) -> q.Query:
        """A date range (inclusive days, see _people_dates) as the union of whole
        years, whole months and single days."""
        first, last = self.dates
        start = long_to_datetime(node.start).date() if node.start is not None else first
        end = long_to_datetime(node.end).date() if node.end is not None else last
        start, end = max(start, first), min(end, last)
        return q.Or(date_terms(start, end)) if start <= end else q.NullQuery

    def scoring(self) -> list[q.Query]:
        """The positive word terms, for scores: a phrase as its words, patterns as
        their expansions; fields other than the text score nothing."""
        return [t for atom in self.atoms.values() for t in atom.scoring]


def date_terms(start: date, end: date) -> list[q.Query]:
    """Terms of the year, month and day fields covering exactly start..end."""
    out: list[q.Query] = []
    d = start
    while d <= end:
        year_end = date(d.year, 12, 31)
        month_end = date(d.year, d.month, calendar.monthrange(d.year, d.month)[1])
        if d.month == 1 and d.day == 1 and year_end <= end:
            out.append(q.Term("year", str(d.year)))
            d = year_end + timedelta(days=1)
        elif d.day == 1 and month_end <= end:
            out.append(q.Term("month", f"{d.year:04d}-{d.month:02d}"))
            d = month_end + timedelta(days=1)
        else:
            out.append(q.Term("day", d.isoformat()))
            d += timedelta(days=1)
    return out


def parse(text: str, schema, vocabulary: Vocabulary, dates: tuple[date, date]) -> Parsed:
    if not text.strip():
        raise UsageError(_("empty query; give words to search for"))
    plain = _people_dates(text)
    parsed = _parser(schema, TEXT_FIELDS, FIELD_BOOSTS).parse(plain)
    if parsed is q.NullQuery:
        raise UsageError(_("nothing to search for in '{query}' (only common words?)")
                         .format(query=text))
    rewriter = Rewriter(plain, vocabulary, dates)
    matching = rewriter.matching(parsed)
    scoring = rewriter.scoring()
    atoms = list(rewriter.atoms.values())
    return Parsed(text, matching, scoring, atoms, _names(plain, atoms))


def _names(text: str, atoms: list[Atom]) -> q.Query | None:
    """What a client's name must match for the query to name the client: every word
    of it (or the client's id, when that is the whole query)."""
    if re.fullmatch(r"\s*CL-\d{4,}\s*", text, re.IGNORECASE):
        return q.Term("client_id", text.strip().upper())
    if not atoms or any(not a.name for a in atoms):
        return None
    return q.And([q.Or(a.name) for a in atoms])
