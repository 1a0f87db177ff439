"""Who is asking, without a database query on every member request.

`CachedUserBackend` is Django's ModelBackend whose `get_user()` (run on every request that carries a
session) reads the user row from the cache; saving or deleting a user forgets it at once and again
on commit, and a cached copy is at most `USER_CACHE_SECONDS` old otherwise (nothing in the code
changes users with `QuerySet.update()`). The checks stay Django's: an inactive user is refused, and
the session's password hash is compared with the cached row, so a password change (a save) still
ends the other sessions. The cache being down: the row is read from the database.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from common.cache_guard import cache_call

USER_CACHE_SECONDS = 300
_POLICY = "users read from the database"


def _key(user_id) -> str:
    return f"accounts:user:{user_id}"


def forget_user(user_id, *, again_on_commit: bool = True) -> None:
    """Now, and again on commit (a request that read the row before the commit may have stored it)."""

    def _forget():
        cache_call(lambda: cache.delete(_key(user_id)), what="users", policy=_POLICY)

    _forget()
    if again_on_commit and transaction.get_connection().in_atomic_block:
        transaction.on_commit(_forget)


def _forget_on_change(sender, instance, update_fields=None, **kwargs):
    # A login's last_login stamp changes nothing a request relies on: no second forget for it.
    login_stamp = update_fields is not None and set(update_fields) <= {"last_login"}
    forget_user(instance.pk, again_on_commit=not login_stamp)


def connect() -> None:
    user_model = get_user_model()
    post_save.connect(_forget_on_change, sender=user_model, dispatch_uid="accounts.backends.forget.save")
    post_delete.connect(_forget_on_change, sender=user_model, dispatch_uid="accounts.backends.forget.delete")


class CachedUserBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None and password is not None:
            # Wrong credentials: stop here, so that ModelBackend (listed after this one only for
            # sessions opened before it) does not hash the password a second time.
            raise PermissionDenied
        return user

    def get_user(self, user_id):
        key = _key(user_id)
        user = cache_call(lambda: cache.get(key), what="users", policy=_POLICY)
        if user is None:
            user = super().get_user(user_id)
            if user is not None:
                cache_call(lambda: cache.set(key, user, USER_CACHE_SECONDS), what="users", policy=_POLICY)
            return user
        return user if self.user_can_authenticate(user) else None
