from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "cmeconf.common"
    verbose_name = "Common"
