"""JSON for what runs before every command (the service's wire, the stored help):
the json package's own C encoder and scanner, without the package, whose import
and the regular expressions it compiles would cost the command line a fifth of
its start. Elsewhere the json package is used as usual."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from typing import Any


class _JSON:
    """Compact JSON, with the json package's own C encoder and scanner when they are
    there. (What _json reads of a decoder's settings is below: json.JSONDecoder's
    defaults.)"""

    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    parse_constant = float  # NaN, Infinity, -Infinity

    def __init__(self) -> None:
        self._scan: Callable[[str, int], tuple[Any, int]]
        self._encode: Callable[[object], Iterable[str]]
        try:
            import _json

            scan = _json.make_scanner(self)  # type: ignore[arg-type]
            encode = _json.make_encoder(None, self._refuse, _json.encode_basestring, None,
                                        ":", ",", False, False, True)
            self._scan = scan
            self._encode = lambda value: encode(value, 0)
            self.loads(self.dumps({"": [1.5, None]}))
        except (ImportError, AttributeError, TypeError, ValueError):
            import json

            self._scan = json.JSONDecoder().raw_decode
            self._encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"),
                                            default=self._refuse).iterencode

    @staticmethod
    def _refuse(value: object) -> object:
        raise TypeError(f"{type(value).__name__} is not JSON")

    def dumps(self, value: object) -> str:
        return "".join(self._encode(value))

    def loads(self, text: str) -> object:
        """The JSON value that is the whole of text (ValueError if it is not; the
        caller says what is wrong)."""
        try:
            value, end = self._scan(text, 0)
        except StopIteration:  # _json's scanner found no value at all
            raise ValueError from None
        if end != len(text):  # something after the value
            raise ValueError
        return value


JSON = _JSON()
