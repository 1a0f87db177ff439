"""The address of the person on the other end, behind our own reverse proxy.

Behind the documented nginx every request comes from 127.0.0.1: keying login throttling on
REMOTE_ADDR then lets 30 failures from anyone lock *every* user out. The real address is in
X-Forwarded-For, but anyone can send that header, so it is believed only when the request came from
a proxy we run (TRUSTED_PROXIES), and only up to the first address that is not one of ours: the
header is read from the right (nearest hop) and trusted proxies are skipped, as nginx's realip
module does with `real_ip_recursive on`.
"""

import ipaddress

from django.conf import settings


def _networks():
    return [ipaddress.ip_network(value, strict=False) for value in settings.TRUSTED_PROXIES]


def _trusted(address: str, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_ip(request) -> str:
    remote = (request.META.get("REMOTE_ADDR") or "").strip()
    networks = _networks()
    if not networks or not _trusted(remote, networks):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, networks):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return remote  # garbage in the header: fall back to the proxy, never to the garbage
    return hops[0] if hops else remote
