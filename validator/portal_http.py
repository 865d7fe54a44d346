"""HubSpot's API for ``portal pull``: GETs over HTTPS with the standard library (``urllib.request``).

One ``Api`` per pull: the token goes in the ``Authorization: Bearer`` header and nowhere else
(no message, log line or file holds it: ``scrub`` masks it in any text that came from elsewhere).
TLS is verified; every call has a timeout; redirects are not followed (the header would go
with them). 429, 5xx, a connection reset and a timeout are tried again after a wait (the
``Retry-After`` the answer gives, capped, else 1, 2, 4 s), within a few tries per call and a
small budget for the whole pull; then the call fails. ``collection`` follows
``paging.next.after`` to the last page, at most ``MAX_PAGES``, and refuses a cursor given twice.

Outcomes: a body (``Fetched``); ``Unavailable`` for a 403 or 404 (the caller skips that file);
``ValidatorError`` for everything that stops the pull (401, network, a body that is not JSON or
not HubSpot's shape, tries used up).
"""

from __future__ import annotations

import email.utils
import http.client
import json
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NoReturn

from validator import __version__
from validator.findings import ValidatorError
from validator.portal import MAX_SNAPSHOT_FILE
from validator.request.decode import checked_int

DEFAULT_BASE_URL = "https://api.hubapi.com"
USER_AGENT = f"hubspot-preflight/{__version__}"
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
MAX_PAGES = 10_000
TRIES_PER_CALL = 4  # the first and three more
RETRY_BUDGET = 20  # tries again in one pull, all calls together
# HubSpot's answers say how many calls its window has left, and how long the window is ([I]: its
# rate-limit headers): on the last one, the next call waits for the window to pass, no 429 spent
REMAINING, WINDOW = "X-HubSpot-RateLimit-Remaining", "X-HubSpot-RateLimit-Interval-Milliseconds"
MAX_WAIT = 30.0  # seconds one wait may last, whatever Retry-After asks
MAX_BODY = MAX_SNAPSHOT_FILE  # what the snapshot reader reads of one file
ABSENT = frozenset({403, 404})  # statuses that skip a file: the token may not read it, the account has none


class Unavailable(Exception):
    """A 403 or 404: the endpoint is not open to this token (or not there); its file is skipped."""


@dataclass(frozen=True)
class Fetched:
    body: bytes  # as received (one page), or the pages' results in one body (several)
    items: int
    pages: int
    data: Mapping[str, Any] = field(repr=False)


def base_url(url: str) -> str:
    """``url`` without its trailing ``/``, refused unless https (or http to this machine's own
    loopback name or address: a test server, a local proxy): the token would travel in clear."""
    try:
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 (a port that is not a number raises here)
    except ValueError as exc:
        raise ValidatorError(f"--base-url {url!r}: not a URL ({exc})") from None
    if parts.scheme not in ("https", "http") or not host:
        raise ValidatorError(f"--base-url {url!r}: not an https:// URL")
    if parts.username is not None or parts.password is not None or parts.query or parts.fragment:
        raise ValidatorError(f"--base-url {url!r}: give scheme, host and path only (no user, query or fragment)")
    if parts.scheme == "http" and host.lower() not in LOCAL_HOSTS:
        raise ValidatorError(f"--base-url {url!r}: http:// sends the token in clear: use https:// "
                             "(http:// only to localhost, 127.0.0.1 or ::1)")
    return url.rstrip("/")


def check_token(token: str | None, name: str) -> str:
    """The token, without white space around it; refused (naming ``name``, never the value) when
    empty or holding what no token holds and an HTTP header cannot carry."""
    token = (token or "").strip()
    if not token:
        raise ValidatorError(f"{name} is not set or empty: it holds the private app's access token")
    if not token.isascii() or not token.isprintable() or any(c.isspace() for c in token):
        raise ValidatorError(f"{name} holds characters no access token has (white space, control or "
                             "non-ASCII characters): copy the token again")
    return token


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # the 3xx comes back as an HTTPError


SLOW_FACTOR = 10  # a whole answer may take this many timeouts (300 s at the default)


@dataclass
class Api:
    """GETs against ``base`` (checked by ``base_url``) with ``token``. ``sleep`` waits between
    tries (tests give one that does not); ``log`` (``--verbose``) gets one line per answer."""

    base: str
    token: str = field(repr=False)
    timeout: float = 30.0
    sleep: Callable[[float], None] | None = None  # (None: time.sleep)
    log: Callable[[str], None] | None = None
    retry_budget: int = RETRY_BUDGET
    calls: int = 0
    retries: int = 0
    pause: float = 0.0  # seconds the next call waits (the rate limit's window is spent)

    def __post_init__(self) -> None:
        host = (urllib.parse.urlsplit(self.base).hostname or "").lower()
        handlers: list[Any] = [_NoRedirect(), urllib.request.HTTPSHandler(context=ssl.create_default_context())]
        if host in LOCAL_HOSTS:  # (a loopback address never goes through a proxy the environment names)
            handlers.append(urllib.request.ProxyHandler({}))
        self._opener = urllib.request.build_opener(*handlers)

    def scrub(self, text: str) -> str:
        """``text`` with the token masked: a message quoting what a server or library said."""
        return text.replace(self.token, "***") if self.token else text

    def collection(self, path: str, query: Mapping[str, str] | None = None, scope: str | None = None,
                   max_pages: int = MAX_PAGES, absent: frozenset[int] = ABSENT) -> Fetched:
        """Every page of ``GET path`` in one body: the first page's, its ``results`` those of all
        pages and no ``paging`` (the bytes as received where there is one page). ``scope`` is the
        one a 403 names when HubSpot's answer names none; an answer whose status is in ``absent``
        raises ``Unavailable``."""
        shown = _shown(path, query)
        raw, body = self._get(path, query, scope, absent)
        first, results, pages, size = body, list(body["results"]), 1, len(raw)
        seen: set[str] = set()
        while (after := _after(body, shown)) is not None:
            if after in seen:
                raise ValidatorError(f"GET {shown}: page {pages + 1} asks again for a page already read "
                                     "(paging.next.after repeats): the pages would never end")
            if pages >= max_pages:
                raise ValidatorError(f"GET {shown}: more than {max_pages:,} pages: refused (a server that "
                                     "always gives a next page would never end)")
            seen.add(after)
            raw, body = self._get(path, {**(query or {}), "after": after}, scope, absent)
            pages += 1
            size += len(raw)
            if size > MAX_BODY:
                raise ValidatorError(f"GET {shown}: the pages hold more than {MAX_BODY >> 20} MiB, more "
                                     "than a snapshot file may hold")
            results.extend(body["results"])
        if pages == 1:
            return Fetched(raw, len(results), 1, first)
        merged = {k: v for k, v in first.items() if k != "paging"}
        merged["results"] = results
        try:
            text = json.dumps(merged, ensure_ascii=False, indent=1).encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate ("\ud800"), which UTF-8 cannot hold: escaped as
            # received, for the reader to refuse naming the file
            text = json.dumps(merged, indent=1).encode("ascii")
        return Fetched(text, len(results), pages, merged)

    def _get(self, path: str, query: Mapping[str, str] | None, scope: str | None,
             absent: frozenset[int]) -> tuple[bytes, Mapping[str, Any]]:
        shown = _shown(path, query)
        url = self.base + path + ("?" + urllib.parse.urlencode(query) if query else "")
        tries = 0
        while True:
            tries += 1
            if self.pause:
                if self.log is not None:
                    self.log(f"GET {shown}: waiting {self.pause:g} s (no call left in HubSpot's rate-limit window)")
                (self.sleep or time.sleep)(self.pause)
                self.pause = 0.0
            self.calls += 1
            started = time.perf_counter()
            wait, why = self._try(url, shown, scope, absent, min(MAX_WAIT, 2.0 ** (tries - 1)))
            if isinstance(wait, bytes):
                if self.log is not None:
                    self.log(f"GET {shown} -> 200 ({len(wait):,} bytes, {time.perf_counter() - started:.2f} s)")
                return wait, _collection(wait, shown)
            if tries >= TRIES_PER_CALL or self.retries >= self.retry_budget:
                spent = "tries for this call" if tries >= TRIES_PER_CALL else "tries again this pull allows"
                raise ValidatorError(f"GET {shown}: {why}; gave up after {tries} tries (the {spent} used up)")
            self.retries += 1
            if self.log is not None:
                self.log(f"GET {shown} -> {why}: trying again in {wait:g} s")
            (self.sleep or time.sleep)(wait)

    def _try(self, url: str, shown: str, scope: str | None, absent: frozenset[int],
             backoff: float) -> tuple[bytes | float, str]:
        """The body, or (seconds to wait, why) for an answer worth another try (``backoff``
        unless it says how long); raises otherwise."""
        request = urllib.request.Request(url, headers={
            "Authorization": f"Bearer {self.token}", "Accept": "application/json", "User-Agent": USER_AGENT})
        try:
            with self._opener.open(request, timeout=self.timeout) as answer:
                raw = self._body(answer, shown)
                self.pause = _window_spent(answer.headers)
        except urllib.error.HTTPError as exc:
            with exc:
                detail = _hubspot_message(exc)
                if exc.code == 429 or 500 <= exc.code < 600:
                    return _retry_after(exc.headers.get("Retry-After"), backoff), f"HTTP {exc.code}"
                self._refuse(exc.code, shown, scope, detail, exc.headers.get("Location"), absent)
        except (ConnectionResetError, ConnectionAbortedError, http.client.HTTPException) as exc:
            return backoff, f"connection lost ({type(exc).__name__})"
        except TimeoutError:
            return backoff, f"no answer within {self.timeout:g} s"
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, (ConnectionResetError, ConnectionAbortedError)):
                return backoff, f"connection lost ({type(reason).__name__})"
            if isinstance(reason, TimeoutError):
                return backoff, f"no answer within {self.timeout:g} s"
            host = urllib.parse.urlsplit(url).hostname
            if isinstance(reason, ssl.SSLCertVerificationError):
                raise ValidatorError(f"GET {shown}: the TLS certificate of {host} is not trusted "
                                     f"({self.scrub(reason.verify_message or str(reason))})") from None
            text = reason.strerror if isinstance(reason, OSError) and reason.strerror else str(reason)
            raise ValidatorError(f"GET {shown}: cannot reach {host}: {self.scrub(text)}") from None
        except OSError as exc:  # (a socket error past the connection: reset, broken pipe)
            return backoff, f"connection lost ({exc.strerror or type(exc).__name__})"
        if len(raw) > MAX_BODY:
            raise ValidatorError(f"GET {shown}: the answer is over {MAX_BODY >> 20} MiB, more than a snapshot "
                                 "file may hold")
        return raw, ""

    def _body(self, answer: Any, shown: str) -> bytes:
        """The answer's bytes (at most ``MAX_BODY`` + 1), within ``timeout`` x ``SLOW_FACTOR``
        seconds in all: the timeout bounds each read, not a server that trickles bytes."""
        deadline = time.monotonic() + self.timeout * SLOW_FACTOR
        pieces: list[bytes] = []
        size = 0
        while size <= MAX_BODY:
            piece = answer.read1(min(1 << 18, MAX_BODY + 1 - size))
            if not piece:
                break
            pieces.append(piece)
            size += len(piece)
            if time.monotonic() > deadline:
                raise ValidatorError(f"GET {shown}: the answer took over {self.timeout * SLOW_FACTOR:g} s "
                                     f"({size:,} bytes so far); try again later, or raise --timeout")
        return b"".join(pieces)

    def _refuse(self, code: int, shown: str, scope: str | None, detail: Mapping[str, Any],
                location: str | None, absent: frozenset[int]) -> NoReturn:
        said = self.scrub(str(detail.get("message") or ""))[:200]
        said = f": HubSpot says {said!r}" if said else ""
        if code == 401:
            raise ValidatorError(f"GET {shown}: HTTP 401, HubSpot rejected the token (expired, revoked or "
                                 "not a private app's access token)")
        if code == 403:
            scopes = detail.get("scopes") or ([scope] if scope else [])
            need = f"the scope {' or '.join(scopes)}" if scopes else "a scope it lacks"
            why = f"HTTP 403 on GET {shown}: the token needs {need}"
        else:
            why = f"HTTP {code} on GET {shown}: " + ("not found in this account" if code == 404 else "refused") + said
        if code in absent:
            raise Unavailable(why)
        if 300 <= code < 400:
            where = f" to {urllib.parse.urlsplit(location).netloc or 'the same host'}" if location else ""
            raise ValidatorError(f"GET {shown}: HTTP {code}, a redirect{where}: not followed (the token "
                                 "would go with it); give the API's own address as --base-url")
        raise ValidatorError(why)


def _hubspot_message(exc: urllib.error.HTTPError) -> dict[str, Any]:
    """What an error answer's JSON body says: its ``message``, and the scopes a 403 names
    (``errors[].context.requiredGranularScopes``, as HubSpot answers a missing scope)."""
    try:
        body = json.loads(exc.read(64 * 1024).decode("utf-8", "replace"))
    except (OSError, ValueError, http.client.HTTPException, RecursionError):
        return {}
    if not isinstance(body, dict):
        return {}
    scopes: list[str] = []
    errors = body.get("errors")
    for error in errors if isinstance(errors, list) else []:
        context = error.get("context") if isinstance(error, dict) else None
        for key in ("requiredGranularScopes", "requiredScopes"):
            named = context.get(key) if isinstance(context, dict) else None
            if isinstance(named, list):
                scopes += [s for s in named if isinstance(s, str) and s.isprintable()][:5]
    message = body.get("message")
    return {"message": message if isinstance(message, str) else None, "scopes": list(dict.fromkeys(scopes))}


def _window_spent(headers: Any) -> float:
    """Seconds to wait before the next call where the rate-limit headers say no call is left in
    the window (at most ``MAX_WAIT``), else 0."""
    try:
        left, window = int(headers.get(REMAINING, "")), int(headers.get(WINDOW, ""))
    except ValueError:
        return 0.0
    return min(MAX_WAIT, window / 1000) if left <= 0 and window > 0 else 0.0


def _shown(path: str, query: Mapping[str, str] | None) -> str:
    """A call as messages name it: the path and its query, but the page's cursor."""
    shown = {k: v for k, v in (query or {}).items() if k != "after"}
    return path + ("?" + urllib.parse.urlencode(shown) if shown else "")


def _retry_after(value: str | None, backoff: float) -> float:
    """Seconds ``Retry-After`` asks for (a number or an HTTP date), at most ``MAX_WAIT``;
    ``backoff`` where it gives none or none that reads."""
    if value is None:
        return backoff
    try:
        seconds = float(value.strip())
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, OverflowError, IndexError):  # (not a date either)
            return backoff
        if when.tzinfo is None:
            return backoff
        seconds = when.timestamp() - time.time()
    if seconds != seconds:  # NaN
        return backoff
    return min(MAX_WAIT, max(0.0, seconds))


def _collection(raw: bytes, shown: str) -> Mapping[str, Any]:
    """The JSON of a collection answer (``{"results": [object, ...]}``); refused naming the path."""
    try:
        body = json.loads(raw.decode("utf-8-sig"), parse_int=checked_int)
    except (UnicodeDecodeError, ValueError):
        raise ValidatorError(f"GET {shown}: the answer is not JSON") from None
    except RecursionError:
        raise ValidatorError(f"GET {shown}: the answer is nested too deeply") from None
    results = body.get("results") if isinstance(body, dict) else None
    if not isinstance(results, list) or not all(isinstance(r, dict) for r in results):
        raise ValidatorError(f'GET {shown}: the answer is not HubSpot\'s shape (an object with a "results" '
                             "list of objects)")
    return body


def _after(body: Mapping[str, Any], path: str) -> str | None:
    """The cursor of the next page (``paging.next.after``), None on the last page."""
    paging = body.get("paging")
    following = paging.get("next") if isinstance(paging, dict) else None
    if not isinstance(following, dict) or following.get("after") is None:
        return None
    after = following["after"]
    if isinstance(after, bool) or not isinstance(after, (str, int)) or after == "":
        raise ValidatorError(f'GET {path}: the answer is not HubSpot\'s shape ("paging.next.after" is not '
                             "a cursor)")
    return str(after)
