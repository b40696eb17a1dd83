"""Scores of the documents a search matched: BM25F, computed for every matched
document from the postings and field lengths read in bulk (a fraction of what
Whoosh's matchers cost, one posting at a time).

Information admins see everything, and get BM25F with the index's statistics (as
Whoosh's BM25F). Everyone else gets BM25 without collection statistics (no idf,
fixed average field lengths): a document's score depends on the document and the
query alone, so what a person may not see changes neither the scores nor the
order of what they may (design §5).
"""

from __future__ import annotations

from functools import lru_cache

from whoosh import query as q
from whoosh.util.numeric import byte_to_length

from archive_tool.index.docsets import Evaluator, lengths

B, K1 = 0.75, 1.2  # Whoosh's BM25F defaults
AVERAGE_LENGTHS = {"title": 8.0, "client_name": 4.0, "content": 400.0}


@lru_cache(maxsize=64)
def _norms(average: float) -> tuple[float, ...]:
    """K1 * ((1 - B) + B * length / average) for each of Whoosh's length bytes (as
    Whoosh: a length of 0 counts as 1)."""
    return tuple(K1 * ((1 - B) + B * (byte_to_length(b) if b else 1) / average)
                 for b in range(256))


def scores(ev: Evaluator, terms: list[q.Term], among: set[int],
           admin: bool) -> dict[int, float]:
    """The score of each document of `among` matched by at least one of the terms."""
    searcher = ev.segments.searcher
    schema = searcher.schema
    out: dict[int, float] = {}
    get = out.get
    terms = [t for t in terms if t.fieldname in schema and schema[t.fieldname].scorable]
    # the longest postings first: the first term fills the scores in one comprehension
    terms.sort(key=lambda t: -sum(len(ids) for _r, _o, ids, _w in ev.postings(t.fieldname,
                                                                             t.text)))
    for term in terms:
        fieldname = term.fieldname
        if admin:
            idf = searcher.idf(fieldname, term.text)
            average = searcher.avg_field_length(fieldname) or 1.0
        else:
            idf, average = 1.0, AVERAGE_LENGTHS.get(fieldname, 50.0)
        factor = term.boost * idf * (K1 + 1)
        norms = _norms(average)
        for reader, offset, ids, weights in ev.postings(fieldname, term.text):
            if not ids:
                continue
            sizes = lengths(reader, fieldname)
            if len(among) * 4 < len(ids):  # few matched documents: look each one up
                posted = dict(zip(ids, weights, strict=True))
                for g in among:
                    w = posted.get(g - offset)
                    if w is not None:
                        out[g] = get(g, 0.0) + factor * w / (w + norms[sizes[g - offset]])
                continue
            if not out:  # the first term: nothing to add to
                out = {d + offset: factor * w / (w + norms[sizes[d]])
                       for d, w in zip(ids, weights, strict=True) if d + offset in among}
                get = out.get
                continue
            for d, w in zip(ids, weights, strict=True):
                g = d + offset
                if g in among:
                    out[g] = get(g, 0.0) + factor * w / (w + norms[sizes[d]])
    return out
