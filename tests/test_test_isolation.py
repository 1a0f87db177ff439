"""What keeps `make test`'s parallel workers apart, and the check that the lock matches pyproject.toml."""

import importlib.util
import shutil

import pytest
from django.conf import settings

from tests.conftest import ROOT, _worker_ports


def test_each_worker_gets_its_own_slice_of_the_test_ports(monkeypatch):
    monkeypatch.setenv("HELLOPET_TEST_PORTS", "21000-21999")
    monkeypatch.setenv("PYTEST_XDIST_WORKER_COUNT", "2")
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw0")
    first = _worker_ports()
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw1")
    second = _worker_ports()
    assert first == range(21000, 21500) and second == range(21500, 22000)
    monkeypatch.delenv("HELLOPET_TEST_PORTS")
    assert _worker_ports() is None  # any free port from the OS


@pytest.mark.redis
def test_clearing_the_cache_leaves_other_workers_keys_alone():
    import redis

    assert settings.CACHES["default"]["KEY_PREFIX"].startswith("test-")
    from django.core.cache import cache

    other = redis.Redis.from_url(settings.REDIS_URL)
    other.set("test-other-worker:1:presence", "1")
    try:
        cache.set("mine", 1)
        cache.clear()
        assert cache.get("mine") is None
        assert other.get("test-other-worker:1:presence") == b"1"
    finally:
        other.delete("test-other-worker:1:presence")


def _check_lock_in(tmp_path):
    (tmp_path / "requirements").mkdir()
    for name in (
        "pyproject.toml",
        "requirements/dev.txt",
        "requirements/prod.txt",
        "requirements/check_lock.py",
    ):
        shutil.copy(ROOT / name, tmp_path / name)
    spec = importlib.util.spec_from_file_location("check_lock", tmp_path / "requirements/check_lock.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_lock_matches_pyproject_and_a_changed_pin_is_named(tmp_path):
    check = _check_lock_in(tmp_path)
    assert check.problems() == []
    pyproject = tmp_path / "pyproject.toml"
    text = pyproject.read_text()
    text = text.replace('"qrcode==8.2",', '"qrcode==8.2",\n    "emoji==2.14.1",')
    text = text.replace('"ruff==0.17.6"', '"ruff==0.17.7"').replace('    "polib==1.2.0",\n', "")
    pyproject.write_text(text)
    assert check.problems() == [
        "requirements/dev.txt: emoji==2.14.1 is in pyproject.toml but not in the lock",
        "requirements/dev.txt: ruff is 0.17.7 in pyproject.toml but 0.17.6 in the lock",
        "requirements/dev.txt: polib came from pyproject.toml, which no longer names it",
        "requirements/prod.txt: emoji==2.14.1 is in pyproject.toml but not in the lock",
    ]
