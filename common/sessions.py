"""Sessions read from the cache, recorded in the database, and still working while the cache is down.

Django's `cached_db` store saves every session to the database (the record) and to the cache, and
reads the cache first: a member's request costs one Redis round trip instead of a database query
(docs/benchmarks.md). Two differences from Django's store:

* The cache is never required (issue 13: logins keep working while Redis is down): any cache error
  falls back to the database alone, with one warning per 30 s (`common.cache_guard`).
* A cached copy lives at most `SESSION_CACHE_SECONDS` (10 minutes), not the session's 14 days. A
  logout (or an expired staff session) deletes the database row and the cached copy; should the
  cache be unreachable just then and come back with its data, the stale copy is gone within that
  bound rather than lasting the session's whole life.

Everything the session policy relies on is unchanged: the absolute lifetime and the staff idle limit
are values inside the session (accounts.middleware), and a password change still ends the other
sessions through Django's session hash check against the user row, which is read from the database.
"""

from django.conf import settings
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore
from django.contrib.sessions.backends.db import SessionStore as DBStore

from common.cache_guard import cache_call

_POLICY = "sessions read from the database"


class SessionStore(CachedDBStore):
    def _cache_ttl(self, expiry_age: int) -> int:
        return max(0, min(expiry_age, settings.SESSION_CACHE_SECONDS))

    def load(self):
        key = self.cache_key
        data = cache_call(lambda: self._cache.get(key), what="sessions", policy=_POLICY)
        if data is not None:
            return data
        row = self._get_session_from_db()
        if not row:
            return {}
        data = self.decode(row.session_data)
        ttl = self._cache_ttl(self.get_expiry_age(expiry=row.expire_date))
        cache_call(lambda: self._cache.set(key, data, ttl), what="sessions", policy=_POLICY)
        return data

    def exists(self, session_key):
        if session_key and cache_call(
            lambda: (self.cache_key_prefix + session_key) in self._cache, what="sessions", policy=_POLICY
        ):
            return True
        return DBStore.exists(self, session_key)

    def save(self, must_create=False):
        DBStore.save(self, must_create)
        key, data, ttl = self.cache_key, self._session, self._cache_ttl(self.get_expiry_age())
        cache_call(lambda: self._cache.set(key, data, ttl), what="sessions", policy=_POLICY)

    def delete(self, session_key=None):
        DBStore.delete(self, session_key)
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        cache_call(
            lambda: self._cache.delete(self.cache_key_prefix + session_key), what="sessions", policy=_POLICY
        )
