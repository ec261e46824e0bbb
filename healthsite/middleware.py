import logging
import time

from django.conf import settings
from django.core.exceptions import BadRequest

logger = logging.getLogger("healthsite.request")


class RequestLogMiddleware:
    """One log line per request: method, path, status and how long it took.

    First in MIDDLEWARE, so it times everything and sees the status readers
    got, including the 400 for a bad Host and the 500 for an error (Django
    turns an exception into a response before it gets here; the traceback is
    logged by `django.request`). The path is logged without its query string.
    Successful health checks are not logged: load balancers ask every few
    seconds.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        start = time.perf_counter()
        response = self.get_response(request)
        duration_ms = round((time.perf_counter() - start) * 1000, 1)
        status = response.status_code
        match = getattr(request, "resolver_match", None)
        if not (status == 200 and match is not None and match.url_name == "healthz"):
            logger.info(
                "%s %s %s",
                request.method,
                request.path,
                status,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": status,
                    "duration_ms": duration_ms,
                },
            )
        return response


class RefuseNulCharactersMiddleware:
    """A 400 for a request with a NUL character in its path, cookies or headers.

    PostgreSQL cannot store or compare text holding NUL (U+0000), so such a
    value reaching a query is a 500: a session cookie, a tag slug, the user
    agent django-axes records for a failed login. No legitimate request
    carries one there, so it is refused before anything queries the
    database. Query strings are left to the public views that read them
    (search removes NUL; `?page=` must be a number), but not under the
    admin, whose list filters and autocomplete query with them as they are.
    Form fields need nothing: Django's forms refuse NUL.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if has_nul(request):
            raise BadRequest("NUL character in the request")
        return self.get_response(request)


def has_nul(request):
    if "\x00" in request.path_info:
        return True
    query = request.META.get("QUERY_STRING", "")
    admin = "/" + getattr(settings, "ADMIN_URL", "admin/")
    if request.path_info.startswith(admin) and ("%00" in query or "\x00" in query):
        return True
    for key, value in request.META.items():
        if (key.startswith("HTTP_") or key.startswith("CONTENT_")) and "\x00" in str(value):
            return True
    # A quoted cookie value can spell NUL as an escape ("\\000").
    return any("\x00" in key or "\x00" in value for key, value in request.COOKIES.items())
