"""ASGI entry point: HTTP through Django (scanner scans first through checkin.fast_scans),
WebSockets through Channels."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cmeconf.settings")

from channels.routing import ProtocolTypeRouter, URLRouter
from channels.security.websocket import AllowedHostsOriginValidator
from django.core.asgi import get_asgi_application

from cmeconf.serving import with_static_files

django_asgi_app = get_asgi_application()

from cmeconf.checkin.fast_scans import with_fast_scans  # noqa: E402

http_app = with_fast_scans(with_static_files(django_asgi_app))

from channels.auth import AuthMiddlewareStack  # noqa: E402

from cmeconf.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": http_app,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
