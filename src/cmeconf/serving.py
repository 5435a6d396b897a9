"""Static files in front of Django, for the ASGI and WSGI servers.

They are served before Django's middleware, so that no middleware needs a sync
mode under ASGI (a sync-only one would send every request through a thread and
back). Hashed file names from collectstatic are cached for a year; the
CompressedManifestStaticFilesStorage provides their gzip and brotli variants.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings

# ManifestStaticFilesStorage puts a 12-hex-digit hash before the extension.
HASHED = r"\.[0-9a-f]{12}\.\w+$"


def _security_headers(headers, path: str, url: str) -> None:
    headers["X-Content-Type-Options"] = "nosniff"


def with_static_files(asgi_app: Callable) -> Callable:
    if settings.DEBUG:
        from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

        return ASGIStaticFilesHandler(asgi_app)
    from servestatic import ServeStaticASGI

    return ServeStaticASGI(
        asgi_app,
        root=settings.STATIC_ROOT,
        prefix=settings.STATIC_URL,
        immutable_file_test=HASHED,
        add_headers_function=_security_headers,
    )


def with_static_files_wsgi(wsgi_app: Callable) -> Callable:
    if settings.DEBUG:
        from django.contrib.staticfiles.handlers import StaticFilesHandler

        return StaticFilesHandler(wsgi_app)
    from servestatic import ServeStatic

    return ServeStatic(
        wsgi_app,
        root=settings.STATIC_ROOT,
        prefix=settings.STATIC_URL,
        immutable_file_test=HASHED,
        add_headers_function=_security_headers,
    )
