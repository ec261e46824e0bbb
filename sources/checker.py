"""The link checker: does each cited source still answer?

Each URL is asked with HEAD, and with GET when HEAD fails (many servers refuse
or mishandle HEAD), following at most `MAX_REDIRECTS` redirects. Requests run
in a bounded thread pool; only the main thread touches the database.

A cited URL is anyone's to write, so the checker connects only to public
addresses: never to this machine, its private network or a cloud's metadata
service, however the address is written, whatever a redirect says, and
whatever a name resolves to by the time of connecting (it connects to the
very address it checked). Through an outgoing proxy (`https_proxy` and the
like), it checks every address of the host before asking the proxy, which
then connects itself: the proxy should refuse private destinations too.
`SOURCE_CHECK_ALLOWED_NETWORKS` lists exceptions, such as that proxy's address.
"""

import http.client
import ipaddress
import socket
import ssl
import string
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from functools import partial
from http.cookiejar import CookieJar
from urllib.error import HTTPError, URLError
from urllib.parse import quote, urljoin, urlsplit
from urllib.request import (
    HTTPCookieProcessor,
    HTTPHandler,
    HTTPRedirectHandler,
    HTTPSHandler,
    Request,
    build_opener,
    getproxies,
    proxy_bypass,
)

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.encoding import iri_to_uri

from .models import Source

DEFAULT_USER_AGENT = "Healthsite-link-checker/1.0 (checks cited sources)"
MAX_REDIRECTS = 5
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
READ_LIMIT = 1024  # a GET reads this much of the body, to see that one starts


@dataclass(frozen=True)
class Result:
    status: int | None  # the final HTTP status, if any server answered
    error: str  # short human text when the check failed without an HTTP error status
    final_url: str


@dataclass
class Summary:
    ok: int = 0
    broken: list = field(default_factory=list)  # the broken Source objects, as updated

    def __str__(self):
        checked = self.ok + len(self.broken)
        noun = "source" if checked == 1 else "sources"
        return f"Checked {checked} {noun}: {self.ok} OK, {len(self.broken)} broken."


def check_sources(sources, *, timeout=10, concurrency=8, user_agent=None):
    """Check every source's URL and record the outcome on its row.

    Each row gets one `update()` of the check fields only. Returns a `Summary`.
    Never raises for a bad URL or an unreachable server; that is what it records.
    """
    user_agent = user_agent or getattr(settings, "SOURCE_CHECK_USER_AGENT", DEFAULT_USER_AGENT)
    allowed = allowed_networks()
    summary = Summary()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        futures = {
            pool.submit(
                check_url, source.url, timeout=timeout, user_agent=user_agent, allowed=allowed
            ): source
            for source in sources
        }
        for future in as_completed(futures):
            source = futures[future]
            result = future.result()
            source.last_checked = timezone.now()
            source.last_status = result.status
            source.last_error = result.error
            source.final_url = result.final_url
            Source.objects.filter(pk=source.pk).update(
                last_checked=source.last_checked,
                last_status=source.last_status,
                last_error=source.last_error,
                final_url=source.final_url,
            )
            if source.is_broken:
                summary.broken.append(source)
            else:
                summary.ok += 1
    return summary


def check_url(url, *, timeout, user_agent, allowed=()):
    """HEAD, then GET if HEAD did not succeed. Returns a `Result`; never raises."""
    result = _fetch("HEAD", url, timeout, user_agent, allowed)
    if result.error or result.status >= 400:
        result = _fetch("GET", url, timeout, user_agent, allowed)
    return result


def allowed_networks():
    """`SOURCE_CHECK_ALLOWED_NETWORKS` as networks: the non-public addresses to connect to."""
    try:
        return tuple(
            ipaddress.ip_network(network, strict=False)
            for network in getattr(settings, "SOURCE_CHECK_ALLOWED_NETWORKS", ())
        )
    except ValueError as error:
        raise ImproperlyConfigured(f"SOURCE_CHECK_ALLOWED_NETWORKS: {error}") from None


class NotPublicError(OSError):
    """The address is this machine's, a private network's or otherwise not on the internet."""


# IPv6 addresses that carry an IPv4 address, checked as that address.
NAT64 = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052: the last 32 bits
# IPv6 ranges that reach IPv4 or local hosts in ways not checked here: refused.
REFUSED_IPV6 = tuple(
    ipaddress.ip_network(network)
    for network in (
        "::/96",  # IPv4-compatible (::7f00:1 is 127.0.0.1), and :: and ::1
        "::ffff:0:0:0/96",  # IPv4-translated
        "64:ff9b:1::/48",  # local-use NAT64
        "2001::/32",  # Teredo
        "fec0::/10",  # site-local (deprecated, still private)
    )
)


def may_connect(address, allowed=()):
    """Whether the checker may connect to this IP address (a string)."""
    ip = ipaddress.ip_address(address)
    if ip.version == 6:
        if embedded := ip.ipv4_mapped or ip.sixtofour:  # ::ffff:a.b.c.d, 2002:ab:cd::
            ip = embedded
        elif ip in NAT64:
            ip = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if any(ip in network for network in allowed):
        return True
    if ip.version == 6 and any(ip in network for network in REFUSED_IPV6):
        return False
    return ip.is_global and not ip.is_multicast


def refuse_private_target(url, allowed=()):
    """Raise `NotPublicError` unless every address of the URL's host is public.

    For a request sent through a proxy, which connects to the host itself: the
    checker then connects only to the proxy, and sees no address to check.
    """
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    for *_, sockaddr in socket.getaddrinfo(parts.hostname, port, 0, socket.SOCK_STREAM):
        if not may_connect(sockaddr[0], allowed):
            raise NotPublicError(f"{sockaddr[0]} is not a public address")


def _through_proxy(url):
    parts = urlsplit(url)
    return parts.scheme in getproxies() and not proxy_bypass(parts.hostname or "")


def connect_to_public_address(
    address, timeout=socket._GLOBAL_DEFAULT_TIMEOUT, source_address=None, *, allowed
):
    """`socket.create_connection`, skipping every address `may_connect` refuses.

    It connects to the very address it checked: a name that resolves to a
    public address now and a private one later cannot slip through.
    """
    host, port = address
    error = None
    for family, type_, proto, _, sockaddr in socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM):
        if not may_connect(sockaddr[0], allowed):
            error = error or NotPublicError(f"{sockaddr[0]} is not a public address")
            continue
        sock = socket.socket(family, type_, proto)
        try:
            if timeout is not socket._GLOBAL_DEFAULT_TIMEOUT:
                sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)
            return sock
        except OSError as failed:
            sock.close()
            error = failed
    raise error or OSError("getaddrinfo returns an empty list")


class _PublicHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args, allowed, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = partial(connect_to_public_address, allowed=allowed)


class _PublicHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args, allowed, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = partial(connect_to_public_address, allowed=allowed)


class _PublicHTTPHandler(HTTPHandler):
    def __init__(self, allowed):
        super().__init__()
        self.allowed = allowed

    def http_open(self, req):
        return self.do_open(partial(_PublicHTTPConnection, allowed=self.allowed), req)


class _PublicHTTPSHandler(HTTPSHandler):
    def __init__(self, allowed):
        super().__init__()
        self.allowed = allowed

    def https_open(self, req):
        connection = partial(_PublicHTTPSConnection, allowed=self.allowed)
        return self.do_open(connection, req, context=self._context)


class _NoRedirects(HTTPRedirectHandler):
    # urllib would turn a redirected HEAD into a GET and allow ten hops;
    # `_fetch` follows redirects itself instead.
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def _fetch(method, url, timeout, user_agent, allowed):
    # Many publishers set a cookie and redirect; without one they redirect forever.
    opener = build_opener(
        _NoRedirects,
        HTTPCookieProcessor(CookieJar()),
        _PublicHTTPHandler(allowed),
        _PublicHTTPSHandler(allowed),
    )
    for _hop in range(MAX_REDIRECTS + 1):
        try:
            if urlsplit(url).scheme not in ("http", "https"):
                return Result(None, "not a web address", url)
            if _through_proxy(url):
                refuse_private_target(url, allowed)
            request = Request(iri_to_uri(url), method=method, headers={"User-Agent": user_agent})
            with opener.open(request, timeout=timeout) as response:
                if method == "GET":
                    response.read(READ_LIMIT)
                return Result(response.status, "", url)
        except HTTPError as error:
            error.close()
            status, location = error.code, error.headers.get("Location")
        except Exception as error:  # whatever went wrong is what the check reports
            return Result(None, describe_error(error), url)
        if status not in REDIRECT_STATUSES or not location:
            return Result(status, "", url)
        # Headers arrive decoded as Latin-1: recover the bytes, percent-encode them.
        url = urljoin(url, quote(location, encoding="latin-1", safe=string.punctuation))
    return Result(status, "too many redirects", url)


def describe_error(error):
    """A few words for editors on why no server answered."""
    if isinstance(error, URLError) and isinstance(error.reason, BaseException):
        error = error.reason
    match error:
        case NotPublicError():
            return "not a public address"
        case TimeoutError():
            return "timed out"
        case ConnectionRefusedError():
            return "connection refused"
        case socket.gaierror():
            return "host not found"
        case ssl.SSLCertVerificationError():
            return "certificate not trusted"
        case ssl.SSLError():
            return "secure connection failed"
        case http.client.RemoteDisconnected():
            return "closed without answering"
        case ConnectionResetError():
            return "connection reset"
        case URLError() | ValueError() | http.client.InvalidURL():
            return "invalid address"
        case http.client.HTTPException():
            return "not a valid HTTP answer"
        case OSError() if error.strerror:
            return error.strerror.lower()[:200]
    return type(error).__name__
