"""The translation catalogs as tests see them: where they are, what they say, and compiling
them (the set-up commands compile too; tests do it themselves so that `pytest` alone works).
"""

import html
import os
import subprocess
import tempfile
from pathlib import Path

import polib
from django.conf import settings
from django.test.signals import language_changed

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
# catalog directory name → language code used in URLs, headers and User.language
LANGUAGES = {"it": "it", "zh_Hans": "zh-hans"}


def po_path(catalog: str) -> Path:
    return LOCALE_DIR / catalog / "LC_MESSAGES" / "django.po"


def load(catalog: str) -> polib.POFile:
    return polib.pofile(str(po_path(catalog)))


def translation_of(catalog: str, msgid: str) -> str:
    """The committed translation of `msgid` (as a page shows it, HTML entities decoded)."""
    entry = load(catalog).find(msgid)
    assert entry is not None, f"{msgid!r} is not in the {catalog} catalog"
    assert entry.msgstr, f"{msgid!r} is not translated in the {catalog} catalog"
    return entry.msgstr


def page_text(response) -> str:
    """A response's HTML with entities decoded, so translations with apostrophes match."""
    return html.unescape(response.content.decode())


def compile_catalogs() -> bool:
    """Compile every .po whose .mo is missing or older. Each .mo is written to a temporary
    file and moved into place, so parallel test workers never read half a file. Returns
    whether anything was compiled (then Django's cached catalogs are dropped)."""
    compiled = False
    for po in sorted(LOCALE_DIR.glob("*/LC_MESSAGES/django.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        fd, tmp = tempfile.mkstemp(dir=po.parent, suffix=".mo.tmp")
        os.close(fd)
        try:
            subprocess.run(
                ["msgfmt", "--check-format", "-o", tmp, str(po)],
                check=True,
                capture_output=True,
                text=True,
            )
            os.replace(tmp, mo)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        compiled = True
    if compiled:
        # forget catalogs loaded before this, as Django does when LOCALE_PATHS changes
        language_changed(setting="LOCALE_PATHS")
    return compiled
