"""The customer's answer to an invitation link: accept, decline, create the organization.

Without a link in the session (as here), accept, decline and the sign-up page answer with the
core link-problem page for an unknown link (404: a link that never worked, see
apps.core.links.LinkProblem.status). Accept and decline are POST only.
"""

from . import LOGIN, Route, expect

ROWS = [
    Route("invitations:accept", expect(405, anonymous=LOGIN)),
    Route("invitations:accept", expect(404, anonymous=LOGIN), method="post"),
    Route("invitations:decline", expect(405, anonymous=LOGIN)),
    Route("invitations:decline", expect(404, anonymous=LOGIN), method="post"),
    Route("invitations:accept_signup", expect(404)),
]
