"""gunicorn settings for Healthsite: `gunicorn -c gunicorn.conf.py healthsite.wsgi`.

Each value can be changed from the environment without editing this file
(docs/operations.md, "Running in production"):

GUNICORN_BIND         where to listen (127.0.0.1:8000; 0.0.0.0:8000 behind a load balancer)
GUNICORN_WORKERS      processes (2 * cores + 1, at most 12)
GUNICORN_THREADS      threads per process (2)
GUNICORN_TIMEOUT      seconds a request may take before its worker is restarted (30)
GUNICORN_KEEPALIVE    seconds an idle connection is kept open (5); behind a load
                      balancer, more than its idle timeout (e.g. 75 for 60)
GUNICORN_MAX_REQUESTS a worker is replaced, gracefully, after about this many requests (50000)

Requests are logged by the application (one JSON line each, on stdout), so
gunicorn's access log is off; its own messages (workers starting, timing
out) are JSON lines on stdout too.
"""

import multiprocessing
import os


def _int(name, default):
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


wsgi_app = "healthsite.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")

workers = _int("GUNICORN_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 12))
threads = _int("GUNICORN_THREADS", 2)
worker_class = "gthread" if threads > 1 else "sync"

# A request running longer than this is stuck: the worker is killed and replaced.
timeout = _int("GUNICORN_TIMEOUT", 30)
# On SIGTERM (shutdown) or SIGHUP (reload new code), workers finish the
# requests they have for up to this long before they are stopped.
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)

# Replace each worker after a while (staggered by the jitter, so they do not
# all restart at once): bounds the damage of any slow memory growth. Cached
# pages take well under a millisecond, so 1,000 meant a restart every second
# or two under load (seen in `make bench`'s load check); 50,000 is minutes.
max_requests = _int("GUNICORN_MAX_REQUESTS", 50000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", max(max_requests // 10, 1))

# Heartbeat files in memory, not on a disk that may be slow (containers).
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"

# X-Forwarded-* headers are believed only from the proxy in front, and only
# when there is one (DJANGO_BEHIND_PROXY=1, as for Django's own settings).
# "*" suits app servers that only the proxy can reach; otherwise list the
# proxy's addresses or networks in FORWARDED_ALLOW_IPS.
if os.environ.get("DJANGO_BEHIND_PROXY", "").strip() == "1":
    forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "*")
else:
    forwarded_allow_ips = ""

accesslog = None  # the application logs each request (healthsite.middleware)
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "healthsite.logging.JSONFormatter"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json",
        }
    },
    "root": {"handlers": ["stdout"], "level": "WARNING"},
    "loggers": {
        "gunicorn.error": {"handlers": ["stdout"], "level": loglevel.upper(), "propagate": False},
        "gunicorn.access": {"handlers": [], "propagate": False},
    },
}
