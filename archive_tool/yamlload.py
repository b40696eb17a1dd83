"""Safe, bounded YAML loading that remembers where every value came from.

The document is built from the parser's event stream with an explicit stack,
so depth, size and node count are bounded, duplicate keys are refused and
anchors/aliases (the "billion laughs") never expand. Dates stay ISO strings,
so the result is plain JSON data that the schemas can check.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import yaml
from yaml import events as ev
from yaml.constructor import SafeConstructor
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

from archive_tool.i18n import N_, _

MAX_BYTES = 1 << 20
MAX_DIGITS = 100  # an integer longer than this is a mistake, not a number
MAX_DEPTH = 50
MAX_NODES = 50_000

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STD = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_STD + t for t in ("str", "int", "float", "bool", "null", "timestamp")}

JsonPath = tuple[str | int, ...]

# The parser's own sentences, said in the person's language.
PARSER_PROBLEMS = {m: m for m in (
    N_("mapping values are not allowed in this context"),
    N_("mapping values are not allowed here"),
    N_("did not find expected ',' or ']'"),
    N_("did not find expected ',' or '}'"),
    N_("found character that cannot start any token"),
    N_("found unexpected end of stream"),
    N_("did not find expected '-' indicator"),
    N_("did not find expected key"),
    N_("could not find expected ':'"),
    N_("did not find expected node content"),
    N_("block sequence entries are not allowed in this context"),
    N_("found a tab character that violates indentation"),
    N_("found a tab character where an indentation space is expected"),
    N_("found unknown escape character"),
    N_("found undefined tag handle"),
    N_("found unexpected ':'"),
)}


class YamlProblem(Exception):
    """The file cannot be read as the YAML mapping it should be."""

    def __init__(self, message: str, line: int = 1, column: int = 1, rule: str = "yaml-syntax"):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.rule = rule


@dataclass
class Loaded:
    data: Any
    marks: dict[JsonPath, tuple[int, int]] = field(default_factory=dict)
    key_marks: dict[JsonPath, tuple[int, int]] = field(default_factory=dict)

    def mark(self, path: JsonPath, key: bool = False) -> tuple[int, int]:
        """Line and column (1-based) of the value at path (of its key with key=True;
        a mapping or list is at its key), or of its nearest parent."""
        path = tuple(path)
        if key and path in self.key_marks:
            return self.key_marks[path]
        while path:
            if path in self.marks:
                return self.marks[path]
            path = path[:-1]
        return self.marks.get((), (1, 1))


def load_stream(f: BinaryIO, max_bytes: int = MAX_BYTES) -> Loaded:
    """Read and parse a YAML mapping from an open binary file (one opened without
    following links, say); raise YamlProblem saying what is wrong."""
    raw = f.read(max_bytes + 1)
    if len(raw) > max_bytes:
        size = os.fstat(f.fileno()).st_size
        raise YamlProblem(
            _("file is {mb} MB; a record may be at most {kb} KB: move long texts into"
              " attachments").format(mb=f"{size / 2**20:.1f}", kb=max_bytes // 1024),
            rule="too-large",
        )
    return parse_bytes(raw)


def parse_bytes(raw: bytes) -> Loaded:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        column = e.start - (raw.rfind(b"\n", 0, e.start) + 1) + 1
        raise YamlProblem(
            _("byte 0x{byte} is not UTF-8: save the file as UTF-8").format(
                byte=f"{raw[e.start]:02x}"),
            line, column, rule="encoding",
        ) from e
    return parse_text(text)


def parse_text(text: str) -> Loaded:
    if not text.strip() or all(
        not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()
    ):
        raise YamlProblem(_("file is empty: it should hold a mapping of fields"), rule="empty")
    try:
        loaded = _Builder().build(yaml.parse(text, Loader=_Loader))
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = e.problem or str(e)
        rule = "too-deep" if "nesting depth" in problem else "yaml-syntax"
        problem = _(PARSER_PROBLEMS[problem]) if problem in PARSER_PROBLEMS else problem
        if "\t" in _line(text, line):
            message = _("YAML syntax: {problem} (indent with spaces, not tabs)")
        else:
            message = _("YAML syntax: {problem}")
        raise YamlProblem(message.format(problem=problem), line, column, rule) from e
    except yaml.YAMLError as e:
        raise YamlProblem(_("YAML syntax: {problem}").format(problem=e)) from e
    if not isinstance(loaded.data, dict):
        shapes: dict[type, str] = {list: N_("a list"), str: N_("a single text")}
        found = shapes.get(type(loaded.data))
        kind = (_("nothing") if loaded.data is None else _(found) if found
                else type(loaded.data).__name__)
        raise YamlProblem(_("expected a mapping of fields at the top level, found {kind}")
                          .format(kind=kind), rule="not-mapping")
    return loaded


class _Builder:
    def __init__(self) -> None:
        self.resolver = Resolver()
        self.constructor = SafeConstructor()
        self.marks: dict[JsonPath, tuple[int, int]] = {}
        self.key_marks: dict[JsonPath, tuple[int, int]] = {}
        self.nodes = 0

    def build(self, events) -> Loaded:
        # Each frame: [container, path, pending key, pending key's mark]
        stack: list[list] = []
        root: Any = None
        documents = 0
        for event in events:
            if isinstance(event, ev.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise _problem(_("only one YAML document per file (remove the extra"
                                     " '---')"), event)
                continue
            if not isinstance(event, (ev.NodeEvent, ev.CollectionEndEvent)):
                continue
            if isinstance(event, ev.CollectionEndEvent):
                done = stack.pop()
                if not stack:
                    root = done[0]
                continue
            if isinstance(event, ev.AliasEvent) or event.anchor is not None:
                raise _problem(_("anchors and aliases (&, *) are not allowed in archive files"),
                               event, "yaml-alias")
            self.nodes += 1
            if self.nodes > MAX_NODES:
                raise _problem(_("more than {n} values: the file is too big").format(
                    n=MAX_NODES), event, "too-large")
            if isinstance(event, ev.ScalarEvent):
                value: Any = self._scalar(event)
            else:
                tag = getattr(event, "tag", None)
                if tag not in (None, "!", _STD + "map", _STD + "seq", "!!map", "!!seq"):
                    raise _problem(_("tag {tag} is not allowed in archive files").format(
                        tag=tag), event, "yaml-tag")
                if len(stack) >= MAX_DEPTH:
                    raise _problem(_("nested deeper than {n} levels").format(n=MAX_DEPTH),
                                   event, "too-deep")
                value = {} if isinstance(event, ev.MappingStartEvent) else []
            if not stack:
                self.marks[()] = _pos(event)
                if isinstance(value, (dict, list)):
                    stack.append([value, (), None, None])
                else:
                    root = value
                continue
            path = self._attach(stack[-1], value, event)
            if isinstance(value, (dict, list)):
                stack.append([value, path, None, None])
        return Loaded(root, self.marks, self.key_marks)

    def _attach(self, frame: list, value: Any, event) -> JsonPath:
        container, path = frame[0], frame[1]
        if isinstance(container, list):
            child = (*path, len(container))
            container.append(value)
            self.marks[child] = _pos(event)
            return child
        if frame[2] is None:  # value is a key
            if isinstance(value, (dict, list)) or value is None:
                raise _problem(_("mapping keys must be plain words"), event)
            key = str(value)
            if key in container:
                line, _column = self.marks[(*path, key)]
                raise _problem(_("duplicate key '{key}' (first defined on line {line})").format(
                    key=key, line=line), event, "duplicate-key")
            frame[2], frame[3] = key, _pos(event)
            return path
        key = frame[2]
        child = (*path, key)
        container[key] = value
        self.key_marks[child] = frame[3]
        self.marks[child] = frame[3] if isinstance(value, (dict, list)) else _pos(event)
        frame[2] = frame[3] = None
        return child

    def _scalar(self, event: ev.ScalarEvent) -> Any:
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.resolver.resolve(ScalarNode, event.value, event.implicit)
        elif tag.startswith("!!"):
            tag = _STD + tag[2:]
        if tag not in _SCALAR_TAGS:
            raise _problem(_("tag {tag} is not allowed in archive files").format(
                tag=event.tag), event, "yaml-tag")
        if tag in (_STD + "str", _STD + "timestamp"):
            return event.value
        if tag == _STD + "int" and len(event.value) > MAX_DIGITS:
            raise _problem(_("a number of {digits} digits is out of range here (at most"
                             " {most}); write it as text in quotes if it is a code").format(
                digits=len(event.value), most=MAX_DIGITS), event, "value-out-of-range")
        try:
            return self.constructor.construct_object(ScalarNode(tag, event.value))
        except (ValueError, OverflowError):
            raise _problem(_("{value} is out of range here").format(
                value=event.value[:40]), event, "value-out-of-range") from None


def _line(text: str, line: int) -> str:
    lines = text.splitlines()
    return lines[line - 1] if 0 < line <= len(lines) else ""


def _pos(event) -> tuple[int, int]:
    return event.start_mark.line + 1, event.start_mark.column + 1


def _problem(message: str, event, rule: str = "yaml-syntax") -> YamlProblem:
    line, column = _pos(event)
    return YamlProblem(message, line, column, rule)
