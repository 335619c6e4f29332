from . import LOGIN, Route, expect

ROWS = [
    Route("dashboard", expect(200, anonymous=LOGIN)),
    Route("healthz", expect(200)),
    Route("set_language", expect(405)),  # POST only; the POST is tested in tests/accounts
    Route("accounts:login", expect(302, anonymous=200)),  # signed-in users go to the dashboard
    Route("accounts:logout", expect(405, anonymous=LOGIN)),  # POST only
    Route("accounts:profile", expect(200, anonymous=LOGIN)),
    Route("accounts:password_change", expect(200, anonymous=LOGIN)),
    # two-step verification: every signed-in user's own pages (tests/accounts/test_mfa*.py)
    Route("accounts:mfa", expect(200, anonymous=LOGIN)),
    Route("accounts:mfa_setup", expect(200, anonymous=LOGIN)),
    # without a second factor there is nothing to verify or renew: back to the start
    Route("accounts:mfa_verify", expect(302, anonymous=LOGIN)),
    Route("accounts:mfa_recovery_codes", expect(302, anonymous=LOGIN)),
    Route("accounts:mfa_remove", expect(405, anonymous=LOGIN)),  # POST only
    Route(
        "accounts:mfa_passkey_remove",
        expect(405, anonymous=LOGIN),  # POST only; only one's own (tests/accounts/test_passkeys.py)
        kwargs=lambda cast: {"passkey_id": 1},
    ),
    # passkey ceremonies (django-otp-webauthn's JSON endpoints): POST only
    Route("otp_webauthn:credential-registration-begin", expect(405, anonymous=LOGIN)),
    Route("otp_webauthn:credential-registration-complete", expect(405, anonymous=LOGIN)),
    Route("otp_webauthn:credential-authentication-begin", expect(405, anonymous=LOGIN)),
    Route("otp_webauthn:credential-authentication-complete", expect(405, anonymous=LOGIN)),
    Route("otp_webauthn:js-i18n-catalog", expect(200, anonymous=LOGIN)),
    Route("accounts:password_change_done", expect(200, anonymous=LOGIN)),
    Route("accounts:password_reset", expect(200)),
    Route("accounts:password_reset_done", expect(200)),
    Route(
        "accounts:password_reset_confirm",
        expect(200),  # an invalid link renders its own "not valid" page
        kwargs=lambda cast: {"uidb64": "MQ", "token": "bad-token"},
    ),
    Route("accounts:password_reset_complete", expect(200)),
    # sign-up confirmation (tests/accounts/test_signup_confirmation.py): public; opening any
    # token moves it into the session and redirects; without a working link the page is 404
    Route(
        "accounts:signup_link",
        expect(302),
        kwargs=lambda cast: {"token": "not-a-real-token-but-well-formed"},
    ),
    Route("accounts:signup_confirm", expect(404)),
    Route("accounts:signup_confirm", expect(404), method="post"),
    Route(
        "partners:home",
        expect(
            404,
            anonymous=LOGIN,
            provider_admin=200,
            provider_agent=200,
            provider_sales=200,
            provider_helpdesk=200,
        ),
        kwargs=lambda cast: {"partner_id": cast.provider.public_id},
    ),
    Route(
        "customers:home",
        expect(404, anonymous=LOGIN, customer_admin=200),
        kwargs=lambda cast: {"customer_id": cast.customer.public_id},
    ),
]
