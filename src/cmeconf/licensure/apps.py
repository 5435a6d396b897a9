from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LicensureConfig(AppConfig):
    name = "cmeconf.licensure"
    label = "licensure"
    verbose_name = _("Licensure")
