"""Whole public pages cached for visitors who are not logged in.

Most requests for a conference's program come from people who are not logged
in, and for them a page is the same for everyone but for its CSRF token. Such a
page is stored once per program version with a placeholder for the token, and
served with one cache round trip and no query: the activity's current program
version is kept in the cache too (under its slugs), and every program change
forgets it (see `forget`). Each server process also keeps its latest pages in
memory and trusts the version it saw for VERSION_TTL, so that most hits cost no
round trip at all; another process's change shows here within that second.
"""

from __future__ import annotations

import functools
import hashlib
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import translation

from cmeconf.activities.choices import PUBLIC_STATES
from cmeconf.activities.models import Activity

# What cached HTML holds where a form needs the requester's CSRF token.
CSRF_PLACEHOLDER = "__cmeconf_csrf_token__"
# A version that no activity has: "not public" is cached too, so a draft's URL costs no query.
NOT_PUBLIC = -1


def version_key(provider_slug: str, activity_slug: str) -> str:
    return f"public-version:{provider_slug}:{activity_slug}"


def forget(provider_slug: str, activity_slug: str) -> None:
    """Drop the cached program version: the next request looks it up afresh."""
    cache.delete(version_key(provider_slug, activity_slug))
    _local_versions.pop((provider_slug, activity_slug), None)


def _current_version(provider_slug: str, activity_slug: str) -> int:
    row = (
        Activity.objects.filter(provider__slug=provider_slug, slug=activity_slug)
        .values_list("program_version", "state")
        .first()
    )
    version = row[0] if row and row[1] in PUBLIC_STATES else NOT_PUBLIC
    cache.set(version_key(provider_slug, activity_slug), version, settings.PROGRAM_CACHE_SECONDS)
    return version


# Each server process keeps the pages it served last, and the program versions it
# saw, for a moment: a hit then needs no network round trip and no thread. Another
# process's change reaches this one within VERSION_TTL (this one's own at once).
VERSION_TTL = 1.0
LOCAL_BYTES = 32 * 1024 * 1024  # per process: every page of a large conference, twice over
_local_versions: dict[tuple[str, str], tuple[int, float]] = {}
_local_pages: OrderedDict[str, tuple[int, str, str]] = OrderedDict()
_local_size = 0


def clear_local() -> None:
    global _local_size
    _local_versions.clear()
    _local_pages.clear()
    _local_size = 0


def _page_key(request: HttpRequest) -> str:
    lang = translation.get_language() or settings.LANGUAGE_CODE
    path = hashlib.blake2b(request.get_full_path().encode(), digest_size=16).hexdigest()
    return f"public-page:{lang}:{path}"


def _respond(request: HttpRequest, body: str, content_type: str) -> HttpResponse:
    return HttpResponse(
        body.replace(CSRF_PLACEHOLDER, get_token(request)), content_type=content_type
    )


def _local_hit(request: HttpRequest, slugs: tuple[str, str]) -> HttpResponse | None:
    seen = _local_versions.get(slugs)
    if seen is None or time.monotonic() - seen[1] > VERSION_TTL:
        return None
    stored = _local_pages.get(_page_key(request))
    if stored is None or stored[0] != seen[0]:
        return None
    return _respond(request, stored[1], stored[2])


def _remember(slugs: tuple[str, str], page_key: str, version: int, body: str, ctype: str) -> None:
    global _local_size
    _local_versions[slugs] = (version, time.monotonic())
    old = _local_pages.pop(page_key, None)
    if old is not None:
        _local_size -= len(old[1])
    _local_pages[page_key] = (version, body, ctype)
    _local_size += len(body)
    while _local_size > LOCAL_BYTES and len(_local_pages) > 1:
        _key, (_v, dropped, _c) = _local_pages.popitem(last=False)
        _local_size -= len(dropped)


def _shared_cache_page(view, request: HttpRequest, provider: str, activity: str, **kwargs):
    """The page from the shared cache, or rendered and stored there (runs in a thread)."""
    slugs = (provider, activity)
    page_key = _page_key(request)
    v_key = version_key(provider, activity)
    found = cache.get_many([v_key, page_key])
    version = found.get(v_key)
    if version is None:
        version = _current_version(provider, activity)
    stored = found.get(page_key)
    if stored is not None and stored[0] == version and version != NOT_PUBLIC:
        _remember(slugs, page_key, version, stored[1], stored[2])
        return _respond(request, stored[1], stored[2])
    request.csrf_placeholder = True
    response = view(request, provider=provider, activity=activity, **kwargs)
    if response.status_code == 200 and version != NOT_PUBLIC and not response.cookies:
        body = response.content.decode(response.charset)
        ctype = response["Content-Type"]
        cache.set(page_key, (version, body, ctype), settings.PROGRAM_CACHE_SECONDS)
        _remember(slugs, page_key, version, body, ctype)
        response.content = body.replace(CSRF_PLACEHOLDER, get_token(request))
    return response


def anonymous_page(view: Callable[..., HttpResponse]) -> Callable[..., Awaitable[HttpResponse]]:
    """Serve the view's page from the cache to visitors who are not logged in.

    The view must render CSRF_PLACEHOLDER (request.csrf_placeholder is set) where a
    form needs the token; each visitor gets their own token put in on the way out.
    The wrapper is async so that a hit in this process's memory costs no thread;
    everything else runs the view (and the shared cache) in a thread as usual.
    """
    shared = sync_to_async(functools.partial(_shared_cache_page, view))
    plain = sync_to_async(view)

    @functools.wraps(view)
    async def wrapper(request: HttpRequest, provider: str, activity: str, **kwargs):
        # A pending message (kept in a cookie) must be shown to its own reader, not cached.
        if request.method in ("GET", "HEAD") and "messages" not in request.COOKIES:
            user = await request.auser()
            if not user.is_authenticated:
                hit = _local_hit(request, (provider, activity))
                if hit is not None:
                    return hit
                return await shared(request, provider=provider, activity=activity, **kwargs)
        return await plain(request, provider=provider, activity=activity, **kwargs)

    return wrapper


def csrf_value(request: HttpRequest) -> str:
    """The token a page's forms carry: the placeholder when the page will be cached."""
    return CSRF_PLACEHOLDER if getattr(request, "csrf_placeholder", False) else get_token(request)
