"""Spanish text analysis: fold accents first, then stop words, plural fix, stem.

Snowball's Spanish suffixes carry accents, so stemming before folding makes
"informacion" miss "Información"; folding first makes both the same term.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer
from whoosh.analysis import Filter, LowercaseFilter, RegexTokenizer, StopFilter

STOP_WORDS = frozenset("""
a al algo algunas algunos ante antes como con contra cual cuando de del desde donde
durante e el ella ellas ellos en entre era eran es esa esas ese eso esos esta estaba
estan estar este esto estos fue fueron ha han hasta hay la las le les lo los mas
me mi mis mucho muy nada ni no nos o os otra otras otro otros para pero poco por porque
que quien se sea ser si sin sobre son su sus tambien te tiene tienen todo todos tu tus
un una uno unos y ya yo
""".split())

_PLURALS = ((re.compile(r"([au])ciones$"), r"\1cion"),  # informaciones -> informacion
            (re.compile(r"(..[aeo]n)es$"), r"\1"))       # albaranes -> albaran
TOKEN = r"\w+(?:[.,'-]\w+)*"


def fold(text: str) -> str:
    """Lower case without accents: 'Núñez' -> 'nunez'."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class FoldFilter(Filter):
    def __call__(self, tokens):
        for t in tokens:
            text = t.text
            if not text.isascii():
                t.text = fold(text)
            yield t


class SpanishStemFilter(Filter):
    """Plural fix then the Snowball Spanish stemmer (PyStemmer, in C), cached."""

    is_morph = True

    def __init__(self, cachesize: int = 50_000):
        self.cachesize = cachesize
        self._stemmer = None
        self._cache: dict[str, str] = {}

    def __getstate__(self):
        return {"cachesize": self.cachesize}

    def __setstate__(self, state):
        self.__init__(state.get("cachesize", 50_000))

    def __eq__(self, other):
        return type(self) is type(other)

    def stem(self, word: str) -> str:
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        key = word
        stemmer = self._stemmer
        if stemmer is None:
            stemmer = self._stemmer = Stemmer.Stemmer("spanish")
        for pattern, singular in _PLURALS:
            word = pattern.sub(singular, word)
        stem = stemmer.stemWord(word)
        if len(self._cache) < self.cachesize:
            self._cache[key] = stem
        return stem

    def __call__(self, tokens):
        for t in tokens:
            if not t.stopped:
                t.text = self.stem(t.text)
            yield t


def spanish_analyzer():
    return (RegexTokenizer(TOKEN) | LowercaseFilter() | FoldFilter()
            | StopFilter(stoplist=STOP_WORDS, minsize=1) | SpanishStemFilter())


_TOKEN = re.compile(TOKEN)
_STEMS = SpanishStemFilter()


def analyze(text: str) -> tuple[list[str], set[str]]:
    """The index terms of a text in order (what spanish_analyzer gives, faster), and
    its distinct words folded but not stemmed (for prefixes and suggestions)."""
    stems: list[str] = []
    words: set[str] = set()
    stem = _STEMS.stem
    for m in _TOKEN.finditer(text):
        word = fold(m.group())
        if word in STOP_WORDS:
            continue
        words.add(word)
        stems.append(stem(word))
    return stems, words


def terms(text: str) -> list[str]:
    """The index terms of a text, in order: what a search can match."""
    return analyze(text)[0]


@lru_cache(maxsize=4096)
def name_terms(text: str) -> tuple[str, ...]:
    """terms() of a short text that repeats, such as a client's name."""
    return tuple(analyze(text)[0])


def _fold_table() -> dict[int, str]:
    """Lower case without accents, one character for one: offsets in a folded text
    are offsets in the original (for snippets)."""
    table = {}
    for code in range(0x41, 0x250):
        char = chr(code)
        folded = fold(char)
        if folded != char and len(folded) == 1:
            table[code] = folded
    return table


FOLD_TABLE = _fold_table()


def fold_in_place(text: str) -> str:
    """fold() keeping every character's offset (one character for one)."""
    return text.translate(FOLD_TABLE)
