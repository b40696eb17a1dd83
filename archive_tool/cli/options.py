"""Option values as people type them: Spanish or English words for the archive's
values (archive_tool.words), dates as people write them."""

from __future__ import annotations

from datetime import date
from typing import Any

import click
from click.shell_completion import CompletionItem

from archive_tool import words
from archive_tool.i18n import _


class Word(click.ParamType):
    """A value of one of the archive's fields, in Spanish or English, accents optional;
    converted to the stored (English) value."""

    def __init__(self, field: str):
        self.field = field
        self.name = field

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "[" + "|".join(words.accepted(self.field)) + "]"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> str:
        if value in words.FIELDS[self.field].values:
            return str(value)
        try:
            return words.normal(self.field, str(value))
        except words.UnknownWord as e:
            self.fail(str(e), param, ctx)

    def shell_complete(self, ctx: click.Context, param: click.Parameter,
                       incomplete: str) -> list[CompletionItem]:
        start = words.fold(incomplete)
        return [CompletionItem(n) for n in words.every_name(self.field)
                if words.fold(n).startswith(start)]


class Day(click.ParamType):
    """A date as people write it. With whole=True, a month or a year stands for its
    first day (an option that means "from"); otherwise one day is needed."""

    name = "date"

    def __init__(self, whole: bool = False):
        self.whole = whole

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return _("DATE")

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        try:
            return words.period(str(value))[0] if self.whole else words.day(str(value))
        except words.BadDate as e:
            self.fail(str(e), param, ctx)


KIND = Word("kind")
CATEGORY = Word("category")
SPECIAL_TYPE = Word("special_type")
TIER = Word("tier")
STATUS = Word("status")
DIRECTION = Word("direction")
DAY = Day()
SINCE = Day(whole=True)
