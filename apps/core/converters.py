"""Path converters: an id or token in a URL is checked for shape before any view runs.

A value that cannot be an id (a NUL byte, ten thousand characters, a number beyond the
database's bigint) does not match the route at all, so the answer is a plain 404 and the value
never reaches a query. `CoreConfig.ready` registers them as `public_id`, `dbid` and `token`.
"""

from django.urls import register_converter


class PublicIdConverter:
    """A public identifier (`P…`, `C…`, `I…`: a letter and ten characters, at most 16)."""

    regex = "[0-9A-Z]{2,16}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class DatabaseIdConverter:
    """A primary key: a positive integer that fits PostgreSQL's bigint (at most 18 digits)."""

    regex = "[1-9][0-9]{0,17}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)


class LinkTokenConverter:
    """A one-time link's token: URL-safe base64 with the signer's separators, bounded (a real
    one is under 100 characters; a longer one still gets the link-problem page)."""

    regex = "[A-Za-z0-9_.:-]{1,1000}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


def register() -> None:
    register_converter(PublicIdConverter, "public_id")
    register_converter(DatabaseIdConverter, "dbid")
    register_converter(LinkTokenConverter, "token")
