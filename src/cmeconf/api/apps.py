from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "cmeconf.api"
    verbose_name = "API"
