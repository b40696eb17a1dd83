"""Scores of the documents a search matched: BM25F, computed with vector arithmetic
over the postings and field lengths read in bulk (a fraction of what Whoosh's
matchers cost, one posting at a time).

Information admins see everything, and get BM25F with the index's statistics (as
Whoosh's BM25F). Everyone else gets BM25 without collection statistics (no idf,
fixed average field lengths): a document's score depends on the document and the
query alone, so what a person may not see changes neither the scores nor the
order of what they may (design §5).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from functools import lru_cache

import numpy as np
from whoosh import query as q
from whoosh.util.numeric import byte_to_length

from archive_tool.index.docsets import Evaluator, lengths

B, K1 = 0.75, 1.2  # Whoosh's BM25F defaults
AVERAGE_LENGTHS = {"title": 8.0, "client_name": 4.0, "content": 400.0}


@lru_cache(maxsize=64)
def _norms(average: float) -> np.ndarray:
    """K1 * ((1 - B) + B * length / average) for each of Whoosh's length bytes (as
    Whoosh: a length of 0 counts as 1)."""
    sizes = np.array([byte_to_length(b) if b else 1 for b in range(256)], dtype=np.float64)
    return K1 * ((1 - B) + B * sizes / average)


class Scores:
    """The scored documents (those at least one word of the query matched) and
    their scores, best first on demand."""

    def __init__(self, vector: np.ndarray, docs: np.ndarray) -> None:
        self.vector = vector  # every document of the searcher: its score, or 0
        self.docs = docs[vector[docs] > 0]
        self.values = vector[self.docs]

    def __len__(self) -> int:
        return len(self.docs)

    def get(self, doc: int, default: float = 0.0) -> float:
        value = float(self.vector[doc]) if doc < len(self.vector) else 0.0
        return value if value > 0 else default

    def best_first(self, k: int) -> Iterator[list[tuple[int, float]]]:
        """The scored documents best first, ties by document number: the k best
        (and those tied with the k-th) first; all of them, if those were not
        enough."""
        docs, values = self.docs, self.values
        if len(docs) > k:
            threshold = np.partition(values, len(values) - k)[len(values) - k]
            keep = values >= threshold
            yield self._ordered(docs[keep], values[keep])
        yield self._ordered(docs, values)

    @staticmethod
    def _ordered(docs: np.ndarray, values: np.ndarray) -> list[tuple[int, float]]:
        order = np.lexsort((docs, -values))
        return list(zip(docs[order].tolist(), values[order].tolist(), strict=True))


NOTHING = Scores(np.zeros(0), np.zeros(0, dtype=np.intp))  # no word to score


def scores(ev: Evaluator, terms: list[q.Term], among: Collection[int], admin: bool) -> Scores:
    """The score of each document of `among` matched by at least one of the terms."""
    searcher = ev.segments.searcher
    schema = searcher.schema
    vector = np.zeros(max(ev.segments.count, 1))
    for term in terms:
        fieldname = term.fieldname
        if fieldname not in schema or not schema[fieldname].scorable:
            continue
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
            docs = np.frombuffer(ids, dtype=np.intc)
            w = np.frombuffer(weights, dtype=np.float64)
            sizes = np.frombuffer(lengths(reader, fieldname), dtype=np.uint8)
            # a term's documents are distinct within a segment: a plain += adds once each
            vector[docs + offset] += factor * w / (w + norms[sizes[docs]])
    return Scores(vector, np.fromiter(among, dtype=np.intp, count=len(among)))
