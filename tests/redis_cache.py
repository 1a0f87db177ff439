"""The suite's Redis cache (hellopet/settings_test.py, when REDIS_URL is set): Django's RedisCache, except
that clear() deletes only the keys under this test process's KEY_PREFIX. Django's own clear() empties the
whole Redis database (FLUSHDB), which under `make test`'s parallel workers would wipe another worker's
cache, presence and channel-layer keys in the middle of its test."""

from django.core.cache.backends.redis import RedisCache


class WorkerRedisCache(RedisCache):
    def clear(self):
        if not self.key_prefix:
            raise RuntimeError("WorkerRedisCache needs a KEY_PREFIX (it clears only its own keys)")
        client = self._cache.get_client(write=True)
        # Django's keys are "<KEY_PREFIX>:<version>:<key>" (BaseCache.make_key).
        keys = list(client.scan_iter(match=f"{self.key_prefix}:*", count=1000))
        for start in range(0, len(keys), 1000):
            client.delete(*keys[start : start + 1000])
        return True
