from django.apps import AppConfig


class AgenciesConfig(AppConfig):
    name = "agencies"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from agencies import session_timeout

        # Stamps the new session's sign-in and last activity (the idle and absolute limits).
        user_logged_in.connect(session_timeout.on_sign_in, dispatch_uid="session-timeout-stamps")
