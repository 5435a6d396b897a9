"""WSGI entry point, for tools that want one; cmeconf serves through ASGI."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cmeconf.settings")

from cmeconf.serving import with_static_files_wsgi

application = with_static_files_wsgi(get_wsgi_application())
