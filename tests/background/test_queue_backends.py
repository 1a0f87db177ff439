"""The queue is SQLite in var/ without REDIS_URL and Redis (the same server) with it."""

import subprocess
import sys

import pytest
from django.conf import settings

from background import health
from background.huey import RedisHuey
from tests.conftest import ROOT


def _huey_class_for(env: dict) -> str:
    code = (
        "from django.conf import settings; "
        "print(settings.HUEY['huey_class'], settings.HUEY.get('url', settings.HUEY.get('filename')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + code],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "hellopet.settings", "DEBUG": "True", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


def test_the_embedded_default_is_a_sqlite_file_in_var():
    assert (
        _huey_class_for({"REDIS_URL": "", "HUEY_SQLITE_PATH": ""})
        == f"background.huey.SqliteHuey {ROOT / 'var' / 'huey.sqlite3'}"
    )


def test_with_redis_url_the_queue_is_redis_on_the_same_server():
    assert _huey_class_for({"REDIS_URL": "redis://127.0.0.1:6379/11", "HUEY_SQLITE_PATH": ""}) == (
        "background.huey.RedisHuey redis://127.0.0.1:6379/11"
    )


@pytest.mark.redis
def test_a_redis_queue_holds_tasks_until_a_consumer_takes_them():
    queue = RedisHuey("hellopet-test-backends", url=settings.REDIS_URL, results=False)
    queue.flush()
    ran = []

    @queue.task()
    def add(n):
        ran.append(n)

    try:
        add(1)
        add(2)
        stats = health.queue_stats(queue)
        assert stats["pending"] == 2 and stats["oldest_pending_age_seconds"] is not None
        while (task := queue.dequeue()) is not None:
            queue.execute(task)
        assert ran == [1, 2] and health.queue_stats(queue)["pending"] == 0
    finally:
        queue.flush()
