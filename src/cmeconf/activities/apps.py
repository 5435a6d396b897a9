from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "cmeconf.activities"
    verbose_name = _("Activities and program")

    def ready(self) -> None:
        from cmeconf.activities import receivers

        receivers.connect()
