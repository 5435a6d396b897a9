from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "cmeconf.accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from cmeconf.accounts import receivers  # noqa: F401  (connects the receivers)
