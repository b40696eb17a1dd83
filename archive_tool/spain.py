"""Spanish identifiers as the tax agency, Correos and the numbering plan define them:
tax ids (NIF, NIE, CIF) with their check characters, postal codes by province, and
telephone numbers."""

from __future__ import annotations

import re
import unicodedata

NIF_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"
CIF_LETTERS = "JABCDEFGHI"
# CIF first letters whose check character is a digit, a letter, or either.
CIF_DIGIT = "ABEH"
CIF_LETTER = "NPQRSW"
CIF_EITHER = "CDFGJUV"
# Legal forms without share capital: associations and foundations (G), communities of
# property (E) or owners (H), public bodies (P, Q, S), religious bodies (R), temporary
# joint ventures (U) and others such as mutual insurers (V).
NO_SHARE_CAPITAL = "EGHPQRSUV"

SPAIN = ("es", "esp", "espana", "spain")

# Postal code prefix (INE province code) -> the province's names, folded.
PROVINCES: dict[str, tuple[str, ...]] = {
    "01": ("alava", "araba", "araba/alava", "alava/araba"), "02": ("albacete",),
    "03": ("alicante", "alacant", "alicante/alacant"), "04": ("almeria",), "05": ("avila",),
    "06": ("badajoz",), "07": ("baleares", "illes balears", "islas baleares", "balears"),
    "08": ("barcelona",), "09": ("burgos",), "10": ("caceres",), "11": ("cadiz",),
    "12": ("castellon", "castello", "castellon/castello", "castellon de la plana"),
    "13": ("ciudad real",), "14": ("cordoba",),
    "15": ("a coruna", "la coruna", "coruna"), "16": ("cuenca",),
    "17": ("girona", "gerona"), "18": ("granada",), "19": ("guadalajara",),
    "20": ("gipuzkoa", "guipuzcoa"), "21": ("huelva",), "22": ("huesca",), "23": ("jaen",),
    "24": ("leon",), "25": ("lleida", "lerida"), "26": ("la rioja", "rioja"),
    "27": ("lugo",), "28": ("madrid",), "29": ("malaga",), "30": ("murcia",),
    "31": ("navarra", "nafarroa"), "32": ("ourense", "orense"),
    "33": ("asturias", "principado de asturias"), "34": ("palencia",),
    "35": ("las palmas",), "36": ("pontevedra",), "37": ("salamanca",),
    "38": ("santa cruz de tenerife", "tenerife"), "39": ("cantabria",), "40": ("segovia",),
    "41": ("sevilla",), "42": ("soria",), "43": ("tarragona",), "44": ("teruel",),
    "45": ("toledo",), "46": ("valencia",), "47": ("valladolid",),
    "48": ("bizkaia", "vizcaya"), "49": ("zamora",), "50": ("zaragoza",), "51": ("ceuta",),
    "52": ("melilla",),
}
PROVINCE_CODE = {name: code for code, names in PROVINCES.items() for name in names}
PROVINCE_NAME = {
    "01": "Araba/Álava", "02": "Albacete", "03": "Alicante", "04": "Almería", "05": "Ávila",
    "06": "Badajoz", "07": "Illes Balears", "08": "Barcelona", "09": "Burgos",
    "10": "Cáceres", "11": "Cádiz", "12": "Castellón", "13": "Ciudad Real", "14": "Córdoba",
    "15": "A Coruña", "16": "Cuenca", "17": "Girona", "18": "Granada", "19": "Guadalajara",
    "20": "Gipuzkoa", "21": "Huelva", "22": "Huesca", "23": "Jaén", "24": "León",
    "25": "Lleida", "26": "La Rioja", "27": "Lugo", "28": "Madrid", "29": "Málaga",
    "30": "Murcia", "31": "Navarra", "32": "Ourense", "33": "Asturias", "34": "Palencia",
    "35": "Las Palmas", "36": "Pontevedra", "37": "Salamanca",
    "38": "Santa Cruz de Tenerife", "39": "Cantabria", "40": "Segovia", "41": "Sevilla",
    "42": "Soria", "43": "Tarragona", "44": "Teruel", "45": "Toledo", "46": "Valencia",
    "47": "Valladolid", "48": "Bizkaia", "49": "Zamora", "50": "Zaragoza", "51": "Ceuta",
    "52": "Melilla"}

_SEPARATORS = re.compile(r"[\s.()/-]")


def fold(text: str) -> str:
    """Lower case without accents: 'Información' -> 'informacion'."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower().strip()


def is_spain(country: object) -> bool:
    return country is None or fold(str(country)) in SPAIN


def normal_tax_id(value: object) -> str:
    return re.sub(r"[\s.-]", "", str(value or "")).upper()


def tax_id_kind(value: object) -> str | None:
    """'NIF', 'NIE' or 'CIF' for a Spanish tax id whose check character is right (an
    'ES' VAT prefix is allowed); None for anything else."""
    v = normal_tax_id(value)
    if v.startswith("ES") and len(v) == 11:
        v = v[2:]
    if re.fullmatch(r"\d{8}[A-Z]", v):
        return "NIF" if NIF_LETTERS[int(v[:8]) % 23] == v[8] else None
    if re.fullmatch(r"[KLM]\d{7}[A-Z]", v):
        return "NIF" if NIF_LETTERS[int(v[1:8]) % 23] == v[8] else None
    if re.fullmatch(r"[XYZ]\d{7}[A-Z]", v):
        return "NIE" if NIF_LETTERS[int(str("XYZ".index(v[0])) + v[1:8]) % 23] == v[8] \
            else None
    if re.fullmatch(r"[A-HJNP-SUVW]\d{7}[0-9A-J]", v):
        return "CIF" if v[8] in cif_check_characters(v[:8]) else None
    return None


def cif_check_characters(head: str) -> str:
    """The check characters a CIF's first eight characters allow."""
    digits = [int(d) for d in head[1:8]]
    odd = sum(sum(divmod(d * 2, 10)) for d in digits[0::2])
    even = sum(digits[1::2])
    control = (10 - (odd + even) % 10) % 10
    digit, letter = str(control), CIF_LETTERS[control]
    if head[0] in CIF_DIGIT:
        return digit
    if head[0] in CIF_LETTER:
        return letter
    return digit + letter


def tax_id_expected(value: object) -> str | None:
    """The whole tax id with its right check character, when only that is wrong."""
    v = normal_tax_id(value)
    if v.startswith("ES") and len(v) == 11:
        v = v[2:]
    if len(v) != 9:
        return None
    if re.fullmatch(r"\d{8}.", v):
        return v[:8] + NIF_LETTERS[int(v[:8]) % 23]
    if re.fullmatch(r"[KLM]\d{7}.", v):
        return v[:8] + NIF_LETTERS[int(v[1:8]) % 23]
    if re.fullmatch(r"[XYZ]\d{7}.", v):
        return v[:8] + NIF_LETTERS[int(str("XYZ".index(v[0])) + v[1:8]) % 23]
    if re.fullmatch(r"[A-HJNP-SUVW]\d{7}.", v):
        return v[:8] + cif_check_characters(v[:8])[0]
    return None


def has_share_capital(tax_id: object) -> bool:
    """Whether the legal form a tax id shows has share capital: companies do; people
    (NIF, NIE) and associations, foundations, public bodies or mutual insurers do not."""
    kind = tax_id_kind(tax_id)
    if kind in ("NIF", "NIE"):
        return False
    v = normal_tax_id(tax_id)
    v = v[2:] if v.startswith("ES") and len(v) == 11 else v
    return not (kind == "CIF" and v[0] in NO_SHARE_CAPITAL)


def is_foreign_vat(value: object) -> bool:
    """A VAT number of another country in its common form: two letters and 2-13 more."""
    v = normal_tax_id(value)
    return bool(re.fullmatch(r"[A-Z]{2}[0-9A-Z+*]{2,13}", v)) and not v.startswith("ES")


def province_of_postal_code(code: object) -> str | None:
    """The province code of a Spanish postal code (five digits, 01-52), else None."""
    text = str(code or "").strip()
    if re.fullmatch(r"\d{5}", text) and text[:2] in PROVINCES and text[2:] != "000":
        return text[:2]
    return None


def province_code(name: object) -> str | None:
    return PROVINCE_CODE.get(fold(str(name or "")).replace(" - ", "/"))


def phone_digits(value: object) -> str:
    text = _SEPARATORS.sub("", str(value or ""))
    return "+" + text[2:] if text.startswith("00") else text


def phone_ok(value: object) -> bool:
    """A Spanish number of nine digits (starting 6, 7, 8 or 9), with or without +34, or
    an international number in E.164 form (+, country code, at most 15 digits)."""
    text = phone_digits(value)
    if text.startswith("+34"):
        text = text[3:]
    elif text.startswith("+"):
        return bool(re.fullmatch(r"\+[1-9]\d{7,14}", text))
    return bool(re.fullmatch(r"[6-9]\d{8}", text))
