"""Safe, bounded YAML loading that remembers where every value came from.

The document is built from the parser's event stream with an explicit stack,
so depth, size and node count are bounded, duplicate keys are refused and
anchors/aliases (the "billion laughs") never expand. Dates stay ISO strings,
so the result is plain JSON data that the schemas can check.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import yaml
from yaml import events as ev
from yaml.constructor import SafeConstructor
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

MAX_BYTES = 1 << 20
MAX_DEPTH = 50
MAX_NODES = 50_000

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STD = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_STD + t for t in ("str", "int", "float", "bool", "null", "timestamp")}

JsonPath = tuple[str | int, ...]


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


def load_file(path: Path, max_bytes: int = MAX_BYTES) -> Loaded:
    """Read and parse a YAML mapping file; raise YamlProblem saying what is wrong."""
    try:
        with path.open("rb") as f:
            return load_stream(f, max_bytes)
    except OSError as e:
        raise YamlProblem(f"cannot read the file: {e.strerror or e}", rule="unreadable") from e


def load_stream(f: BinaryIO, max_bytes: int = MAX_BYTES) -> Loaded:
    """Read and parse a YAML mapping from an open binary file (one opened without
    following links, say); raise YamlProblem saying what is wrong."""
    raw = f.read(max_bytes + 1)
    if len(raw) > max_bytes:
        size = os.fstat(f.fileno()).st_size
        raise YamlProblem(
            f"file is {size / 2**20:.1f} MB; a record may be at most {max_bytes // 1024} KB:"
            " move long texts into attachments",
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
            f"byte 0x{raw[e.start]:02x} is not UTF-8: save the file as UTF-8",
            line, column, rule="encoding",
        ) from e
    return parse_text(text)


def parse_text(text: str) -> Loaded:
    if not text.strip() or all(
        not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()
    ):
        raise YamlProblem("file is empty: it should hold a mapping of fields", rule="empty")
    try:
        loaded = _Builder().build(yaml.parse(text, Loader=_Loader))
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = e.problem or str(e)
        if "\t" in _line(text, line):
            message += " (indent with spaces, not tabs)"
        rule = "too-deep" if "nesting depth" in message else "yaml-syntax"
        raise YamlProblem(f"YAML syntax: {message}", line, column, rule) from e
    except yaml.YAMLError as e:
        raise YamlProblem(f"YAML syntax: {e}") from e
    if not isinstance(loaded.data, dict):
        kind = type(loaded.data).__name__ if loaded.data is not None else "nothing"
        kind = {"list": "a list", "str": "a single text", "NoneType": "nothing"}.get(kind, kind)
        raise YamlProblem(f"expected a mapping of fields at the top level, found {kind}",
                          rule="not-mapping")
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
                    raise _problem("only one YAML document per file (remove the extra '---')",
                                   event)
                continue
            if not isinstance(event, (ev.NodeEvent, ev.CollectionEndEvent)):
                continue
            if isinstance(event, ev.CollectionEndEvent):
                done = stack.pop()
                if not stack:
                    root = done[0]
                continue
            if isinstance(event, ev.AliasEvent) or event.anchor is not None:
                raise _problem("anchors and aliases (&, *) are not allowed in archive files",
                               event, "yaml-alias")
            self.nodes += 1
            if self.nodes > MAX_NODES:
                raise _problem(f"more than {MAX_NODES} values: the file is too big", event,
                               "too-large")
            if isinstance(event, ev.ScalarEvent):
                value: Any = self._scalar(event)
            else:
                tag = getattr(event, "tag", None)
                if tag not in (None, "!", _STD + "map", _STD + "seq", "!!map", "!!seq"):
                    raise _problem(f"tag {tag} is not allowed in archive files", event,
                                   "yaml-tag")
                if len(stack) >= MAX_DEPTH:
                    raise _problem(f"nested deeper than {MAX_DEPTH} levels", event, "too-deep")
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
                raise _problem("mapping keys must be plain words", event)
            key = str(value)
            if key in container:
                line, _ = self.marks[(*path, key)]
                raise _problem(f"duplicate key '{key}' (first defined on line {line})", event,
                               "duplicate-key")
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
        if tag in (None, "!"):
            tag = self.resolver.resolve(ScalarNode, event.value, event.implicit)
        elif tag.startswith("!!"):
            tag = _STD + tag[2:]
        if tag not in _SCALAR_TAGS:
            raise _problem(f"tag {event.tag} is not allowed in archive files", event, "yaml-tag")
        if tag in (_STD + "str", _STD + "timestamp"):
            return event.value
        return self.constructor.construct_object(ScalarNode(tag, event.value))


def _line(text: str, line: int) -> str:
    lines = text.splitlines()
    return lines[line - 1] if 0 < line <= len(lines) else ""


def _pos(event) -> tuple[int, int]:
    return event.start_mark.line + 1, event.start_mark.column + 1


def _problem(message: str, event, rule: str = "yaml-syntax") -> YamlProblem:
    line, column = _pos(event)
    return YamlProblem(message, line, column, rule)
