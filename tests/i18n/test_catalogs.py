"""The Italian and Simplified Chinese catalogs are complete, well-formed and in step with the
source: a string added to a template or to Python code without a translation fails here."""

import collections
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

from .catalogs import LANGUAGES, load, po_path

CATALOGS = sorted(LANGUAGES)

# What a translation must carry over unchanged from its source string
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w+\}|\{\{ *\w+ *\}\}")
MARKUP = re.compile(r"</?\w+(?:\s[^>]*)?>")
CJK = re.compile(r"[\u4e00-\u9fff]")


def live_entries(catalog: str) -> list[polib.POEntry]:
    return [e for e in load(catalog) if not e.obsolete]


def translations(entry: polib.POEntry) -> list[tuple[str, str]]:
    """(source, translation) pairs. The first plural form answers the singular source, the
    others the plural one; a language with a single form (Chinese) answers the plural one."""
    if entry.msgid_plural:
        forms = sorted(entry.msgstr_plural.items())
        if len(forms) == 1:
            return [(entry.msgid_plural, forms[0][1])]
        return [(entry.msgid if n == 0 else entry.msgid_plural, s) for n, s in forms]
    return [(entry.msgid, entry.msgstr)]


def carried(pattern: re.Pattern, text: str) -> collections.Counter:
    return collections.Counter(pattern.findall(text))


@pytest.mark.parametrize("catalog", CATALOGS)
def test_the_catalog_exists_for_each_language_the_portal_offers(catalog):
    assert LANGUAGES[catalog] in dict(settings.LANGUAGES)
    assert po_path(catalog).is_file(), f"run makemessages -l {catalog}"


def test_every_language_the_portal_offers_has_a_catalog():
    offered = {code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE}
    assert offered == set(LANGUAGES.values())


@pytest.mark.parametrize("catalog", CATALOGS)
def test_every_entry_is_translated(catalog):
    untranslated = [
        e.msgid for e in live_entries(catalog) if not e.translated() and "fuzzy" not in e.flags
    ]
    assert not untranslated, f"{len(untranslated)} untranslated in {catalog}: {untranslated}"


@pytest.mark.parametrize("catalog", CATALOGS)
def test_no_entry_is_fuzzy(catalog):
    po = load(catalog)
    fuzzy = [e.msgid for e in po if not e.obsolete and "fuzzy" in e.flags]
    assert not fuzzy, (
        f"{len(fuzzy)} fuzzy entries in {catalog} (check, then drop the flag): {fuzzy}"
    )
    assert not po.metadata_is_fuzzy, f"the header of the {catalog} catalog is marked fuzzy"


@pytest.mark.parametrize("catalog", CATALOGS)
def test_the_catalog_names_its_language_and_plural_rule(catalog):
    metadata = load(catalog).metadata
    assert metadata["Language"] == catalog
    assert metadata["Plural-Forms"].startswith("nplurals=")
    assert metadata["Content-Type"] == "text/plain; charset=UTF-8"


@pytest.mark.parametrize("catalog", CATALOGS)
def test_translations_keep_every_placeholder_and_tag(catalog):
    broken = []
    for entry in live_entries(catalog):
        for source, translated in translations(entry):
            if not translated:
                continue
            if carried(PLACEHOLDER, source) != carried(PLACEHOLDER, translated):
                broken.append(("placeholders", entry.msgid, translated))
            if carried(MARKUP, source) != carried(MARKUP, translated):
                broken.append(("markup", entry.msgid, translated))
    assert not broken, "\n".join(f"{kind}: {src!r} → {dst!r}" for kind, src, dst in broken)


@pytest.mark.parametrize("catalog", CATALOGS)
def test_gettext_compiles_the_catalog_without_complaint(catalog, tmp_path):
    result = subprocess.run(
        ["msgfmt", "--check", "-o", str(tmp_path / "django.mo"), str(po_path(catalog))],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_the_chinese_catalog_is_written_in_chinese():
    written = [e for e in live_entries("zh_Hans") if e.translated()]
    # identifiers such as "CSP", "Email" or "%(name)s" may stay as they are; sentences may not
    sentences = [e for e in written if len(e.msgid.split()) >= 4]
    latin_only = [e.msgid for e in sentences if not CJK.search(e.msgstr or e.msgstr_plural[0])]
    assert not latin_only, f"not translated into Chinese: {latin_only}"


def test_the_italian_catalog_is_not_a_copy_of_the_english():
    sentences = [e for e in live_entries("it") if len(e.msgid.split()) >= 4 and e.translated()]
    copied = [e.msgid for e in sentences if e.msgstr == e.msgid]
    assert not copied, f"left in English: {copied}"


# ------------------------------------------------------------------------------
# Out of date: the committed catalogs hold exactly the strings the source marks today
# ------------------------------------------------------------------------------
# as in the README's makemessages command
NOT_SCANNED = {".venv", ".git", "staticfiles", "test-artifacts", "tests", "locale", "node_modules"}
SCANNED_SUFFIXES = {".py", ".html", ".txt"}


def _copy_sources(destination: Path) -> None:
    base = Path(settings.BASE_DIR)
    for item in base.iterdir():
        if item.name in NOT_SCANNED or item.name.startswith("."):
            continue
        if item.is_dir():
            shutil.copytree(
                item,
                destination / item.name,
                ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.sqlite3"),
            )
        elif item.suffix in SCANNED_SUFFIXES:
            shutil.copy2(item, destination / item.name)


@pytest.fixture(scope="module")
def source_strings(tmp_path_factory) -> dict:
    """Every string the source marks for translation, extracted by `makemessages` from a copy
    of the sources (the committed catalogs are never touched)."""
    work = tmp_path_factory.mktemp("makemessages")
    _copy_sources(work)
    (work / "locale").mkdir()
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "it", "--keep-pot"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    pot = polib.pofile(str(work / "locale" / "django.pot"))
    return {(e.msgctxt, e.msgid): e for e in pot if e.msgid}


def _describe(key) -> str:
    context, msgid = key
    return f"{context}|{msgid!r}" if context else repr(msgid)


@pytest.mark.parametrize("catalog", CATALOGS)
def test_every_source_string_is_in_the_catalog(catalog, source_strings):
    committed = {(e.msgctxt, e.msgid) for e in live_entries(catalog)}
    missing = sorted(set(source_strings) - committed, key=str)
    assert not missing, (
        f"{len(missing)} source strings are missing from {catalog}; run `manage.py makemessages "
        f"-l {catalog} --no-obsolete --ignore=.venv --ignore=staticfiles "
        f"--ignore=test-artifacts --ignore=tests` and translate them:\n"
        + "\n".join(map(_describe, missing))
    )


@pytest.mark.parametrize("catalog", CATALOGS)
def test_the_catalog_holds_no_string_the_source_dropped(catalog, source_strings):
    committed = {(e.msgctxt, e.msgid) for e in live_entries(catalog)}
    stale = sorted(committed - set(source_strings), key=str)
    assert not stale, f"no longer in the source (run makemessages --no-obsolete): {stale}"


@pytest.mark.parametrize("catalog", CATALOGS)
def test_plural_entries_match_the_source(catalog, source_strings):
    entries = {(e.msgctxt, e.msgid): e for e in live_entries(catalog)}
    differing = [
        _describe(key)
        for key, source in source_strings.items()
        if key in entries and entries[key].msgid_plural != source.msgid_plural
    ]
    assert not differing, f"plural forms changed in the source: {differing}"
