"""The JSON Schemas of schema/ applied to loaded YAML, with problems at their lines."""

from __future__ import annotations

import json
from functools import cache

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


def _describe(error) -> tuple[tuple, str]:
    path = tuple(error.absolute_path)
    where = ".".join(str(p) for p in path) or "record"
    kw = error.validator
    if kw == "required":
        missing = error.message.split("'")[1]
        return path, f"{where}: missing required field '{missing}'; add it"
    if kw == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        target = (*path, extra[0]) if extra else path
        return target, f"unknown field '{', '.join(extra)}' in {where}; check its spelling"
    if kw == "enum":
        allowed = ", ".join(str(v) for v in error.validator_value)
        return path, f"{where}: {error.instance!r} is not allowed; use one of: {allowed}"
    if kw == "type":
        return path, f"{where}: expected {error.validator_value}, found {error.instance!r}"
    if kw == "format":
        hint = {"date": "YYYY-MM-DD", "email": "name@example.com"}.get(error.validator_value, "")
        return path, f"{where}: {error.instance!r} is not a valid {error.validator_value}" + (
            f" ({hint})" if hint else "")
    if kw == "pattern":
        return path, f"{where}: {error.instance!r} does not have the expected form"
    if kw == "minLength":
        return path, f"{where}: too short"
    return path, f"{where}: {error.message}"
