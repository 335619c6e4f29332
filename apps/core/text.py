"""Text that follows the reader's language: lists joined with the locale's separator."""

from collections.abc import Iterable

from django.utils.translation import pgettext


def list_separator() -> str:
    """The separator between the items of a list in the active language (", " in English and
    Italian, "、" in Chinese)."""
    return pgettext("separator between list items", ", ")


def join_list(items: Iterable) -> str:
    """`items` as text, joined with the active language's separator."""
    return list_separator().join(str(item) for item in items)
