"""Failed-login throttling in the cache (Redis in production, so it holds across processes).

After 5 failed attempts for one email, or 30 from one IP address, within 15 minutes, further attempts
are refused without checking the password until the window passes.
"""

from django.core.cache import cache

WINDOW_SECONDS = 15 * 60
MAX_PER_EMAIL = 5
MAX_PER_IP = 30


def _keys(email: str, ip: str) -> tuple[str, str]:
    return f"login-fail:email:{email.strip().lower()}", f"login-fail:ip:{ip}"


def is_locked(email: str, ip: str) -> bool:
    email_key, ip_key = _keys(email, ip)
    counts = cache.get_many([email_key, ip_key])
    return counts.get(email_key, 0) >= MAX_PER_EMAIL or counts.get(ip_key, 0) >= MAX_PER_IP


def record_failure(email: str, ip: str) -> None:
    for key in _keys(email, ip):
        cache.add(key, 0, WINDOW_SECONDS)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, WINDOW_SECONDS)


def reset(email: str) -> None:
    cache.delete(_keys(email, "")[0])


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "") if request is not None else ""
