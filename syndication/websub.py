"""WebSub (W3C Recommendation, §7) publish pings: tell a hub a feed changed.

A failed ping is logged and never fails the publish: partners still poll.
"""

from __future__ import annotations

import logging
from urllib.error import URLError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

log = logging.getLogger(__name__)


def ping_hub(hub_url: str, feed_urls: list[str], *, timeout: float = 5.0) -> bool:
    """POST ``hub.mode=publish`` for each changed feed URL; True if the hub took it."""
    if not hub_url or not feed_urls:
        return False
    pairs = [("hub.mode", "publish")] + [("hub.url", url) for url in feed_urls]
    request = Request(
        hub_url,
        data=urlencode(pairs).encode("ascii"),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        method="POST",
    )
    try:
        with urlopen(request, timeout=timeout) as response:
            status = int(response.status)
    except (URLError, OSError, ValueError) as exc:
        log.warning("WebSub hub %s was not told of %s: %s", hub_url, feed_urls, exc)
        return False
    if status >= 300:
        log.warning("WebSub hub %s answered %s for %s", hub_url, status, feed_urls)
        return False
    log.info("WebSub hub %s told of %d feed document(s)", hub_url, len(feed_urls))
    return True
