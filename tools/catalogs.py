"""The message catalogs: extract every marked sentence from the package, bring the
Spanish and English catalogs up to date, compile them for the package.

    python tools/catalogs.py            # extract + update + compile + render help
    python tools/catalogs.py --check    # exit 1 if a message lacks a translation

Needs Babel (in the test extra). English catalogs translate each message to
itself, so that both are complete and a missing translation shows in either.
click's own sentences are extracted from the installed click too. Translations
found in tools/translations/*.po (one file per part of the program, written by
whoever wrote its messages) fill the Spanish catalog's missing entries.
"""

from __future__ import annotations

import argparse
import copy
import sys
from pathlib import Path

import click
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "archive_tool"
LOCALE = PACKAGE / "locale"
DOMAIN = "archive_tool"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
LANGUAGES = ("es", "en")
MEMORY = ROOT / "tools" / "translations"


def extract() -> Catalog:
    template = Catalog(project="archive-tool", domain=DOMAIN)
    for package in (PACKAGE, Path(click.__file__).parent):
        for filename, lineno, message, comments, context in extract_from_dir(
                package, method_map=[("**.py", "python"), ("**/templates/**.html", "jinja2")],
                keywords=KEYWORDS,
                comment_tags=("TRANSLATORS:",), strip_comment_tags=True):
            if "_winconsole" in filename or "shell_completion" in filename:
                continue
            template.add(message, None, [(f"{package.name}/{filename}", lineno)],
                         auto_comments=comments, context=context)
    for where, text in help_texts():
        template.add(text, None, [(where, 0)])
    return template


def help_texts() -> list[tuple[str, str]]:
    """The help of every command and option, as click shows it."""
    from archive_tool import i18n
    from archive_tool.cli import load

    i18n.use("en")  # click translates some of its help texts when the commands load

    found = []

    def walk(command, path: str) -> None:
        if command.help:
            found.append((path, command.help))
        if command.short_help:
            found.append((path, command.short_help))
        for param in command.params:
            if getattr(param, "help", None):
                found.append((f"{path} {param.name}", param.help))
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, f"{path} {name}")

    walk(load(), "archive-tool")
    return found


def check() -> dict[str, list[str]]:
    """The messages of the code that either catalog lacks, without writing anything."""
    template = extract()
    missing = {}
    for language in LANGUAGES:
        catalog = load(language)
        missing[language] = [str(m.id) for m in template if m.id and (
            (found := catalog.get(m.id)) is None or not found.string
            or (isinstance(found.string, tuple) and not all(found.string)))]
    return missing


def memory() -> dict:
    """Known Spanish translations, from tools/translations/*.po."""
    known: dict = {}
    for path in sorted(MEMORY.glob("*.po")):
        with path.open("rb") as f:
            for message in read_po(f, locale="es"):
                string = message.string
                if isinstance(string, tuple) and string and all(string):  # every Spanish form
                    forms = Catalog(locale="es").num_plurals
                    string = (*string, *[string[-1]] * (forms - len(string)))[:max(forms, 1)]
                if message.id and string and (not isinstance(string, tuple) or all(string)):
                    known[message.id] = string
    return known


def po_path(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def load(language: str) -> Catalog:
    path = po_path(language)
    if not path.is_file():
        return Catalog(locale=language, domain=DOMAIN, project="archive-tool")
    with path.open("rb") as f:
        return read_po(f, locale=language, domain=DOMAIN)


def update(template: Catalog) -> dict[str, list[str]]:
    """Bring each catalog up to date with the code; (language -> untranslated ids)."""
    missing = {}
    known = memory()
    for language in LANGUAGES:
        catalog = load(language)
        # update() adopts the template's new messages themselves: each language its own copy
        catalog.update(copy.deepcopy(template), no_fuzzy_matching=True)
        for message in catalog:
            if message.id and language == "en":  # English translates each message to itself
                message.string = message.id
            elif message.id and message.id in known:  # the translations' files are the source
                message.string = known[message.id]
                message.flags.discard("fuzzy")
        catalog.obsolete.clear()
        missing[language] = [str(m.id) for m in catalog if m.id and (
            not m.string or (isinstance(m.string, tuple) and not all(m.string))
            or m.fuzzy)]
        path = po_path(language)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as f:
            write_po(f, catalog, width=100, sort_output=False, omit_header=False)
        with path.with_suffix(".mo").open("wb") as f:
            write_mo(f, catalog, use_fuzzy=False)
    return missing


def write_help() -> None:
    """Every command's help, rendered from the compiled catalogs, beside them."""
    import json
    import subprocess

    for language in LANGUAGES:  # a fresh process each: the catalogs just written
        texts = subprocess.run(
            [sys.executable, "-c", "import json, sys; from archive_tool.cli import helptexts;"
             f" json.dump(helptexts.render({language!r}), sys.stdout)"],
            check=True, capture_output=True, text=True, cwd=ROOT).stdout
        target = LOCALE / language / "help.json"
        target.write_text(json.dumps(json.loads(texts), ensure_ascii=False, indent=1,
                                     sort_keys=True) + "\n", encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    missing = check() if args.check else update(extract())
    if not args.check:
        write_help()
    for language, ids in missing.items():
        for message_id in ids:
            sys.stderr.write(f"{language}: no translation: {message_id!r}\n")
    if args.check:
        return 1 if any(missing.values()) else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
