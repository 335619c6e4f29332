"""Wording people read in Italian and Chinese (issue 16, points 6 and 11)."""

from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from apps.customers.models import Service

from .catalogs import compile_catalogs, translation_of

SUBJECTS = sorted(
    str(path.relative_to(Path(settings.BASE_DIR) / "templates"))
    for path in (Path(settings.BASE_DIR) / "templates").rglob("*_subject.txt")
)


@pytest.fixture(scope="module", autouse=True)
def compiled_catalogs():
    compile_catalogs()


@pytest.mark.parametrize("template", SUBJECTS)
@pytest.mark.parametrize("language", ["it", "zh-hans"])
def test_every_email_subject_is_written_in_the_recipients_language(template, language):
    with translation.override("en"):
        english = render_to_string(template, {})
    with translation.override(language):
        translated = render_to_string(template, {})
    assert translated.strip() and translated != english, template


def test_the_activity_tab_and_the_active_badge_are_different_words_in_chinese():
    assert translation_of("zh_Hans", "Activity") != translation_of("zh_Hans", "Active")
    assert translation_of("zh_Hans", "Active") not in translation_of("zh_Hans", "Activity")


@pytest.mark.django_db
def test_services_have_the_operators_chinese_names(services):
    office = Service.objects.get(code="office365")
    with translation.override("zh-hans"):
        assert str(office) == "由世纪互联运营的 Office 365"
    with translation.override("it"):
        assert office.display_name == "Office 365 gestito da 21Vianet"
    with translation.override("en"):
        assert str(office) == "Office 365 operated by 21Vianet"
