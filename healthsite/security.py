"""Security pieces that settings.py points at.

- the Content-Security-Policy middleware: django-csp's, with the admin's
  narrow relaxation under `ADMIN_URL`;
- django-axes' client address, lockout response and database handler.
"""

import ipaddress

from axes.handlers.database import AxesDatabaseHandler
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.http import HttpResponse


def is_admin_path(path):
    return path.startswith("/" + settings.ADMIN_URL)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """`CONTENT_SECURITY_POLICY` everywhere; under the admin, with
    `CONTENT_SECURITY_POLICY_ADMIN_REPLACE` in place of the same directives."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if not report_only and is_admin_path(request.path_info):
            # A view's own @csp_replace still has the last word.
            parts.replace = {
                **settings.CONTENT_SECURITY_POLICY_ADMIN_REPLACE,
                **(parts.replace or {}),
            }
        return parts


def client_ip_address(request):
    """The address django-axes counts failures against.

    Directly reachable, that is REMOTE_ADDR. Behind the TLS-terminating proxy
    (DJANGO_BEHIND_PROXY=1) REMOTE_ADDR is the proxy, so it is the last
    X-Forwarded-For entry: the one the proxy appended. Earlier entries come
    from the client and could be anything, so they are never used.
    """
    if settings.BEHIND_PROXY:
        last = request.META.get("HTTP_X_FORWARDED_FOR", "").rsplit(",", 1)[-1].strip()
        try:
            return str(ipaddress.ip_address(last))
        except ValueError:
            pass
    return request.META.get("REMOTE_ADDR")


def lockout_response(request, original_response=None, credentials=None):
    """What a locked-out login gets: 429, a plain message and Retry-After."""
    response = HttpResponse(
        settings.AXES_COOLOFF_MESSAGE,
        status=settings.AXES_HTTP_RESPONSE_CODE,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response


class AxesHandler(AxesDatabaseHandler):
    """django-axes' database handler, storing only text that PostgreSQL can hold.

    Axes records the client's User-Agent, Accept and path with each attempt;
    PostgreSQL refuses text with NUL characters, so a failed login sending one
    would be a server error instead of a refusal. They become U+FFFD.
    """

    _REQUEST_TEXT = ("axes_user_agent", "axes_http_accept", "axes_path_info")

    def _clean(self, request):
        for name in self._REQUEST_TEXT:
            value = getattr(request, name, None)
            if isinstance(value, str) and "\x00" in value:
                setattr(request, name, value.replace("\x00", "\ufffd"))

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        if request is not None:
            self._clean(request)
        return super().user_login_failed(sender, credentials, request, **kwargs)

    def user_logged_in(self, sender, request, user, **kwargs):
        self._clean(request)
        return super().user_logged_in(sender, request, user, **kwargs)

    def user_logged_out(self, sender, request, user, **kwargs):
        self._clean(request)
        return super().user_logged_out(sender, request, user, **kwargs)
