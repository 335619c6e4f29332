"""One date format and one time-zone rule (issue 16, point 8), and lists joined as the
language joins them (point 11)."""

import datetime
import zoneinfo

from django.template import Context, Template
from django.utils import timezone, translation

from apps.core.dates import format_day, format_when
from apps.core.text import join_list
from tests.i18n.catalogs import compile_catalogs

# 13:00 UTC on 7 December 2026: 14:00 in Rome (CET), 21:00 in Shanghai (CST)
MOMENT = datetime.datetime(2026, 12, 7, 13, 0, tzinfo=datetime.UTC)
# 20:30 UTC on 6 December: already 7 December in Shanghai
LATE = datetime.datetime(2026, 12, 6, 20, 30, tzinfo=datetime.UTC)


def test_a_moment_is_shown_in_the_active_zone_with_the_zone_named():
    with translation.override("en"), timezone.override(zoneinfo.ZoneInfo("Europe/Rome")):
        assert format_when(MOMENT) == "7 Dec 2026, 14:00 CET"
    with translation.override("en"), timezone.override(zoneinfo.ZoneInfo("Asia/Shanghai")):
        assert format_when(MOMENT) == "7 Dec 2026, 21:00 CST"


def test_a_day_is_the_readers_day_not_the_utc_one():
    with translation.override("en"), timezone.override(zoneinfo.ZoneInfo("Asia/Shanghai")):
        assert format_day(LATE) == "7 Dec 2026"
    with translation.override("en"), timezone.override(zoneinfo.ZoneInfo("UTC")):
        assert format_day(LATE) == "6 Dec 2026"


def test_the_format_follows_the_language():
    compile_catalogs()
    with translation.override("zh-hans"), timezone.override(zoneinfo.ZoneInfo("Asia/Shanghai")):
        assert format_when(MOMENT) == "2026年12月7日 21:00 CST"
        assert format_day(MOMENT) == "2026年12月7日"
    with translation.override("it"), timezone.override(zoneinfo.ZoneInfo("Europe/Rome")):
        assert format_when(MOMENT) == "7 Dic 2026, 14:00 CET"


def test_the_template_filters_are_the_same_helpers():
    template = Template("{% load portal_tags %}{{ moment|when }} / {{ moment|day }}")
    with translation.override("en"), timezone.override(zoneinfo.ZoneInfo("Europe/Rome")):
        assert template.render(Context({"moment": MOMENT})) == "7 Dec 2026, 14:00 CET / 7 Dec 2026"
    assert format_when(None) == "" and format_day(None) == ""


def test_lists_are_joined_with_the_languages_separator():
    compile_catalogs()
    with translation.override("en"):
        assert join_list(["Office 365", "Azure"]) == "Office 365, Azure"
    with translation.override("zh-hans"):
        assert join_list(["Office 365", "Azure"]) == "Office 365、Azure"
    with translation.override("it"):
        assert join_list(["provisioning", "support"]) == "provisioning, support"
