from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "handoff.accounts"
    label = "accounts"
    verbose_name = "Accounts and organizations"
