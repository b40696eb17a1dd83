"""Text safe to show on a terminal: file names whose bytes are not UTF-8, or that
hold control characters or newlines, are shown escaped (`caf\\xe9.txt`), never raw."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def is_nameable(name: str) -> bool:
    """A name the archive can store and index: valid UTF-8, no control characters."""
    return not _CONTROL.search(name) and not any("\udc80" <= c <= "\udcff" for c in name)


def escaped(name: str) -> str:
    """A file name as it may be printed: undecodable bytes and control characters as
    backslash escapes."""
    text = name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def printable(text: str, keep: str = "\n\t") -> str:
    """Terminal output with every control character but those in keep escaped."""
    text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return _CONTROL.sub(lambda m: m.group() if m.group() in keep
                        else m.group().encode("unicode_escape").decode("ascii"), text)
