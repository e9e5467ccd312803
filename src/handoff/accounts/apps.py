from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "handoff.accounts"
    label = "accounts"
    verbose_name = "Accounts and organizations"

    def ready(self):
        from handoff.accounts import security_events  # noqa: F401  (connects the receivers)
