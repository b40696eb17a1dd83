"""Spanish for Spanish staff (design §8): complete catalogs, no sentence around
gettext, every command in both languages, Spanish words and dates wherever people
type, CSV for Spanish Excel."""

from __future__ import annotations

import ast
import csv
import importlib.util
import io
import json
import os
import re
import string
import sys
from datetime import date
from pathlib import Path

import pytest
import yaml
from conftest import REPO, Run

from archive_tool import i18n, words
from archive_tool.errors import ArchiveError

PACKAGE = REPO / "archive_tool"
CL1 = "clients/CL-0001-suministros-levante"

# The modules whose messages this test guards: every module of the package.
CORE = sorted(p.relative_to(PACKAGE).with_suffix("").as_posix()
              for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)
CLI = [m for m in CORE if m.startswith("cli/")]


@pytest.fixture
def speak(monkeypatch):
    """Run what follows as a person who reads the given language."""

    def use(language: str) -> None:
        monkeypatch.setenv(i18n.LANG_ENV, language)
        i18n.use(language)

    return use


def out(sample: Path, *args: str) -> str:
    result = Run(sample)(*args)
    assert result.exit_code == 0, result.output
    return result.stdout


# --- the catalogs -----------------------------------------------------------------------

def _catalogs_tool():
    spec = importlib.util.spec_from_file_location("catalogs_tool", REPO / "tools/catalogs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("catalogs_tool", module)
    spec.loader.exec_module(module)
    return module


def _fields(text: str) -> set[str]:
    return {name.split(".")[0].split("[")[0].split("!")[0]
            for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}


def _forms(value) -> list[str]:
    return list(value) if isinstance(value, (tuple, list)) else [value]


def test_every_message_is_translated_in_both_catalogs():
    """Each message the code marks (and click's own, and every help text) has a
    translation in the Spanish and the English catalog as they ship, in every plural
    form and not fuzzy; run `python tools/catalogs.py` after adding one."""
    tool = _catalogs_tool()
    missing = tool.check()
    template = tool.extract()
    for language in ("es", "en"):
        shipped = tool.load(language)
        for message in template:
            found = shipped.get(message.id, message.context) if message.id else None
            if found is not None and (found.fuzzy or isinstance(message.id, tuple) and len(
                    _forms(found.string)) < shipped.num_plurals):
                missing[language].append(str(message.id))
        assert not missing[language], \
            f"{language}: {len(missing[language])} untranslated, e.g. {missing[language][:5]}"


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_stored_help_is_what_click_renders(language):
    """`--help` is printed from archive_tool/locale/*/help.json; each text must be what
    click renders from the commands and the catalogs as they are (run
    `python tools/catalogs.py` after changing a command or a translation)."""
    import subprocess

    from archive_tool.cli import helptexts

    rendered = subprocess.run(
        [sys.executable, "-c", "import json, sys; from archive_tool.cli import helptexts;"
         f" json.dump(helptexts.render({language!r}), sys.stdout)"],
        check=True, capture_output=True, text=True).stdout
    stored = json.loads(Path(helptexts.path(language)).read_text(encoding="utf-8"))
    assert stored == json.loads(rendered)
    assert {"", "search", "client show", "staff depart"} <= set(stored)


@pytest.mark.parametrize(("argv", "command"), [
    (["--help"], ""), (["-h"], ""), (["-A", "x", "--json", "--help"], ""),
    (["--archive=x", "search", "--help"], "search"), (["client", "show", "-h"], "client show"),
    (["search", "word", "--help"], "search word"), (["search", "--help", "x"], None),
    (["search", "--sort", "date", "--help"], None), (["search"], None), ([], None)])
def test_which_help_argv_asks_for(argv, command):
    from archive_tool.cli import helptexts

    assert helptexts.wanted(argv) == command


def test_help_is_printed_without_loading_click(tmp_path):
    """The whole `archive-tool --help`: the stored text, in the person's language,
    with neither click, the commands, the catalogs nor re imported (inside an
    archive and outside any); click renders what is not stored."""
    import subprocess

    from archive_tool.cli import helptexts

    probe = ("import sys; from archive_tool.cli import main\n"
             "try:\n    main()\nexcept SystemExit as e:\n"
             "    print(any(m in sys.modules for m in ('click', 're', 'json', 'gettext')),"
             " e.code, file=sys.stderr)")
    for language in i18n.LANGUAGES:
        texts = json.loads(Path(helptexts.path(language)).read_text(encoding="utf-8"))
        for argv, columns, stored in ((["--help"], 100, True), (["client", "show", "-h"], 80, True),
                                      (["search", "--limit", "3", "--help"], 100, False),
                                      (["--help"], 60, False)):
            done = subprocess.run([sys.executable, "-c", probe, *argv], cwd=tmp_path,
                                  capture_output=True, text=True,
                                  env={**os.environ, "ARCHIVE_TOOL_LANG": language,
                                       "COLUMNS": str(columns)})
            assert done.stderr.split() == [str(not stored), "0"], (argv, done.stderr)
            key = " ".join(a for a in argv if not a.startswith("-") and a != "3")
            assert (done.stdout == texts[key]) is (columns >= 80)


def test_translations_name_only_the_placeholders_of_their_message():
    """A translation that names a placeholder its message does not give would fail
    when shown (KeyError): every field of a translation is a field of its message."""
    tool = _catalogs_tool()
    wrong = []
    for language in ("es", "en"):
        for message in tool.load(language):
            if not message.id or "python-brace-format" not in message.flags:
                continue
            given = set().union(*map(_fields, _forms(message.id)))
            for form in _forms(message.string):
                if form and not _fields(form) <= given:
                    wrong.append((language, message.id, form))
    assert not wrong, wrong[:5]


def test_core_translations_are_in_the_shipped_spanish_catalog(speak):
    speak("es")
    assert i18n._("no open check-outs") == "no hay préstamos abiertos"
    assert i18n.ngettext("{n} client", "{n} clients", 3).format(n=3) == "3 clientes"
    assert i18n.ngettext("{n} client", "{n} clients", 1).format(n=1) == "1 cliente"
    speak("en")
    assert i18n._("no open check-outs") == "no open check-outs"


# --- nothing shown around gettext -----------------------------------------------------

GETTEXT = {"_", "N_", "ngettext"}
ERRORS = {cls.__name__ for cls in ArchiveError.__subclasses__()} | {
    "ArchiveError", "UnsafePath", "CorruptBlob", "UnknownWord", "BadDate", "YamlProblem",
    "BadParameter", "UsageError", "ClickException", "ValueError"}
SHOWN_AS_IS = {"error: "}  # the contract's prefix of every error line (design §3)
SENTENCE = re.compile(r"[A-Za-z]{2,}(?:[',;:()]*\s+[(']*[A-Za-z]{2,})+")


def _callee(node: ast.Call) -> str:
    f = node.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""


def _static(node: ast.AST) -> str | None:
    """The fixed text of a string literal or f-string."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value for v in node.values
                       if isinstance(v, ast.Constant) and isinstance(v.value, str))
    return None


def _bare_texts(node: ast.AST, whole: bool = True):
    """Literal texts in a shown expression that are not inside a gettext call: the
    expression itself when it is a literal with words, a sentence anywhere in it (not
    the keys of a JSON document or of a lookup)."""
    if isinstance(node, ast.Call) and _callee(node) in GETTEXT | {"dumps"}:
        return
    text = _static(node)
    if text is not None:
        if text not in SHOWN_AS_IS and (SENTENCE.search(text) or (
                whole and re.search(r"[A-Za-z]{2,}", text))):
            yield node, text
        if isinstance(node, ast.JoinedStr):
            for value in node.values:
                if isinstance(value, ast.FormattedValue):
                    yield from _bare_texts(value.value, False)
        return
    for child in ast.iter_child_nodes(node):
        if isinstance(node, ast.Subscript) and child is node.slice:
            continue
        yield from _bare_texts(child, False)


def _shown_arguments(call: ast.Call) -> list[ast.AST]:
    """The arguments of a call that are shown to a person."""
    name = _callee(call)
    if name in ERRORS or name in ("_problem", "fail"):
        return list(call.args[:1]) + [k.value for k in call.keywords if k.arg == "message"]
    if name == "Problem" and len(call.args) >= 6:
        return [call.args[5]]
    if name == "echo":
        return list(call.args[:1])
    if name == "emit" and len(call.args) >= 2:
        return [call.args[1]]
    if name == "write" and call.args and _static(call.args[0]) == "stderr":
        return list(call.args[1:2])
    return []


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) \
                and node.body and isinstance(node.body[0], ast.Expr) \
                and isinstance(_static(node.body[0].value), str):
            found.add(id(node.body[0].value))
    return found


def _cli_sentences(tree: ast.AST) -> list[tuple[int, str]]:
    """Any sentence-like literal outside gettext, docstrings and click's help/metavar
    (which click renders through the catalogs)."""
    skip = _docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            if _callee(node) in GETTEXT:
                skip.update(id(n) for n in ast.walk(node))
            for k in node.keywords:
                if k.arg in ("help", "metavar"):
                    skip.update(id(n) for n in ast.walk(k.value))
    found = []
    for node in ast.walk(tree):
        text = _static(node)
        if text is None or id(node) in skip:
            continue
        if isinstance(node, ast.JoinedStr):
            skip.update(id(v) for v in node.values)
        if SENTENCE.search(text) and text not in SHOWN_AS_IS:
            found.append((node.lineno, text))
    return found


def _shadowed_gettext(tree: ast.AST) -> list[tuple[int, str]]:
    """Functions that call _() and also bind the name _ (an UnboundLocalError when the
    message is shown)."""
    found = []
    for fn in ast.walk(tree):
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        binds = calls = False
        todo = list(fn.body)
        while todo:
            node = todo.pop()
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda,
                                 ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
                continue
            if isinstance(node, ast.Name) and node.id == "_":
                binds |= isinstance(node.ctx, ast.Store)
            if isinstance(node, ast.Call) and _callee(node) == "_":
                calls = True
            todo.extend(ast.iter_child_nodes(node))
        if binds and calls:
            found.append((fn.lineno, fn.name))
    return found


@pytest.mark.parametrize("module", CORE)
def test_no_message_bypasses_gettext(module):
    path = PACKAGE / f"{module}.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bare = [(node.lineno, text) for call in ast.walk(tree) if isinstance(call, ast.Call)
            for arg in _shown_arguments(call) for node, text in _bare_texts(arg)]
    if module in CLI:
        bare += _cli_sentences(tree)
    assert not bare, f"{path.name}: text shown without _(): {sorted(set(bare))[:5]}"
    assert not _shadowed_gettext(tree), f"{path.name}: _ rebound where _() is called"


def test_the_scan_finds_what_it_looks_for():
    tree = ast.parse(
        "def f(x):\n"
        "    raise NotFound(f'{x}: no such client')\n"
        "def g(session):\n"
        "    session.emit({}, 'nothing to change')\n"
        "def h(session):\n"
        "    session.emit({}, _('nothing to change'))\n"
        "def k(x):\n"
        "    a, _ = x\n"
        "    return _('a message')\n")
    bare = [(node.lineno, text) for call in ast.walk(tree) if isinstance(call, ast.Call)
            for arg in _shown_arguments(call) for node, text in _bare_texts(arg)]
    assert [line for line, _text in bare] == [2, 4]
    assert sorted(_cli_sentences(tree)) == [(2, ": no such client"), (4, "nothing to change")]
    assert _shadowed_gettext(tree) == [(7, "k")]


# --- the words people type and read ------------------------------------------------------

def test_spanish_words_accents_optional_english_still_works():
    assert words.normal("kind", "carta") == "letter"
    assert words.normal("kind", "Reunión") == words.normal("kind", "reunion") == "meeting"
    assert words.normal("kind", "informe-contacto") == "contact_report"
    assert words.normal("kind", "contact_report") == "contact_report"
    assert words.normal("kind", "CORREO") == "email"
    assert words.normal("report_kind", "informe-anual") == "annual_report"
    assert words.normal("report_kind", "estados financieros") == "financial_statements"
    assert words.normal("category", "proveedor") == "supplier"
    assert words.normal("category", "especial") == "special"
    assert words.normal("tier", "estándar") == words.normal("tier", "estandar") == "standard"
    assert words.normal("status", "baja") == "terminated"
    assert words.normal("status", "potencial") == "prospect"
    assert words.normal("special_type", "relaciones publicas") == "public_relations"
    assert words.normal("document_kind", "llamada") == "call"
    assert words.normal("document_kind", "informe-anual") == "annual_report"


def test_every_word_names_one_value_of_its_field():
    for field in words.FIELDS.values():
        named: dict[str, str] = {}
        for value, names in field.spanish.items():
            for name in (value, *names):
                assert named.setdefault(words.fold(name), value) == value, (field.name, name)
        assert {words.find(field.name, v) for v in field.values} == set(field.values)


def test_unknown_word_is_refused_listing_the_words_of_the_persons_language(speak):
    speak("es")
    with pytest.raises(words.UnknownWord) as refused:
        words.normal("kind", "cartas")
    assert str(refused.value) == ("'cartas' no es un tipo de contacto; use uno de estos: carta,"
                                  " fax, llamada, correo, reunión, visita, informe-contacto, nota")
    speak("en")
    with pytest.raises(words.UnknownWord) as refused:
        words.normal("tier", "oro")
    assert str(refused.value) == "'oro' is not a client tier; use one of: standard, vip"


def test_values_are_shown_in_the_persons_language(speak):
    speak("es")
    assert words.shown("kind", "meeting") == "reunión"
    assert words.shown("category", "supplier") == "proveedor"
    assert words.shown("status", "nonsense") == "nonsense"
    speak("en")
    assert words.shown("kind", "meeting") == "meeting"


@pytest.mark.parametrize(("typed", "first", "last"), [
    ("20/11/2026", date(2026, 11, 20), date(2026, 11, 20)),
    ("2026-11-20", date(2026, 11, 20), date(2026, 11, 20)),
    ("20-11-26", date(2026, 11, 20), date(2026, 11, 20)),
    ("11/2026", date(2026, 11, 1), date(2026, 11, 30)),
    ("2/2028", date(2028, 2, 1), date(2028, 2, 29)),
    ("2026-11", date(2026, 11, 1), date(2026, 11, 30)),
    ("2026", date(2026, 1, 1), date(2026, 12, 31)),
])
def test_dates_as_people_write_them(typed, first, last):
    assert words.period(typed) == (first, last)


@pytest.mark.parametrize("typed", ["31/02/2026", "13/2026", "ayer", "2026-13-01", ""])
def test_a_date_that_is_none_is_refused_saying_how_to_write_one(typed, speak):
    speak("es")
    with pytest.raises(words.BadDate, match="escríbala como 20/11/2026, 2026-11-20"):
        words.period(typed)


def test_dates_are_shown_as_people_read_them(speak):
    speak("es")
    assert words.shown_date(date(2026, 11, 20)) == "20/11/2026"
    assert words.shown_date("2026-03-04") == "04/03/2026"
    assert words.shown_time("2026-11-20T10:12:03.123+00:00") == "20/11/2026 10:12:03"
    assert words.shown_number(1.25, 1) in ("1,2", "1,3")
    speak("en")
    assert words.shown_date(date(2026, 11, 20)) == "2026-11-20"
    assert words.shown_time("2026-11-20T10:12:03.123+00:00") == "2026-11-20T10:12:03"


# --- each command, in both languages, on the sample ---------------------------------

def _fragments() -> list[str]:
    """The fixed English text of the core's messages, long enough to be a sentence."""
    tool = _catalogs_tool()
    found = set()
    for message in tool.extract():
        if not message.id or not any(
                any(Path(f).as_posix().endswith(f"archive_tool/{m}.py") for m in CORE)
                for f, _line in message.locations):
            continue
        for form in _forms(message.id):
            try:
                parts = [literal for literal, *_rest in string.Formatter().parse(form)]
            except ValueError:  # braces that are not placeholders
                parts = [form]
            found.update(p.strip() for p in parts if len(p.strip()) >= 12 and " " in p.strip())
    return sorted(found)


def _english_in(text: str, fragments: list[str]) -> list[str]:
    return [f for f in fragments if f in text]


@pytest.fixture(scope="module")
def fragments() -> list[str]:
    return _fragments()


def test_client_list_in_both_languages(sample, speak, fragments):
    speak("es")
    es = out(sample, "client", "list")
    assert es.splitlines()[0].split()[:3] == ["código", "nombre", "categoría"]
    assert "proveedor" in es and "estándar" in es and "baja" in es
    assert "30/10/2026" in es and "2026-10-30" not in es
    assert es.rstrip().endswith("14 clientes")
    assert not _english_in(es, fragments)
    speak("en")
    en = out(sample, "client", "list")
    assert en.splitlines()[0].split()[:3] == ["id", "name", "category"]
    assert "supplier" in en and "2026-10-30" in en and en.rstrip().endswith("14 clients")


def test_client_show_in_both_languages(sample, speak, fragments):
    speak("es")
    es = out(sample, "client", "show", "CL-0001")
    assert "categoría:" in es and "proveedor" in es and "desde:" in es
    assert re.search(r"^últimas entradas \((\d+) de \1\):$", es, re.MULTILINE)
    assert re.search(r"30/10/2026\s+informe-contacto\s+Informe de contacto", es)
    assert re.search(r"04/03/2026\s+carta\s+", es)
    assert "E-010  principal" in es and "(activo)" in es
    assert not _english_in(es, fragments)
    speak("en")
    en = out(sample, "client", "show", "CL-0001")
    assert re.search(r"^last entries \((\d+) of \1\):$", en, re.MULTILINE)
    assert re.search(r"2026-03-04\s+letter\s+", en)


def test_validate_in_both_languages_json_keeps_keys_and_rules(sample, speak):
    (sample / "clients/stray").mkdir()
    speak("es")
    result = Run(sample)("validate")
    lines = result.stdout.splitlines()
    assert "clients/stray:1:1: aviso [folder-name] no es una carpeta de cliente" in result.stdout
    assert re.fullmatch(r"\d+ errores?, \d+ avisos?", lines[-1])
    data = json.loads(Run(sample)("--json", "validate").stdout)
    stray = next(p for p in data["problems"] if p["path"] == "clients/stray")
    assert stray == {"path": "clients/stray", "line": 1, "column": 1, "rule": "folder-name",
                     "severity": "warning", "message": "no es una carpeta de cliente"
                     " (CL-0000 o CL-0000-nombre); cámbiele el nombre o muévala"}
    speak("en")
    data = json.loads(Run(sample)("--json", "validate").stdout)
    stray = next(p for p in data["problems"] if p["path"] == "clients/stray")
    assert stray["message"].startswith("not a client folder")
    assert re.fullmatch(r"\d+ errors?, \d+ warnings?",
                        Run(sample)("validate").stdout.splitlines()[-1])


def test_schema_messages_in_spanish_name_the_stored_word(sample, speak):
    record = sample / CL1 / "client.yaml"
    record.write_text(record.read_text(encoding="utf-8").replace(
        "category: supplier", "category: proveedor"), encoding="utf-8")
    speak("es")
    data = json.loads(Run(sample)("--json", "validate", "CL-0001").stdout)
    enum = next(p for p in data["problems"] if p["rule"] == "schema-enum")
    assert enum["message"] == ("category: escriba 'proveedor' como supplier: los ficheros"
                               " guardan los nombres en inglés")


def test_status_in_both_languages(sample, speak, fragments):
    speak("es")
    es = out(sample, "status")
    assert es.splitlines()[0] == "daemon:   detenido"
    assert "última conciliación: nunca" in es and "versiones: 0,0 MB guardados" in es
    assert "clientes: 14, 0 con errores" in es
    assert not _english_in(es, fragments)
    speak("en")
    en = out(sample, "status")
    assert en.splitlines()[0] == "daemon:   not running" and "versions: 0.0 MB stored" in en


def test_status_of_a_daemon_still_starting(sample, speak):
    from archive_tool.lockfile import DaemonLock
    from archive_tool.statedir import DAEMON_STATUS

    lock = DaemonLock(sample / ".archive")
    lock.acquire()  # held, as a starting daemon holds it before its first status
    earlier = {"pid": os.getpid() + 1, "running": False, "started": "2026-11-27T09:00:00+00:00",
               "last_reconcile": "2026-11-27T10:00:00+00:00", "watcher": "InotifyObserver"}
    (sample / ".archive" / DAEMON_STATUS).write_text(json.dumps(earlier))  # the last one's
    try:
        speak("es")
        lines = out(sample, "status").splitlines()
        assert lines[0] == f"daemon:   en marcha (pid {os.getpid()}, arrancando)"
        assert lines[1].startswith("última conciliación: 27/11/2026")
        speak("en")
        assert out(sample, "status").splitlines()[0] == \
            f"daemon:   running (pid {os.getpid()}, starting up)"
    finally:
        lock.release()


def test_log_and_custody_in_both_languages(sample, speak, tmp_path, fragments):
    speak("es")
    logged = out(sample, "log", "CL-0001", "--kind", "llamada", "--subject", "Prueba",
                 "--date", "20/11/2026", "--direction", "entrada")
    assert logged.strip() == f"entrada registrada: {CL1}/correspondence/2026-11-20-prueba.yaml"
    entry = yaml.safe_load((sample / CL1 / "correspondence/2026-11-20-prueba.yaml").read_text())
    assert (entry["kind"], entry["direction"]) == ("call", "in")
    out(sample, "index")
    taken = out(sample, "checkout", "CL-0001", "correspondence/2026-11-20-prueba.yaml",
                "--to", str(tmp_path / "fuera"), "--edit", "--days", "3")
    assert re.search(r"/2026-11-20-prueba\.yaml  \(edición, devolver el \d\d/\d\d/\d{4}\)$",
                     taken.strip())
    copy = taken.strip().rpartition("  (")[0]
    listed = out(sample, "checkouts")
    assert listed.splitlines()[0].split()[:3] == ["ruta", "usuario", "modo"]
    assert "edición" in listed
    released = out(sample, "checkin", "--cancel", copy)
    assert released.startswith("liberado ")
    assert out(sample, "checkouts").strip() == "no hay préstamos abiertos"
    versions = out(sample, "versions", f"{CL1}/client.yaml")
    assert versions.splitlines()[0].split()[:3] == ["versión", "fecha", "(UTC)"]
    assert re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d:\d\d", versions)
    history = out(sample, "history", "CL-0001")
    assert history.startswith("cambios de la ficha:") and "versiones de ficheros:" in history
    for text in (logged, taken, listed, versions, history):
        assert not _english_in(text, fragments)
    speak("en")
    assert out(sample, "checkouts").strip() == "no open check-outs"
    assert out(sample, "history", "CL-0001").startswith("record changes:")


def test_audit_in_both_languages(sample, speak, fragments):
    out(sample, "client", "show", "CL-0001")
    speak("es")
    table = out(sample, "audit", "--since", "2026")
    assert table.splitlines()[0].split()[:3] == ["fecha", "(UTC)", "empleado"]
    verdict = out(sample, "audit", "--verify")
    assert re.match(r"correcto: \d+ asientos, cadena intacta", verdict)
    assert "  comprobado: " in verdict
    assert not _english_in(table + verdict, fragments)
    speak("en")
    assert re.match(r"ok: \d+ records, chain intact", out(sample, "audit", "--verify"))


def test_staff_import_and_permissions_in_both_languages(sample, speak, tmp_path, fragments):
    speak("es")
    plan = out(sample, "staff", "transfer", "E-010", "--to", "E-011", "--dry-run")
    assert plan.startswith("se traspasarían ") and "(principal)" in plan
    folder = tmp_path / "escaneos"
    folder.mkdir()
    (folder / "2026-11-02_pedido.txt").write_text("pedido")
    planned = out(sample, "import", str(folder), "--client", "CL-0001", "--kind", "carta",
                  "--dry-run")
    assert planned.startswith("previsto  ") and "-> 02/11/2026 Pedido" in planned
    permissions = out(sample, "permissions", "plan")
    assert permissions.startswith("sin cuenta de servicio")
    for text in (plan, planned, permissions):
        assert not _english_in(text, fragments)
    speak("en")
    assert out(sample, "staff", "transfer", "E-010", "--to", "E-011", "--dry-run"
               ).startswith("would hand ")


def test_errors_in_the_persons_language(sample, speak):
    speak("es")
    result = Run(sample)("client", "show", "CL-9999")
    assert result.exit_code == 4
    assert result.stderr.splitlines()[-1] == ("error: el cliente CL-9999 no está en este"
                                             " archivo; consulte 'archive-tool client list'")
    refused = Run(sample)("client", "list", "--tier", "oro")
    assert refused.exit_code == 2
    assert len(refused.stderr.strip().splitlines()) == 1
    assert refused.stderr.startswith("error: ")
    assert "'oro' no es un nivel de cliente; use uno de estos: estándar, vip" in refused.stderr
    speak("en")
    refused = Run(sample)("client", "list", "--tier", "oro")
    assert "'oro' is not a client tier; use one of: standard, vip" in refused.stderr


def test_help_lists_spanish_words(sample, speak):
    speak("es")
    text = out(sample, "client", "list", "--help")
    assert "[proveedor|distribuidor|especial]" in text and "[estándar|vip]" in text
    assert "[potencial|activo|inactivo|baja]" in text
    speak("en")
    assert "[supplier|distributor|special]" in out(sample, "client", "list", "--help")


# --- Spanish words find what English ones find --------------------------------------

@pytest.mark.parametrize(("option", "spanish", "english"), [
    ("--category", "proveedor", "supplier"),
    ("--category", "Distribuidor", "distributor"),
    ("--category", "especial", "special"),
    ("--tier", "estandar", "standard"),
    ("--tier", "VIP", "vip"),
    ("--status", "baja", "terminated"),
    ("--status", "activo", "active"),
    ("--status", "potencial", "prospect"),
])
def test_spanish_option_values_equal_their_english_twins(sample, option, spanish, english):
    def ids(value: str) -> list[str]:
        return [c["id"] for c in json.loads(out(sample, "--json", "client", "list",
                                                option, value))["clients"]]

    assert ids(spanish) == ids(english)
    assert ids(english), f"{option} {english} finds nothing in the sample"


def test_log_kind_carta_files_what_kind_letter_files(sample):
    def logged(kind: str, subject: str) -> str:
        rel = json.loads(out(sample, "--json", "log", "CL-0002", "--kind", kind, "--subject",
                             subject, "--date", "2026-11-02"))["path"]
        text = (sample / rel).read_text()
        return text.replace(subject, "S")

    assert logged("carta", "Uno") == logged("letter", "Dos")
    assert logged("reunion", "Tres") == logged("meeting", "Cuatro")
    assert logged("informe-contacto", "Cinco") == logged("contact_report", "Seis")


def test_log_date_as_people_write_it(sample):
    spanish = json.loads(out(sample, "--json", "log", "CL-0002", "--kind", "nota",
                             "--subject", "Uno", "--date", "20/11/2026"))["path"]
    iso = json.loads(out(sample, "--json", "log", "CL-0002", "--kind", "note",
                         "--subject", "Dos", "--date", "2026-11-20"))["path"]
    assert spanish.rpartition("/")[2].startswith("2026-11-20-")
    assert iso.rpartition("/")[2].startswith("2026-11-20-")


def test_audit_since_a_month_equals_since_its_first_day(sample):
    out(sample, "client", "show", "CL-0001")
    first = json.loads(out(sample, "--json", "audit"))["records"][0]["at"]
    year, month_number = first[:4], first[5:7]
    month = json.loads(out(sample, "--json", "audit", "--since",
                           f"{month_number}/{year}"))["records"]
    day = json.loads(out(sample, "--json", "audit", "--since",
                         f"{year}-{month_number}-01"))["records"]
    spanish_day = json.loads(out(sample, "--json", "audit", "--since",
                                 f"01/{month_number}/{year}"))["records"]
    # each call adds its own audit record after those it shows
    assert month and day[:len(month)] == month and spanish_day[:len(day)] == day
    assert {r["action"] for r in spanish_day[len(month):]} == {"audit"}
    later = json.loads(out(sample, "--json", "audit", "--since", "2099"))["records"]
    assert later == []


def test_import_kind_in_spanish_files_the_english_kind(sample, tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "2026-11-03-acta.txt").write_text("acta de la reunión")
    items = json.loads(out(sample, "--json", "import", str(folder), "--client", "CL-0002",
                           "--kind", "reunión"))["items"]
    assert yaml.safe_load((sample / items[0]["entry"]).read_text())["kind"] == "meeting"


# --- CSV for Spanish Excel ------------------------------------------------------------

def test_csv_in_spanish_uses_semicolons_and_a_bom(sample, speak):
    speak("es")
    raw = Run(sample)("client", "list", "--format", "csv").stdout_bytes
    assert raw.startswith("\ufeffcódigo;nombre;categoría;".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 15 and all(len(r) == len(rows[0]) for r in rows)
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["código"] == "CL-0001" and first["categoría"] == "proveedor"
    assert first["último contacto"] == "30/10/2026"


def test_csv_in_english_uses_commas_and_no_bom(sample, speak):
    speak("en")
    raw = Run(sample)("client", "list", "--format", "csv").stdout_bytes
    assert raw.startswith(b"id,name,category,")


def test_csv_separator_and_bom_can_be_chosen(sample, speak):
    speak("es")
    raw = Run(sample)("client", "list", "--format", "csv", "--sep", ",", "--no-bom").stdout_bytes
    assert raw.startswith("código,nombre,".encode())
    tabs = Run(sample)("client", "list", "--format", "csv", "--sep", "\\t").stdout
    assert tabs.startswith("\ufeffcódigo\tnombre\t")
    bad = Run(sample)("client", "list", "--format", "csv", "--sep", ";;")
    assert bad.exit_code == 2 and bad.stderr.splitlines()[-1].startswith("error: ")


# --- what the daemon compares is what a problem is, not its words ----------------------

def test_a_problem_worded_in_another_language_is_neither_found_nor_fixed():
    from archive_tool.syncing import _compare

    english = {"path": "a", "line": 1, "column": 1, "rule": "r", "severity": "error",
               "message": "missing"}
    spanish = dict(english, message="falta")
    other = dict(english, rule="s", message="other")
    assert _compare([english], [spanish]) == ([], [])
    found, fixed = _compare([english, other], [spanish])
    assert found == [] and [p.rule for p in fixed] == ["s"]
    twice = [english, dict(english, message="second")]
    found, fixed = _compare(twice, [english])
    assert found == [] and [p.message for p in fixed] == ["second"]
