// Passkeys: django-otp-webauthn's scripts run the browser ceremonies; after registering one,
// go where the server says (new recovery codes for a first second factor, else the overview).
document.addEventListener("otp_webauthn.register_complete", function (event) {
  const response = event.detail && event.detail.response;
  const next = (response && response.redirect_url) || window.location.pathname;
  window.location.assign(next);
});
