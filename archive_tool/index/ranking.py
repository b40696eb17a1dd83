"""Scores of the documents a search matched.

Information admins see everything, and get BM25F with the index's statistics.
Everyone else gets BM25 without collection statistics (no idf, fixed average
field lengths): a document's score depends on the document and the query alone,
so what a person may not see changes neither the scores nor the order of what
they may (design §5).
"""

from __future__ import annotations

from whoosh import collectors, scoring
from whoosh import query as q
from whoosh.matching.wrappers import ConstantScoreWrapperMatcher

from archive_tool.index.docsets import DocList

SMALL = 3000  # matched sets up to this size are scored document by document
AVERAGE_LENGTHS = {"title": 8.0, "client_name": 4.0, "content": 400.0}


class _LocalScorer(scoring.BM25FScorer):
    def __init__(self, searcher, fieldname, text, B, K1, qf=1):
        self.idf = 1.0
        self.avgfl = AVERAGE_LENGTHS.get(fieldname, 50.0)
        self.B = B
        self.K1 = K1
        self.qf = qf
        self.setup(searcher, fieldname, text)


class LocalBM25F(scoring.BM25F):
    """BM25F that reads no statistic of the collection."""

    def scorer(self, searcher, fieldname, text, qf=1):
        if not searcher.schema[fieldname].scorable:
            return scoring.WeightScorer.for_(searcher, fieldname, text)
        B = self._field_B.get(fieldname, self.B)
        return _LocalScorer(searcher, fieldname, text, B, self.K1, qf=qf)


class _Unscored(q.WrappingQuery):
    """Its child's documents with a score of nothing."""

    def matcher(self, searcher, context=None):
        return ConstantScoreWrapperMatcher(self.child.matcher(searcher, context), 0.0)


def weighting(admin: bool) -> scoring.WeightingModel:
    return scoring.BM25F() if admin else LocalBM25F()


def top(searcher, scoring_query: q.Query, among: set[int], k: int,
        admin: bool) -> list[tuple[float, int]]:
    """(score, document) of the k best scored documents among `among` (all of them
    when there are few), best first. Documents matched by no scoring word are left
    out."""
    context = searcher.context(weighting=weighting(admin))
    if len(among) <= SMALL:
        collector = collectors.UnlimitedCollector()
        searcher.search_with_collector(q.And([scoring_query, _Unscored(DocList(list(among)))]),
                                       collector, context)
    else:
        collector = collectors.FilterCollector(collectors.TopCollector(limit=k),
                                               allow=among)
        searcher.search_with_collector(scoring_query, collector, context)
    found = collector.results().top_n
    return sorted(((float(s), d) for s, d in found), key=lambda sd: (-sd[0], sd[1]))
