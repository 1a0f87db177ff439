"""/healthz stays the plain liveness answer; /healthz?full=1 reports every service and the queue."""

import time

import pytest

from background import health
from background.huey import SqliteHuey, enqueued_at, stamped_id

pytestmark = pytest.mark.django_db


def test_plain_healthz_is_unchanged(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok"


def test_full_healthz_reports_each_service(client):
    response = client.get("/healthz?full=1")
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True
    assert set(body["checks"]) == {"database", "cache", "channel_layer", "queue"}
    assert body["checks"]["queue"]["detail"] == {
        "pending": 0,
        "scheduled": 0,
        "oldest_pending_age_seconds": None,
    }


def test_full_healthz_answers_503_when_a_service_is_down(client, monkeypatch):
    def broken():
        raise ConnectionError("Redis refused the connection")

    monkeypatch.setitem(health.CHECKS, "cache", broken)
    response = client.get("/healthz?full=1")
    assert response.status_code == 503
    body = response.json()
    assert body["ok"] is False
    assert body["checks"]["cache"] == {"ok": False, "detail": "ConnectionError: Redis refused the connection"}
    assert body["checks"]["database"]["ok"] is True


def test_the_oldest_pending_task_age_comes_from_the_queue(tmp_path, settings, monkeypatch):
    """A real SQLite queue with two tasks waiting and no consumer: the age is the first one's."""
    queue = SqliteHuey("healthz-test", filename=str(tmp_path / "q.sqlite3"), results=False)

    @queue.task()
    def noop():
        pass

    monkeypatch.setattr("background.huey.time.time", lambda: 1_900_000_000.0)
    noop()
    monkeypatch.setattr("background.huey.time.time", lambda: 1_900_000_030.0)
    noop()
    monkeypatch.setattr("background.health.time.time", lambda: 1_900_000_100.0)
    stats = health.queue_stats(queue)
    assert stats == {"pending": 2, "scheduled": 0, "oldest_pending_age_seconds": 100.0}

    settings.HEALTHZ_QUEUE_MAX_AGE_SECONDS = 60
    monkeypatch.setattr("background.health.queue_stats", lambda: stats)
    ok, detail = health.check_queue()
    assert ok is False and detail["oldest_pending_age_seconds"] == 100.0


def test_task_ids_carry_their_enqueue_time():
    now = time.time()
    assert abs(enqueued_at(stamped_id(now)) - now) < 0.001
    assert enqueued_at("6c0b0c4e-9d8b-4b8e-8f55-5a0f7f0f3b1e") is None  # Huey's own uuid4 ids
