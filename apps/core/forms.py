"""Putting a service's refusal on the form that asked for the change."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


def error_text(exc: ValidationError) -> str:
    """A service's refusal as one line, for a message rather than a form."""
    return " ".join(str(m) for m in exc.messages)


def add_service_errors(
    form: forms.Form, exc: ValidationError, *, field_names: dict[str, str] | None = None
) -> None:
    """Show a service's ValidationError on `form`: each message on the field it names when
    the form has that field (after renaming through `field_names`), else at the top."""
    field_names = field_names or {}
    by_field = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
    for field, messages in by_field.items():
        name = field_names.get(field, field)
        target = name if name in form.fields else None
        for message in messages:
            form.add_error(target, message)
