"""The customer's answer to an invitation link: accept, decline, create the organization.

Without a link in the session (as here), accept and decline refuse with 400 and the sign-up
page says to open the link first (400). Accept and decline are POST only.
"""

from . import LOGIN, Route, expect

ROWS = [
    Route("invitations:accept", expect(405, anonymous=LOGIN)),
    Route("invitations:accept", expect(400, anonymous=LOGIN), method="post"),
    Route("invitations:decline", expect(405, anonymous=LOGIN)),
    Route("invitations:decline", expect(400, anonymous=LOGIN), method="post"),
    Route("invitations:accept_signup", expect(400)),
]
