"""Django's Redis cache backend, without building a new redis-py client for every cache call.

Django's `RedisCacheClient.get_client()` returns `redis.Redis(connection_pool=pool)` on each call, and
redis-py's constructor fills a case-insensitive table of ~80 response callbacks every time: profiled
here at ~1 ms of CPU per cache call, as much as the rest of a page-cache hit (docs/benchmarks.md).
The client holds no per-call state (connections come from the pool), so one per pool is reused.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
