"""Snippets: the part of a document's text where the query's words are, with those
words marked. Found with one regular expression over the text folded in place
(offsets kept), each candidate word confirmed by stemming it: a fraction of what
analysing the whole text costs."""

from __future__ import annotations

import re
from functools import lru_cache

from archive_tool.index.analysis import fold_in_place, terms

MARK_OPEN, MARK_CLOSE = "\x02", "\x03"  # around matched words in snippets
WIDTH = 240
BEFORE = 60
MAX_CANDIDATES = 60


@lru_cache(maxsize=256)
def _finder(heads: tuple[str, ...]) -> re.Pattern:
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, heads)) + r")\w*")


def find(text: str, stems: list[str], prefixes: list[str]) -> list[tuple[int, int, str]]:
    """(start, end, key) of the words of text that are one of the stems or start
    with one of the prefixes (both folded)."""
    heads = tuple(sorted({*stems, *prefixes}, key=len, reverse=True))
    if not heads or not text:
        return []
    wanted = set(stems)
    folded = fold_in_place(text)
    found = []
    for m in _finder(heads).finditer(folded.lower()):
        word = m.group()
        key = next((p for p in prefixes if word.startswith(p)), None)
        if key is None:
            stem = terms(word)
            key = stem[0] if stem and stem[0] in wanted else None
        if key is not None:
            found.append((m.start(), m.end(), key))
            if len(found) >= MAX_CANDIDATES:
                break
    return found


def snippet(text: str, stems: list[str], prefixes: list[str], width: int = WIDTH) -> str:
    """About `width` characters of text around the most distinct matched words, the
    words marked; the text's start when none is found."""
    found = find(text, stems, prefixes)
    if not found:
        return " ".join(text[:200].split())
    best, best_keys = 0, -1
    for i, (start, _end, _key) in enumerate(found):
        keys = {k for s, _e, k in found[i:] if s < start + width}
        if len(keys) > best_keys:
            best, best_keys = i, len(keys)
    start = found[best][0]
    begin = 0 if len(text) <= width or start < BEFORE else start - BEFORE
    if begin:
        space = text.find(" ", begin, start)
        begin = space + 1 if space >= 0 else begin
    end = min(len(text), begin + width)
    if end < len(text):
        space = text.rfind(" ", begin, end)
        end = space if space > start else end
    parts, at = [], begin
    for s, e, _k in found:
        if s < begin or e > end:
            continue
        parts += [text[at:s], MARK_OPEN, text[s:e], MARK_CLOSE]
        at = e
    parts.append(text[at:end])
    out = " ".join("".join(parts).split())
    return ("… " if begin else "") + out + (" …" if end < len(text) else "")
