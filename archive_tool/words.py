"""The words people type and read for the archive's values (design §8).

Stored values stay English (`letter`, `supplier`, `standard`); people may type
them in Spanish, with or without accents, or in English, in any option and query
field. What the tool shows a person names each value in that person's language;
dates are read as people write them and shown as they read them.

    normal("kind", "Reunión")      -> "meeting"
    normal("kind", "cartas")       -> UnknownWord: 'cartas' is not a kind of contact...
    shown("kind", "meeting")       -> "reunión" (Spanish) / "meeting" (English)
    period("11/2026")              -> (date(2026, 11, 1), date(2026, 11, 30))
    shown_date(date(2026, 11, 20)) -> "20/11/2026" (Spanish) / "2026-11-20" (English)
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from archive_tool.errors import InvalidInput
from archive_tool.i18n import N_, _, language


@dataclass(frozen=True)
class Field:
    """One kind of value: its stored (English) values, each with its Spanish names
    (the first is the one shown; the others are accepted too), and the sentence that
    refuses an unknown value."""

    name: str
    spanish: dict[str, tuple[str, ...]]
    unknown: str  # marked with N_; placeholders {value} and {accepted}

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(self.spanish)


KIND = Field("kind", {
    "letter": ("carta",),
    "fax": ("fax",),
    "call": ("llamada", "telefono", "llamada-telefonica"),
    "email": ("correo", "correo-electronico", "e-mail"),
    "meeting": ("reunión", "reunion"),
    "visit": ("visita",),
    "contact_report": ("informe-contacto", "informe-de-contacto"),
    "note": ("nota",),
}, N_("'{value}' is not a kind of contact; use one of: {accepted}"))

REPORT_KIND = Field("report_kind", {
    "annual_report": ("informe-anual",),
    "financial_statements": ("estados-financieros",),
}, N_("'{value}' is not a kind of report; use one of: {accepted}"))

DOCUMENT_KIND = Field("document_kind", {
    **KIND.spanish,
    **REPORT_KIND.spanish,
    "report": ("informe",),
    "client": ("ficha", "cliente"),
    "file": ("archivo", "fichero"),
}, N_("'{value}' is not a kind of document; use one of: {accepted}"))

CATEGORY = Field("category", {
    "supplier": ("proveedor",),
    "distributor": ("distribuidor",),
    "special": ("especial",),
}, N_("'{value}' is not a client category; use one of: {accepted}"))

SPECIAL_TYPE = Field("special_type", {
    "lawyer": ("abogado", "abogados", "bufete"),
    "financial_consultant": ("consultor-financiero", "asesor-financiero"),
    "advertising": ("publicidad", "agencia-de-publicidad"),
    "public_relations": ("relaciones-públicas", "relaciones-publicas"),
    "bank": ("banco", "banca"),
    "insurance": ("aseguradora", "seguros"),
    "financial_assistance": ("asistencia-financiera", "financiacion"),
}, N_("'{value}' is not a type of special client; use one of: {accepted}"))

TIER = Field("tier", {
    "standard": ("estándar", "estandar"),
    "vip": ("vip",),
}, N_("'{value}' is not a client tier; use one of: {accepted}"))

STATUS = Field("status", {
    "prospect": ("potencial",),
    "active": ("activo", "activa"),
    "inactive": ("inactivo", "inactiva"),
    "terminated": ("baja", "de-baja"),
}, N_("'{value}' is not a client status; use one of: {accepted}"))

DIRECTION = Field("direction", {
    "in": ("entrada", "recibida", "recibido"),
    "out": ("salida", "enviada", "enviado"),
}, N_("'{value}' is not a direction; use one of: {accepted}"))

ROLE = Field("role", {
    "primary": ("principal",),
    "backup": ("suplente",),
}, N_("'{value}' is not a contact role; use one of: {accepted}"))

STAFF_STATUS = Field("staff_status", {
    "active": ("activo", "activa"),
    "transferred": ("trasladado", "trasladada"),
    "departed": ("baja", "de-baja"),
}, N_("'{value}' is not a staff status; use one of: {accepted}"))

SEVERITY = Field("severity", {
    "error": ("error",),
    "warning": ("aviso", "advertencia"),
}, N_("'{value}' is not a severity; use one of: {accepted}"))

FIELDS: dict[str, Field] = {f.name: f for f in (
    KIND, REPORT_KIND, DOCUMENT_KIND, CATEGORY, SPECIAL_TYPE, TIER, STATUS, DIRECTION, ROLE,
    STAFF_STATUS, SEVERITY)}


class UnknownWord(InvalidInput):
    """A value that names nothing of its kind."""

    def __init__(self, field: str, value: str, message: str):
        super().__init__(message)
        self.field = field
        self.value = value


def fold(text: str) -> str:
    """The form words are compared in: lower case, no accents, '-' between words."""
    text = unicodedata.normalize("NFKD", str(text).strip().lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[\s_-]+", "-", text).strip("-")


def _index(field: Field) -> dict[str, str]:
    found: dict[str, str] = {}
    for value, names in field.spanish.items():
        for name in (value, *names):
            found.setdefault(fold(name), value)
    return found


_INDEXES = {name: _index(f) for name, f in FIELDS.items()}


def find(field: str, text: str | None) -> str | None:
    """The stored value a person's word names (Spanish or English, any accents or
    case), or None."""
    if text is None:
        return None
    return _INDEXES[field].get(fold(text))


def normal(field: str, text: str) -> str:
    """The stored value a person's word names; UnknownWord (one line listing the
    accepted words in the person's language) when it names none."""
    found = find(field, text)
    if found is None:
        raise UnknownWord(field, text, _(FIELDS[field].unknown).format(
            value=text, accepted=", ".join(accepted(field))))
    return found


def shown(field: str, value: object) -> str:
    """A stored value as the person reads it: its Spanish name in Spanish. Unknown
    values (a typo in a file) are shown as they are."""
    if value is None:
        return ""
    names = FIELDS[field].spanish.get(str(value))
    if names and language() == "es":
        return names[0]
    return str(value)


def accepted(field: str) -> list[str]:
    """The words to offer a person for a field, in their language."""
    return [shown(field, v) for v in FIELDS[field].values]


def every_name(field: str) -> list[str]:
    """Every word a field accepts (for completion)."""
    f = FIELDS[field]
    return list(dict.fromkeys(n for v, names in f.spanish.items() for n in (v, *names)))


# --- dates ---------------------------------------------------------------------------

class BadDate(InvalidInput):
    """A date a person typed that cannot be read."""


_DAY_FIRST = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})")
_ISO_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_MONTH = re.compile(r"(\d{1,2})[/.-](\d{4})")
_ISO_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_YEAR = re.compile(r"\d{4}")


def _bad(text: str) -> BadDate:
    return BadDate(_("'{value}' is not a date; write it as 20/11/2026, 2026-11-20, 11/2026"
                     " or 2026").format(value=text))


def period(text: str) -> tuple[date, date]:
    """The first and last day a date as people write it names: a day (20/11/2026,
    2026-11-20, 20-11-26), a month (11/2026, 2026-11) or a year (2026)."""
    t = str(text).strip()
    try:
        if m := _DAY_FIRST.fullmatch(t):
            year = int(m[3]) + (2000 if len(m[3]) == 2 else 0)
            day = date(year, int(m[2]), int(m[1]))
            return day, day
        if m := _ISO_DAY.fullmatch(t):
            day = date(int(m[1]), int(m[2]), int(m[3]))
            return day, day
        if (m := _MONTH.fullmatch(t)) or (m := _ISO_MONTH.fullmatch(t)):
            year, month = (int(m[2]), int(m[1])) if m.re is _MONTH else (int(m[1]), int(m[2]))
            last = calendar.monthrange(year, month)[1]
            return date(year, month, 1), date(year, month, last)
        if _YEAR.fullmatch(t) and int(t) >= 1:
            return date(int(t), 1, 1), date(int(t), 12, 31)
    except ValueError:
        raise _bad(t) from None
    raise _bad(t)


def day(text: str) -> date:
    """One day as people write it (20/11/2026 or 2026-11-20); a month or a year is
    refused: a day is needed."""
    first, last = period(text)
    if first != last:
        raise BadDate(_("'{value}' names more than one day; write the day, as 20/11/2026")
                      .format(value=str(text).strip()))
    return first


def shown_date(value: date | datetime | str | None) -> str:
    """A date as the person reads it: 20/11/2026 in Spanish, ISO in English. ISO text is
    accepted; anything else is shown as it is."""
    if value is None or value == "":
        return ""
    d = value if isinstance(value, date) else _iso_date(str(value))
    if d is None:
        return str(value)
    if isinstance(d, datetime):
        d = d.date()
    return f"{d.day:02d}/{d.month:02d}/{d.year}" if language() == "es" else d.isoformat()


def shown_time(value: str | datetime | None, seconds: bool = True) -> str:
    """A moment as the person reads it: 20/11/2026 10:12:03 in Spanish, 2026-11-20T10:12:03
    in English (as stored, without the fraction and the zone)."""
    if value is None or value == "":
        return ""
    text = value.isoformat() if isinstance(value, datetime) else str(value)
    stamp = text[:19 if seconds else 16]
    if language() != "es":
        return stamp
    d = _iso_date(text[:10])
    if d is None:
        return text
    clock = stamp[11:]
    return shown_date(d) + (f" {clock}" if clock else "")


def _iso_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def shown_number(value: float, decimals: int = 1) -> str:
    """A decimal number as the person reads it: 1,5 in Spanish, 1.5 in English."""
    text = f"{value:.{decimals}f}"
    return text.replace(".", ",") if language() == "es" else text


def csv_style() -> tuple[str, bool]:
    """(separator, whether to start with a UTF-8 BOM) of a CSV for people: what
    Spanish Excel expects in Spanish (';' and a BOM), plain CSV in English."""
    return (";", True) if language() == "es" else (",", False)


def yes_no(value: bool) -> str:
    return _("yes") if value else _("no")
