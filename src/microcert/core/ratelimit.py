"""Rate limits on the doors anyone can knock on: verification, the API, public forms.

Each rule of ``settings.RATE_LIMITS`` names the requests it counts (methods and a path
pattern, matched after the language prefix too) and a budget "N/s|m|h" per client address,
or per signed-in person where ``per`` is "user". Counting uses fixed windows in the cache;
with ``CACHE_URL`` pointing at Redis every web process shares the same counters, with the
embedded default (memory) each process counts on its own. A request over budget gets 429 with
``Retry-After`` (JSON under /api/ and the VC-API, a short page elsewhere); nothing behind it
runs, so nothing is stored.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

PERIODS = {"s": 1, "m": 60, "h": 3600}
JSON_PREFIXES = ("/api/", "/credentials/", "/presentations/")


@dataclass(frozen=True)
class Rule:
    name: str
    methods: frozenset[str]
    pattern: re.Pattern[str]
    limit: int
    period: int
    per: str  # "ip" or "user" (a signed-in person, else their address)

    @classmethod
    def parse(cls, name: str, spec: dict) -> Rule:
        count, _slash, unit = spec["rate"].partition("/")
        if unit not in PERIODS or not count.isdigit():
            raise ValueError(f"RATE_LIMITS[{name!r}]: rate must look like '60/m'")
        return cls(
            name=name,
            methods=frozenset(m.upper() for m in spec.get("methods", ["GET", "POST"])),
            pattern=re.compile(spec["path"]),
            limit=int(count),
            period=PERIODS[unit],
            per=spec.get("per", "ip"),
        )


def client_address(request: HttpRequest) -> str:
    """The caller's address: REMOTE_ADDR, or behind ``TRUSTED_PROXIES`` reverse proxies the
    address the nearest of them saw (never a header a client could forge alone)."""
    proxies = getattr(settings, "TRUSTED_PROXIES", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR", "unknown")


_LANGUAGE_PREFIX = re.compile(r"^/(en|vi|zh-hans|fr)(?=/)")


class RateLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    @cached_property
    def rules(self) -> list[Rule]:
        return [Rule.parse(name, spec) for name, spec in settings.RATE_LIMITS.items()]

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not getattr(settings, "RATE_LIMITS_ENABLED", True):
            return self.get_response(request)
        path = _LANGUAGE_PREFIX.sub("", request.path_info)
        for rule in self.rules:
            if request.method in rule.methods and rule.pattern.search(path):
                refused = self._spend(request, rule)
                if refused is not None:
                    return refused
        return self.get_response(request)

    def _spend(self, request: HttpRequest, rule: Rule) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if rule.per == "user" and user is not None and user.is_authenticated:
            who = f"u{user.pk}"
        else:
            who = f"a{client_address(request)}"
        window = int(time.time()) // rule.period
        key = f"ratelimit:{rule.name}:{who}:{window}"
        # add() starts the window's count; incr() is atomic on Redis and in memory.
        cache.add(key, 0, timeout=rule.period + 1)
        try:
            used = cache.incr(key)
        except ValueError:  # evicted between add and incr: count afresh
            cache.set(key, 1, timeout=rule.period + 1)
            used = 1
        if used <= rule.limit:
            return None
        retry_after = rule.period - int(time.time()) % rule.period
        message = _("Too many requests; try again in %(seconds)s seconds.") % {
            "seconds": retry_after
        }
        if request.path_info.startswith(JSON_PREFIXES):
            response: HttpResponse = JsonResponse({"detail": message}, status=429)
        else:
            response = HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = str(retry_after)
        return response
