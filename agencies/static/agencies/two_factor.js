// A passkey just set up (django-otp-webauthn's script says so with an event): go on.
const registration = document.getElementById("app-passkey-registration");
if (registration) {
  document.addEventListener("otp_webauthn.register_complete", () => {
    window.location.assign(registration.dataset.doneUrl);
  });
}
