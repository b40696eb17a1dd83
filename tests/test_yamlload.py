import time

import pytest

from archive_tool.yamlload import MAX_BYTES, YamlProblem, load_stream, parse_bytes, parse_text

BILLION_LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)},"
    f" *{chr(97 + i)}]\n" for i in range(9))

HOSTILE = [
    ("list at top", b"- a\n- b\n", "not-mapping", 1),
    ("plain text", b"hello\n", "not-mapping", 1),
    ("empty", b"", "empty", 1),
    ("only comments", b"# nothing\n\n", "empty", 1),
    ("non-utf8", b"name: caf\xe9\nx: 1\n", "encoding", 1),
    ("non-utf8 later line", b"a: 1\nname: caf\xe9\n", "encoding", 2),
    ("tab indent", b"a:\n\tb: 1\n", "yaml-syntax", 2),
    ("duplicate key", b"name: a\nid: b\nname: c\n", "duplicate-key", 3),
    ("alias bomb", BILLION_LAUGHS.encode(), "yaml-alias", 1),
    ("deep nesting", b"a: " + b"[" * 5000 + b"]" * 5000, "too-deep", 1),
    ("deep block nesting", "".join(f"{'  ' * i}k{i}:\n" for i in range(80)).encode()
     + b"  " * 80 + b"v: 1\n", "too-deep", None),
    ("huge flow list", b"a: [" + b"1, " * 200_000 + b"1]\n", "too-large", 1),
    ("python tag", b"a: !!python/object/apply:os.system [ls]\n", "yaml-tag", 1),
    ("two documents", b"a: 1\n---\nb: 2\n", "yaml-syntax", 2),
    ("unclosed quote", b"a: 'open\nb: 2\n", "yaml-syntax", None),
]


@pytest.mark.parametrize(("name", "raw", "rule", "line"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_input_is_one_clear_problem(name, raw, rule, line):
    start = time.process_time()
    with pytest.raises(YamlProblem) as info:
        parse_bytes(raw)
    assert info.value.rule == rule
    if line is not None:
        assert info.value.line == line
    assert info.value.message
    assert time.process_time() - start < 5


def test_tab_message_says_use_spaces():
    with pytest.raises(YamlProblem, match="spaces, not tabs"):
        parse_text("a:\n\tb: 1\n")


def test_hundred_megabyte_file_is_refused_without_reading_it(tmp_path):
    big = tmp_path / "client.yaml"
    with big.open("wb") as f:
        f.write(b"name: x\nnotes: ")
        f.seek(100 * 1024 * 1024)
        f.write(b"y\n")
    with pytest.raises(YamlProblem, match="100.0 MB") as info, big.open("rb") as f:
        load_stream(f)
    assert info.value.rule == "too-large"
    assert MAX_BYTES < 100 * 1024 * 1024


def test_values_keep_their_positions_and_dates_stay_text():
    loaded = parse_text("id: CL-0001\ncontacts:\n  - staff: E-001\n    since: 2026-01-02\n")
    assert loaded.data == {"id": "CL-0001",
                           "contacts": [{"staff": "E-001", "since": "2026-01-02"}]}
    assert loaded.mark(("contacts", 0, "since")) == (4, 12)
    assert loaded.mark(("contacts", 0, "since"), key=True) == (4, 5)
    assert loaded.mark(("contacts", 0, "missing")) == (3, 5)


def test_utf8_bom_and_accents_are_read():
    assert parse_bytes("\ufeffname: Núñez\n".encode()).data == {"name": "Núñez"}
