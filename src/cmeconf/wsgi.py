"""WSGI entry point, for tools that want one; cmeconf serves through ASGI."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cmeconf.settings")
application = get_wsgi_application()
