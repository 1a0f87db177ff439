"""Who is in a chat room right now, over every server process, and vets' last-seen stamps.

Counts of open sockets per (consultation, user) live in the cache (Redis when configured, so every
server process sees them). Each process's heartbeat refreshes its keys every PRESENCE_REFRESH_SECONDS
(consultations/chat/live.py); a crashed process's counts expire after PRESENCE_TTL_SECONDS.
"""

from django.core.cache import cache
from django.utils import timezone

from ..models import VetProfile

PRESENCE_TTL_SECONDS = 150
PRESENCE_REFRESH_SECONDS = 60


def _presence_key(consultation_id, user_id) -> str:
    return f"chat:presence:{consultation_id}:{user_id}"


def presence_join(consultation_id, user_id) -> int:
    """Count one more open connection of the user in the room; returns the count."""
    key = _presence_key(consultation_id, user_id)
    cache.add(key, 0, PRESENCE_TTL_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, PRESENCE_TTL_SECONDS)
        count = 1
    cache.touch(key, PRESENCE_TTL_SECONDS)
    return count


def presence_leave(consultation_id, user_id) -> int:
    """One connection fewer; returns how many remain (0: the user is offline in this room)."""
    key = _presence_key(consultation_id, user_id)
    try:
        count = cache.decr(key)
    except ValueError:
        return 0
    if count <= 0:
        cache.delete(key)
        return 0
    return count


def presence_refresh(consultation_id, user_id) -> None:
    if not cache.touch(_presence_key(consultation_id, user_id), PRESENCE_TTL_SECONDS):
        presence_join(consultation_id, user_id)


def presence_counts(consultation_id, user_ids) -> dict[int, int]:
    """{user_id: open sockets in the room, over every server process} (0 for none)."""
    keys = {_presence_key(consultation_id, uid): uid for uid in user_ids}
    found = cache.get_many(list(keys))
    return {uid: max(0, int(found.get(key) or 0)) for key, uid in keys.items()}


def online_user_ids(consultation_id, user_ids) -> set[int]:
    return {uid for uid, count in presence_counts(consultation_id, user_ids).items() if count > 0}


def presence_refresh_many(pairs) -> None:
    """The per-process heartbeat: keep every (consultation id, user id) of this process's live sockets
    from expiring. One call per minute for the whole process, not a task per socket."""
    for consultation_id, user_id in pairs:
        presence_refresh(consultation_id, user_id)


def vet_seen(user_id) -> None:
    VetProfile.objects.filter(user_id=user_id).update(last_seen_at=timezone.now())


def vets_seen(user_ids) -> None:
    """One UPDATE for every vet with a live socket in this process (the heartbeat's batch)."""
    if user_ids:
        VetProfile.objects.filter(user_id__in=list(user_ids)).update(last_seen_at=timezone.now())
