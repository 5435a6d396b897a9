"""The task queue for real: a `cmeconf worker` process takes a task from Redis and runs it."""

import os
import socket
import subprocess
import sys
import time

import pytest

REDIS = ("127.0.0.1", 6379)


def _redis_up() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=1):
            return True
    except OSError:
        return False


pytestmark = pytest.mark.skipif(not _redis_up(), reason="needs Redis on 127.0.0.1:6379")


def test_worker_sends_the_mail_that_the_web_process_queued(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CMECONF_", "DJANGO_"))}
    env.pop("DATABASE_URL", None)
    # A database of its own in Redis and a queue name of its own: parallel runs stay apart.
    queue = f"test-{os.getpid()}-{time.monotonic_ns()}"
    env.update(
        CMECONF_DATA_DIR=str(tmp_path),
        REDIS_URL="redis://127.0.0.1:6379/14",
        CMECONF_EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
    )
    worker = subprocess.Popen(
        [sys.executable, "-m", "cmeconf.cli", "worker", "--concurrency", "1", "-Q", queue],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        send = (
            "import django; django.setup(); "
            "from django.conf import settings; assert not settings.CELERY_TASK_ALWAYS_EAGER; "
            "from cmeconf.common.tasks import send_email; "
            "send_email.apply_async("
            f"args=[['learner@example.org'], 'Your badge', 'See you there.'], queue={queue!r})"
        )
        subprocess.run(
            [sys.executable, "-c", send],
            env=env | {"DJANGO_SETTINGS_MODULE": "cmeconf.settings"},
            check=True,
            timeout=60,
        )
        mail_dir = tmp_path / "mail"
        text = ""
        for _ in range(150):
            files = list(mail_dir.glob("*.log")) if mail_dir.exists() else []
            # The backend creates the file before it writes the message: wait for the message.
            text = files[0].read_text() if files else ""
            if "Subject:" in text and text.rstrip().endswith("-" * 79):
                break
            time.sleep(0.2)
        assert text, "the worker did not send the message"
        assert "Subject: Your badge" in text and "To: learner@example.org" in text
    finally:
        worker.terminate()
        output, _ = worker.communicate(timeout=30)
    assert "cmeconf.common.send_email" in output
