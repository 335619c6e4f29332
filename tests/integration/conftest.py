"""Fixtures shared with the invitations tests."""

from tests.invitations.conftest import dap_invitation  # noqa: F401
