"""The `cmeconf` command.

cmeconf demo          migrate, load the demo conference, serve on 127.0.0.1:8000
cmeconf serve         the production ASGI server (uvicorn, several workers)
cmeconf worker        a background task worker (Celery; needs REDIS_URL)
cmeconf demo-data     create the demo provider and conference
cmeconf <command>     any Django management command (migrate, createsuperuser, ...)
"""

from __future__ import annotations

import argparse
import os
import sys


def _django(argv: list[str]) -> None:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["cmeconf", *argv])


def serve(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="cmeconf serve", description="Run the ASGI server.")
    parser.add_argument("--host", default=os.environ.get("CMECONF_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("CMECONF_PORT", "8000")))
    parser.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("CMECONF_WORKERS", "2")),
        help="server processes (default 2)",
    )
    parser.add_argument("--no-access-log", action="store_true", help="skip per-request logs")
    args = parser.parse_args(argv)
    import uvicorn

    uvicorn.run(
        "cmeconf.asgi:application",
        host=args.host,
        port=args.port,
        workers=args.workers,
        access_log=not args.no_access_log,
        proxy_headers=True,
        lifespan="off",
    )


def worker(argv: list[str]) -> None:
    from django.conf import settings

    if settings.CELERY_TASK_ALWAYS_EAGER:
        sys.exit(
            "cmeconf worker needs a broker: set REDIS_URL (tasks now run in-process, "
            "so no worker is needed)."
        )
    from cmeconf.celery import app

    app.worker_main(["worker", "--loglevel=INFO", *argv])


def demo(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="cmeconf demo")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--reset", action="store_true", help="delete and recreate the demo data")
    args = parser.parse_args(argv)
    _django(["migrate", "--no-input", "-v", "0"])
    _django(["collectstatic", "--no-input", "-v", "0"])
    data_args = ["demo_data", "--if-empty"] + (["--reset"] if args.reset else [])
    _django(data_args)
    serve(["--port", str(args.port), "--workers", "1", "--no-access-log"])


COMMANDS = {"serve": serve, "worker": worker, "demo": demo}


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cmeconf.settings")
    import django

    django.setup()
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(__doc__)
        return
    name, rest = argv[0], argv[1:]
    if name in COMMANDS:
        COMMANDS[name](rest)
    else:
        _django([name.replace("-", "_"), *rest])


if __name__ == "__main__":
    main()
