"""Production settings: `check --deploy` clean, and the server really serves over ASGI."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

PRODUCTION_ENV = {
    "SECRET_KEY": "x" * 20 + "-production-secret-key-with-enough-entropy-0123456789",
    "CMECONF_DEBUG": "no",
    "CMECONF_SECURE": "yes",
    "CMECONF_ALLOWED_HOSTS": "cme.example.org",
    "CMECONF_SITE_URL": "https://cme.example.org",
}


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CMECONF_", "DJANGO_"))}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    env.update(PRODUCTION_ENV, CMECONF_DATA_DIR=str(tmp_path), **extra)
    return env


def _cmeconf(*args: str, env: dict[str, str], timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cmeconf.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_check_deploy_is_clean_under_production_settings(tmp_path):
    result = _cmeconf("check", "--deploy", "--fail-level", "WARNING", env=_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_warns_about_unsafe_settings(tmp_path):
    env = _env(tmp_path, CMECONF_SECURE="no")
    result = _cmeconf("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0
    assert "SECURE_HSTS_SECONDS" in result.stderr + result.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_runs_the_asgi_server_with_workers_and_static_files(tmp_path):
    env = _env(tmp_path, CMECONF_SECURE="no", CMECONF_ALLOWED_HOSTS="127.0.0.1")
    assert _cmeconf("migrate", "--no-input", env=env).returncode == 0
    collected = _cmeconf("collectstatic", "--no-input", env=env)
    assert collected.returncode == 0, collected.stderr
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "cmeconf.cli", "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        body = None
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as resp:
                    body = resp.read().decode()
                    headers = resp.headers
                break
            except urllib.error.URLError as exc:
                if isinstance(exc, urllib.error.HTTPError):
                    raise
                time.sleep(0.2)
        assert body is not None, "server did not answer"
        assert "cmeconf" in body
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/cmeconf/css/main.css") as r:
            css = r.read().decode()
            assert "--c-primary" in css
            assert "max-age" in r.headers.get("Cache-Control", "")
    finally:
        server.terminate()
        out, _ = server.communicate(timeout=20)
    assert "Started parent process" in out or "Uvicorn running" in out


@pytest.mark.parametrize(
    ("redis_url", "eager"),
    [("", True), ("redis://127.0.0.1:6379/0", False)],
)
def test_tasks_run_in_process_without_a_broker(tmp_path, redis_url, eager):
    env = _env(tmp_path, REDIS_URL=redis_url)
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.CELERY_TASK_ALWAYS_EAGER, s.CACHES['default']['BACKEND'].rsplit('.',1)[-1], "
        "s.CHANNEL_LAYERS['default']['BACKEND'].rsplit('.',1)[-1])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env | {"DJANGO_SETTINGS_MODULE": "cmeconf.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    cache = "LocMemCache" if eager else "RedisCache"
    layer = "InMemoryChannelLayer" if eager else "RedisChannelLayer"
    assert result.stdout.split() == [str(eager), cache, layer]


def test_worker_refuses_to_start_without_a_broker(tmp_path):
    result = _cmeconf("worker", env=_env(tmp_path))
    assert result.returncode != 0
    assert "cmeconf worker needs a broker: set REDIS_URL" in result.stderr
