"""Every sentence the tool shows a person goes through here (design §8).

Messages are written in English in the code, marked with `_()` (or `ngettext`,
or `N_` where a constant is translated when shown), and translated from the
catalogs in `archive_tool/locale/` (`tools/catalogs.py` extracts, updates and
compiles them). The language is the archive's (`archive.yaml` `language`),
overridden for one person by `ARCHIVE_TOOL_LANG`. It is kept per thread: the
archive service answers people in several languages at once.

File formats do not change with the language: YAML keys, stored values, rule
ids, JSON keys and exit codes stay as they are.
"""

from __future__ import annotations

import _thread  # threading.py costs a tenth of a command's start; these two suffice
import os

TYPE_CHECKING = False  # importing typing costs a tenth of a command's start
if TYPE_CHECKING:
    from gettext import NullTranslations
    from typing import Any

DOMAIN = "archive_tool"
LOCALE_DIR = os.path.join(os.path.dirname(os.path.realpath(__file__)), "locale")
LANGUAGES = ("es", "en")
DEFAULT = "es"
LANG_ENV = "ARCHIVE_TOOL_LANG"

_local = _thread._local()
_catalogs: dict[str, NullTranslations] = {}
_lock = _thread.allocate_lock()


def catalog(language: str) -> NullTranslations:
    import gettext

    with _lock:
        if language not in _catalogs:
            _catalogs[language] = gettext.translation(DOMAIN, LOCALE_DIR, [language],
                                                      fallback=True)
        return _catalogs[language]


def choose(archive_language: str | None = None, override: str | None = None) -> str:
    """The language to speak: the person's override, else the archive's, else Spanish."""
    for wanted in (override, archive_language):
        if wanted and wanted.strip().lower()[:2] in LANGUAGES:
            return wanted.strip().lower()[:2]
    return DEFAULT


def use(language: str) -> None:
    """Speak this language in this thread from now on."""
    _local.language = language if language in LANGUAGES else DEFAULT


def language() -> str:
    return getattr(_local, "language", None) or choose(override=os.environ.get(LANG_ENV))


def _(message: str) -> str:
    return catalog(language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return catalog(language()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a message for the catalogs; it is translated where it is shown."""
    return message


def translate_click() -> None:
    """click's own sentences (usage, "Invalid value", "Show this message and exit")
    through the same catalogs, in the caller's language."""
    import click
    from click import (
        _termui_impl,
        core,
        decorators,
        exceptions,
        formatting,
        parser,
        termui,
        types,
        utils,
    )

    for module in (click, core, decorators, exceptions, formatting, parser, termui, types,
                   utils, _termui_impl):
        if hasattr(module, "_"):
            module._ = _  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext  # type: ignore[attr-defined]
    if not getattr(core.Command.format_help_text, "translated", False):
        for cls, name in ((core.Command, "format_help_text"),
                          (core.Command, "get_short_help_str"), (core.Option, "get_help_record")):
            setattr(cls, name, _helping(getattr(cls, name)))


def _helping(method: Any) -> Any:
    """A click method that shows a command's or option's help text, showing it
    translated. Help is only ever rendered in the person's own process."""

    def shown(self, *args, **kwargs):
        help_text, short = self.help, getattr(self, "short_help", None)
        self.help = _(help_text) if help_text else help_text
        if short:
            self.short_help = _(short)
        try:
            return method(self, *args, **kwargs)
        finally:
            self.help = help_text
            if short:
                self.short_help = short

    setattr(shown, "translated", True)  # noqa: B010
    return shown
