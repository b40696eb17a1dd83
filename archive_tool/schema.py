"""The JSON Schemas of schema/ applied to loaded YAML, with problems at their lines."""

from __future__ import annotations

import json
from functools import cache

from archive_tool import words
from archive_tool.i18n import N_, _
from archive_tool.problems import Problem
from archive_tool.resources import schema_file
from archive_tool.yamlload import Loaded

KINDS = ("client", "entry", "staff", "archive")


@cache
def validator(kind: str):
    from jsonschema import Draft202012Validator  # loaded only when something is checked

    schema = json.loads(schema_file(kind).read_text(encoding="utf-8"))
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def schema_text(kind: str) -> str:
    return schema_file(kind).read_text(encoding="utf-8")


def check(kind: str, loaded: Loaded, relpath: str) -> list[Problem]:
    problems = []
    for error in validator(kind).iter_errors(loaded.data):
        for leaf in _leaves(error):
            path, message = _describe(leaf)
            line, column = loaded.mark(path, key=leaf.validator == "additionalProperties")
            problems.append(Problem(relpath, line, column, f"schema-{leaf.validator}", "error",
                                    message))
    return sorted(set(problems))


def _leaves(error):
    """The specific failures under a combinator (anyOf, if/then...), not the summary."""
    if error.context:
        for sub in error.context:
            yield from _leaves(sub)
    else:
        yield error


TYPE_NAMES = {"string": N_("a text"), "integer": N_("a whole number"),
              "number": N_("a number"), "boolean": N_("true or false"),
              "array": N_("a list"), "object": N_("a mapping of fields"),
              "null": N_("nothing")}
FORMAT_NAMES = {"date": N_("date"), "email": N_("e-mail address"), "uri": N_("web address"),
                "date-time": N_("date and time")}
FORMAT_HINTS = {"date": "YYYY-MM-DD", "email": "name@example.com"}


def _type_names(expected) -> str:
    names = expected if isinstance(expected, list) else [expected]
    return _(" or ").join(_(TYPE_NAMES[n]) if n in TYPE_NAMES else str(n) for n in names)


def _describe(error) -> tuple[tuple, str]:
    path = tuple(error.absolute_path)
    where = ".".join(str(p) for p in path) or _("record")
    kw = error.validator
    value = error.instance
    if kw == "required":
        missing = error.message.split("'")[1]
        return path, _("{where}: missing required field '{field}'; add it").format(
            where=where, field=missing)
    if kw == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        target = (*path, extra[0]) if extra else path
        return target, _("unknown field '{field}' in {where}; check its spelling").format(
            field=", ".join(extra), where=where)
    if kw == "enum":
        allowed = [str(v) for v in error.validator_value]
        stored = _stored_name(value, allowed)
        if stored is not None:
            return path, _("{where}: write {value!r} as {stored}: files keep the English"
                           " names").format(where=where, value=value, stored=stored)
        return path, _("{where}: {value!r} is not allowed; use one of: {allowed}").format(
            where=where, value=value, allowed=", ".join(allowed))
    if kw == "type":
        return path, _("{where}: expected {expected}, found {value!r}").format(
            where=where, expected=_type_names(error.validator_value), value=value)
    if kw == "format":
        fmt = error.validator_value
        name = _(FORMAT_NAMES[fmt]) if fmt in FORMAT_NAMES else fmt
        if fmt in FORMAT_HINTS:
            return path, _("{where}: {value!r} is not a valid {format} ({hint})").format(
                where=where, value=value, format=name, hint=FORMAT_HINTS[fmt])
        return path, _("{where}: {value!r} is not a valid {format}").format(
            where=where, value=value, format=name)
    if kw == "pattern":
        return path, _("{where}: {value!r} does not have the expected form").format(
            where=where, value=value)
    if kw == "minLength":
        return path, _("{where}: too short").format(where=where)
    if kw == "maxLength":
        return path, _("{where}: too long (at most {n} characters)").format(
            where=where, n=error.validator_value)
    if kw in ("minimum", "exclusiveMinimum"):
        return path, _("{where}: {value!r} is too small (at least {n})").format(
            where=where, value=value, n=error.validator_value)
    if kw in ("maximum", "exclusiveMaximum"):
        return path, _("{where}: {value!r} is too large (at most {n})").format(
            where=where, value=value, n=error.validator_value)
    if kw == "minItems":
        return path, _("{where}: needs at least {n} items").format(
            where=where, n=error.validator_value)
    if kw == "uniqueItems":
        return path, _("{where}: repeats an item").format(where=where)
    if kw == "not":
        return path, _("{where}: this value is not allowed here").format(where=where)
    if kw == "const":
        return path, _("{where}: must be {value!r}").format(
            where=where, value=error.validator_value)
    return path, _("{where}: {problem}").format(where=where, problem=error.message)


def _stored_name(value, allowed: list[str]) -> str | None:
    """The stored value a Spanish (or differently written) word names, when the field
    takes one of the archive's words."""
    if not isinstance(value, str) or value in allowed:
        return None
    for field in words.FIELDS.values():
        if set(allowed) <= set(field.values):
            found = words.find(field.name, value)
            if found in allowed:
                return found
    return None
