from django.apps import AppConfig
from django.db.models.signals import post_delete


def _forget_token(sender, instance, **kwargs) -> None:
    from cmeconf.api.authentication import RememberedTokenAuthentication
    from cmeconf.checkin import fast_scans

    # At once in this process; other processes forget it within the remembered time.
    RememberedTokenAuthentication._remembered.pop(instance.key, None)
    fast_scans.forget_token(instance.key)


class ApiConfig(AppConfig):
    name = "cmeconf.api"
    verbose_name = "API"

    def ready(self) -> None:
        from rest_framework.authtoken.models import Token

        post_delete.connect(_forget_token, sender=Token, dispatch_uid="cmeconf.api.forget_token")
