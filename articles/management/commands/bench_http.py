"""Pages per second through gunicorn: `manage.py bench_http`; `make bench` runs it.

It collects the static files, picks the pages (an article, a tag page, the
home page, a search, and the hashed CSS file that whitenoise serves: the
ceiling on this stack), starts gunicorn itself with production settings
(debug off, gunicorn.conf.py with 2 workers, 127.0.0.1 only, the page cache
shared through Redis), and drives each page with a load generator for a
bounded time: `wrk` when it is installed, otherwise threads with keep-alive
connections in this process's children. Two gunicorns run side by side for
the table, workers never recycled: the page cache off (the uncached rows) and
on (the cached article). The pages take turns, in `--rounds` rounds of a share
of `--duration` each, so that a change in the machine's speed during the run
(other load, a throttled CPU) falls on every page alike and not on whichever
ran at that moment: the ratios to the static file compare like with like.
A third gunicorn serves the floor (articles/bench_floor.py): the article's
bytes after one query, the page not built; the most the uncached article could
reach on this stack if building it cost nothing.
Queries per page are counted in this process, on a warm
request through Django's test client (uncached, but for the cached row); CPU
per request is read from /proc for gunicorn's workers and the database.

It prints one table (requests/s, p50 and p99 latency, queries, bytes, the
ratio to the static file, CPU per request, errors and non-2xx answers), then
the load check: 32 clients for 10 seconds against the article page, gunicorn
exactly as configured, with no errors and no 5xx. `--save` keeps the figures;
`--compare` reads those of another database (`make bench`: 1,000 articles,
then 100,000) and prints this run's p50 over that one's, per page.
"""

import http.client
import json
import math
import multiprocessing
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Count, F, Func
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from articles.models import Article, TaggedArticle

from .seed_bench import bench_articles

PAGE_CACHE_MIDDLEWARE = "healthsite.page_cache.PageCacheMiddleware"
FLOOR_URLCONF = "articles.bench_floor"
# The sample article (shared/sample-article.txt) has 14 causes and 14 questions.
TYPICAL_SIZE = 14
DEFAULT_SEARCH = "knee pain"
# Targets, from the issue: each page's requests/s as a share of the static file's.
TARGETS = {"cached": 0.7, "article": 0.25}
# Latency at 100,000 articles over latency at 1,000, at most.
SCALE_TARGET = 1.2
SCALE_PAGES = ("article", "tag", "home")
QUERY_BUDGET = 5
BYTES_BUDGET = 30 * 1024
LOAD_CLIENTS, LOAD_SECONDS = 32, 10

# (key, label); the rows of the table, in order.
PAGES = [
    ("static", "static CSS"),
    ("cached", "article, cached"),
    ("article", "article"),
    ("floor", "floor: 1 query"),
    ("home", "home"),
    ("tag", "tag page"),
    ("search", "search"),
]

# gunicorn's app when settings.MIDDLEWARE lacks the page cache: the site with it added
# after whitenoise, as tests/site/test_page_cache.py adds it. Written to a temporary
# directory: gunicorn imports the app before Django is set up.
PAGE_CACHED_WSGI = """
import os

import django
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "healthsite.settings")
django.setup()
middleware = list(settings.MIDDLEWARE)
at = middleware.index("whitenoise.middleware.WhiteNoiseMiddleware") + 1
middleware[at:at] = [
    "django.middleware.http.ConditionalGetMiddleware",
    "healthsite.page_cache.PageCacheMiddleware",
]
settings.MIDDLEWARE = middleware

from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()
"""

# gunicorn's app for the floor row: the site, with the floor's address added.
FLOOR_WSGI = f"""
import os

import django
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "healthsite.settings")
django.setup()
settings.ROOT_URLCONF = "{FLOOR_URLCONF}"

from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()
"""

# Counts answers by class in every wrk thread, and prints one JSON line at the end.
WRK_SCRIPT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) s2 = 0; s3 = 0; s4 = 0; s5 = 0 end
function response(status, headers, body)
  if status >= 500 then s5 = s5 + 1
  elseif status >= 400 then s4 = s4 + 1
  elseif status >= 300 then s3 = s3 + 1
  else s2 = s2 + 1 end
end
function done(summary, latency, requests)
  local c = {s2 = 0, s3 = 0, s4 = 0, s5 = 0}
  for _, t in ipairs(threads) do
    for k, _ in pairs(c) do c[k] = c[k] + t:get(k) end
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests": %d, "duration_us": %d, "bytes": %d, "connect": %d, "read": %d, ' ..
    '"write": %d, "timeout": %d, "p50_us": %d, "p99_us": %d, "s2xx": %d, "s3xx": %d, ' ..
    '"s4xx": %d, "s5xx": %d}\\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(99), c.s2, c.s3, c.s4, c.s5))
end
"""


class Command(BaseCommand):
    help = (
        "Requests/s, p50 and p99 latency, queries and bytes of the article (cached and "
        "uncached), home, tag and search pages and of a hashed static file, each driven "
        "through gunicorn (production settings, 2 workers, 127.0.0.1) with wrk or a Python "
        "load generator. Seed first: seed_bench."
    )

    def add_arguments(self, parser):
        parser.add_argument("--duration", type=float, default=10, help="Seconds a page (10).")
        parser.add_argument(
            "--rounds",
            type=int,
            default=5,
            help="Turns each page takes, of duration / rounds seconds, pages alternating (5).",
        )
        parser.add_argument("--warmup", type=float, default=2, help="Untimed seconds first (2).")
        parser.add_argument(
            "--connections", type=int, default=LOAD_CLIENTS, help="Concurrent clients (32)."
        )
        parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2).")
        parser.add_argument(
            "--generator",
            choices=["auto", "wrk", "python"],
            default="auto",
            help="Load generator: wrk when installed (auto), or the Python one.",
        )
        parser.add_argument(
            "--wrk-threads", type=int, default=1, help="wrk threads (1: the CPUs serve)."
        )
        parser.add_argument(
            "--redis-url",
            default="redis://127.0.0.1:6379/15",
            help="The cache the gunicorn workers share (redis://127.0.0.1:6379/15).",
        )
        parser.add_argument("--article", metavar="SLUG", help="Article to fetch (picked).")
        parser.add_argument("--tag", metavar="SLUG", help="Tag page to fetch (the article's).")
        parser.add_argument("--search", default=DEFAULT_SEARCH, help=f"({DEFAULT_SEARCH!r}).")
        parser.add_argument(
            "--gunicorn-arg",
            action="append",
            default=[],
            metavar="ARG",
            help="Extra gunicorn argument, e.g. --gunicorn-arg=--threads=4 (repeatable).",
        )
        parser.add_argument(
            "--no-load-check",
            action="store_true",
            help="Skip the load check (gunicorn exactly as configured, 32 clients, 10 s).",
        )
        parser.add_argument("--save", metavar="PATH", help="Write the figures here (JSON).")
        parser.add_argument(
            "--compare",
            metavar="PATH",
            help="Figures --save wrote for a smaller database: print this run's p50 over its.",
        )

    def handle(self, *args, **options):
        positive = ("duration", "rounds", "connections", "workers", "wrk_threads")
        # `not x > 0`, not `x <= 0`: false for nan too, which ran on forever.
        if not all(options[name] > 0 for name in positive) or not options["warmup"] >= 0:
            raise CommandError(
                "--duration, --rounds, --connections, --workers and --wrk-threads must be "
                "positive, and --warmup not negative."
            )
        if not all(math.isfinite(options[name]) for name in ("duration", "warmup")):
            raise CommandError("--duration and --warmup must be finite.")
        compare = None
        if options["compare"]:  # read it first: a missing file should not cost a whole run
            try:
                compare = json.loads(Path(options["compare"]).read_text())
            except (OSError, ValueError) as error:
                raise CommandError(f"--compare {options['compare']}: {error}") from None
        self.options = options
        self.generator = self._generator(options["generator"])
        self.stdout.write("Collecting static files…")
        call_command("collectstatic", interactive=False, verbosity=0)
        urls = self._urls()
        published = Article.objects.published().count()
        label = f"{published:,} published articles"
        self.stdout.write(
            f"Database: {connection.vendor} ({connection.settings_dict['NAME']}), {label}; "
            f"{os.cpu_count()} CPUs; load: {self.generator}, {options['connections']} clients, "
            f"{options['duration']:g} s a page in {options['rounds']} turns, after "
            f"{options['warmup']:g} s of warm-up; "
            f"load average {os.getloadavg()[0]:.1f}."
        )
        for key, label_ in PAGES:
            self.stdout.write(f"  {label_:16} {urls[key]}")

        rows = {key: {"url": urls[key]} for key, _ in PAGES}
        for key, queries, size in self._in_process(urls):
            rows[key]["queries"] = queries
            rows[key]["html_bytes"] = size
        with tempfile.TemporaryDirectory(prefix="bench-http-") as tmp:
            self.tmp = Path(tmp)
            with (
                self._gunicorn(page_cache=False) as plain,
                self._gunicorn(page_cache=True) as cached,
                self._gunicorn(page_cache=False, floor=True) as floor,
            ):
                servers = {key: plain for key, _ in PAGES} | {"cached": cached, "floor": floor}
                for key, server in servers.items():
                    rows[key] |= self._prepare(server, key, urls[key], cached=key == "cached")
                turns = {key: [] for key in servers}
                seconds = options["duration"] / options["rounds"]
                for round_ in range(options["rounds"]):
                    self.stdout.write(f"  round {round_ + 1}:", ending="")
                    for key, server in servers.items():
                        turn = self._turn(server, urls[key], seconds)
                        turns[key].append(turn)
                        self.stdout.write(f" {key} {turn['rps']:,.0f}/s", ending="")
                        self.stdout.flush()
                    self.stdout.write("")
                for key, taken in turns.items():
                    rows[key] |= combined(taken)
            load = {}
            if not options["no_load_check"]:
                with self._gunicorn(page_cache=None) as server:
                    load = self._load_check(server, urls["article"])

        results = {
            "published": published,
            "generator": self.generator,
            "connections": options["connections"],
            "duration": options["duration"],
            "rounds": options["rounds"],
            "rows": rows,
            "load": load,
        }
        results["load_average"] = os.getloadavg()[0]
        if results["load_average"] > (os.cpu_count() or 1) / 2:
            self.stdout.write(
                self.style.WARNING(
                    f"Note: load average {results['load_average']:.1f} on {os.cpu_count()} CPUs: "
                    "something else was busy, so requests/s and latencies are low and noisy; "
                    "CPU per request is less affected."
                )
            )
        self._table(results)
        self._targets(results)
        if compare:
            self._compare(results, compare)
        if options["save"]:
            path = Path(options["save"])
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(results, indent=2))
            self.stdout.write(f"Figures saved to {path}.")

    # -- what to fetch -------------------------------------------------------------

    def _urls(self):
        article = self._article()
        tag = self.options["tag"] or self._tag(article)
        return {
            "static": staticfiles_storage.url("css/site.css"),
            "cached": article.get_absolute_url(),
            "article": article.get_absolute_url(),
            "floor": f"/bench/floor/{article.slug}/",
            "home": "/",
            "tag": f"/tags/{tag}/",
            "search": "/search/?" + urlencode({"q": self.options["search"]}),
        }

    def _article(self):
        """The --article, or a published bench article among the first 1,000 seeded (so the
        same one at every database size), as close to 14 causes and 14 questions as any."""
        published = Article.objects.published()
        if slug := self.options["article"]:
            if article := published.filter(slug=slug).first():
                return article
            raise CommandError(f"No published article has the slug {slug!r}.")
        article = (
            published.filter(pk__in=self._first_articles())
            .annotate(
                n_causes=Count("article_causes", distinct=True),
                n_questions=Count("faq_entries", distinct=True),
            )
            .annotate(
                distance=Func(F("n_causes") - TYPICAL_SIZE, function="ABS")
                + Func(F("n_questions") - TYPICAL_SIZE, function="ABS")
            )
            .order_by("distance", "pk")
            .first()
        )
        if article is None:
            raise CommandError("No published articles: run seed_bench first.")
        return article

    def _tag(self, article):
        """The article's tag that most of the first 1,000 bench articles have: the same
        tag, with a full first page, at every database size."""
        counts = (
            TaggedArticle.objects.filter(
                tag__in=article.tags.all(), content_object__in=self._first_articles()
            )
            .values("tag__slug")
            .annotate(n=Count("pk"))
            .order_by("-n", "tag__slug")
        )
        if not (top := counts.first()):
            raise CommandError(f"{article.slug} has no tags: name a tag page with --tag.")
        return top["tag__slug"]

    @staticmethod
    def _first_articles():
        """The first 1,000 bench articles (the first 1,000 published when there are none):
        seeding makes the same ones whatever the database's size."""
        if bench_articles().exists():
            return bench_articles().order_by("pk").values("pk")[:1000]
        return Article.objects.published().order_by("pk").values("pk")[:1000]

    # -- in this process ---------------------------------------------------------------

    def _in_process(self, urls):
        """(page, queries, HTML bytes) for each page, from a warm request: the second."""
        middleware = list(settings.MIDDLEWARE)
        if PAGE_CACHE_MIDDLEWARE not in middleware:
            middleware.insert(
                middleware.index("whitenoise.middleware.WhiteNoiseMiddleware") + 1,
                PAGE_CACHE_MIDDLEWARE,
            )
        # The client's host, and `secure` below so an HTTPS redirect cannot answer instead.
        hosts = {"ALLOWED_HOSTS": [*settings.ALLOWED_HOSTS, "testserver"]}
        local_cache = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
        for key, _ in PAGES:
            overrides = hosts | {"PAGE_CACHE": key == "cached"}
            if key == "floor":
                overrides |= {"ROOT_URLCONF": FLOOR_URLCONF}
            if key == "cached":
                overrides |= {"MIDDLEWARE": middleware, "CACHES": local_cache}
            with override_settings(**overrides), warnings.catch_warnings():
                warnings.filterwarnings("ignore", "No directory at", UserWarning)
                client = Client()  # its middleware, as overridden
                self._fetch(client, urls[key])
                with CaptureQueriesContext(connection) as queries:
                    response = self._fetch(client, urls[key])
            body = b"".join(response.streaming_content) if response.streaming else response.content
            yield key, len(queries), len(body)

    @staticmethod
    def _fetch(client, url):
        response = client.get(url, secure=True)
        if response.status_code != 200:
            raise CommandError(f"{url} answered {response.status_code}, not 200.")
        return response

    # -- gunicorn ------------------------------------------------------------------

    @contextmanager
    def _gunicorn(self, page_cache, floor=False):
        """gunicorn on a free port, with the page cache off, on, or (None) as configured;
        `floor`: serving the floor's address too (FLOOR_WSGI).

        For the table, workers are never recycled (`--max-requests 0`): a worker
        restarting every 1,000 requests would measure Django's start-up, not the page.
        The load check (page_cache None) runs gunicorn exactly as its configuration says.
        """
        port = free_port()
        gunicorn = Path(sys.executable).parent / "gunicorn"
        command = [str(gunicorn), "healthsite.wsgi"]
        if page_cache is True and PAGE_CACHE_MIDDLEWARE not in settings.MIDDLEWARE:
            self.stdout.write(
                self.style.WARNING(
                    f"Note: {PAGE_CACHE_MIDDLEWARE} is not in settings.MIDDLEWARE, so the site "
                    "caches no pages; for the cached row this run adds it after whitenoise."
                )
            )
            (self.tmp / "bench_page_cached_wsgi.py").write_text(PAGE_CACHED_WSGI)
            command = [str(gunicorn), "bench_page_cached_wsgi", "--pythonpath", str(self.tmp)]
        if floor:
            (self.tmp / "bench_floor_wsgi.py").write_text(FLOOR_WSGI)
            command = [str(gunicorn), "bench_floor_wsgi", "--pythonpath", str(self.tmp)]
        command += ["-w", str(self.options["workers"])]
        command += ["-b", f"127.0.0.1:{port}", "--no-control-socket"]
        config = Path(settings.BASE_DIR) / "gunicorn.conf.py"
        if config.exists():
            command += ["-c", str(config)]
        if page_cache is not None:
            command += ["--max-requests", "0"]
        command += self.options["gunicorn_arg"]
        env = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith(("DJANGO_", "GUNICORN_"))
        }
        env |= {
            "DJANGO_SETTINGS_MODULE": os.environ.get(
                "DJANGO_SETTINGS_MODULE", "healthsite.settings"
            ),
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_HTTPS": "0",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "REDIS_URL": self.options["redis_url"],
        }
        if page_cache is not None:
            env["DJANGO_PAGE_CACHE"] = "1" if page_cache else "0"
        name = {True: "cached", False: "uncached", None: "as-configured"}[page_cache]
        name += "-floor" if floor else ""
        log_path = self.tmp / f"gunicorn-{name}.log"
        if page_cache is not False:
            # A fresh generation: pages cached by an earlier run (another database) are stale.
            manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "shell", "-c"]
            bump = "from healthsite.page_cache import content_changed; content_changed()"
            subprocess.run(
                [*manage, bump, "--no-imports"],
                env=env,
                check=True,
                cwd=settings.BASE_DIR,
                stdout=subprocess.DEVNULL,
            )
        self.stdout.write(f"Starting gunicorn: {' '.join(command[1:])}")
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        try:
            self._wait_until_up(process, port, log_path)
            yield {"port": port, "log": log_path, "pid": process.pid}
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        errors = [
            line
            for line in log_path.read_text(errors="replace").splitlines()
            if '"level": "ERROR"' in line or "Traceback" in line
        ]
        if errors:
            self.stdout.write(self.style.WARNING(f"gunicorn logged {len(errors)} errors:"))
            for line in errors[:5]:
                self.stdout.write(f"  {line[:300]}")

    @staticmethod
    def _wait_until_up(process, port, log_path):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise CommandError(
                    f"gunicorn stopped (exit {process.returncode}):\n"
                    + log_path.read_text(errors="replace")[-3000:]
                )
            try:
                if get("127.0.0.1", port, "/healthz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise CommandError("gunicorn did not answer /healthz within 60 s.")

    # -- load ------------------------------------------------------------------------

    def _prepare(self, server, key, url, cached=False):
        """Check that the page answers 200 (and, cached, comes from the cache), and warm it."""
        port = server["port"]
        status, _, body = get("127.0.0.1", port, url)
        if status != 200:
            raise CommandError(f"{url} answered {status} through gunicorn, not 200.")
        if self.options["warmup"] > 0:
            self._load(port, url, self.options["connections"], self.options["warmup"])
        row = {"bytes": len(body)}
        if cached:
            marker = get("127.0.0.1", port, url)[1].get("x-page-cache", "")
            row["page_cache"] = marker or "none"
            if marker != "hit":
                self.stdout.write(
                    self.style.WARNING(f"{url} is not served from the page cache ({marker!r}).")
                )
        return row

    def _turn(self, server, url, seconds):
        """Drive the page for `seconds`: the load generator's figures, and the CPU seconds
        gunicorn's workers and the database's backends used meanwhile."""
        before = self._settled(server)
        turn = self._load(server["port"], url, self.options["connections"], seconds)
        after = self._settled(server)
        for name in ("app", "db"):
            if before[name] is None or after[name] is None:
                turn[f"{name}_cpu_s"] = None
                continue
            # A backend that appears during the run counts from zero.
            used = sum(cpu - before[name].get(pid, 0) for pid, cpu in after[name].items())
            turn[f"{name}_cpu_s"] = max(0, used)
        return turn

    def _settled(self, server):
        """CPU seconds once the requests still queued when a load stopped are done, so
        that their CPU is counted for their page, not the next (at most 5 s)."""
        used = self._cpu_seconds(server)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            time.sleep(0.1)
            now = self._cpu_seconds(server)
            if now == used:
                break
            used = now
        return used

    def _cpu_seconds(self, server):
        """{"app": {pid: CPU seconds} of gunicorn's workers, "db": of the PostgreSQL
        backends connected to this database (but this command's own)}; None where /proc
        cannot tell (not Linux, or a database on another machine)."""
        found = {"app": [*children(server["pid"])], "db": []}
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid()"
                )
                found["db"] = [pid for (pid,) in cursor.fetchall()]
        used = {}
        for name, pids in found.items():
            seconds = {pid: cpu_seconds(pid) for pid in pids}
            # A backend may close between the two looks; none readable: not on this machine.
            known = {pid: value for pid, value in seconds.items() if value is not None}
            used[name] = known if known or not pids else None
        return used

    def _load_check(self, server, url):
        """The issue's check: 32 clients for 10 s, gunicorn and settings as configured."""
        port = server["port"]
        self.stdout.write(f"  load check: {LOAD_CLIENTS} clients, {LOAD_SECONDS} s…", ending="")
        self.stdout.flush()
        result = self._load(port, url, LOAD_CLIENTS, LOAD_SECONDS)
        log = server["log"].read_text(errors="replace")
        result["restarts"] = log.count("Autorestarting worker")
        result["page_cache"] = get("127.0.0.1", port, url)[1].get("x-page-cache", "none")
        self.stdout.write(f" {result['rps']:,.0f} requests/s")
        return result

    def _load(self, port, url, connections, seconds):
        if self.generator.startswith("wrk"):
            return self._wrk(port, url, connections, seconds)
        return python_load(port, url, connections, seconds)

    def _wrk(self, port, url, connections, seconds):
        script = self.tmp / "count.lua"
        script.write_text(WRK_SCRIPT)
        threads = max(1, min(self.options["wrk_threads"], connections))
        command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s"]
        command += ["--timeout", "30s", "-s", str(script), f"http://127.0.0.1:{port}{url}"]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        found = re.search(r"^WRK_RESULT (\{.*\})$", done.stdout, re.M)
        if done.returncode or not found:
            raise CommandError(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
        r = json.loads(found.group(1))
        errors = r["connect"] + r["read"] + r["write"] + r["timeout"]
        return {
            "requests": r["requests"],
            "rps": r["requests"] / (r["duration_us"] / 1e6),
            "p50_ms": r["p50_us"] / 1000,
            "p99_ms": r["p99_us"] / 1000,
            "errors": errors,
            "non_2xx": r["s3xx"] + r["s4xx"] + r["s5xx"],
            "5xx": r["s5xx"],
        }

    def _generator(self, choice):
        wrk = shutil.which("wrk")
        if choice == "wrk" and not wrk:
            raise CommandError("wrk is not installed (Debian: apt-get install wrk).")
        if choice == "python" or not wrk:
            return "python (http.client threads)"
        version = subprocess.run([wrk, "-v"], capture_output=True, text=True, check=False)
        found = re.search(r"wrk (\S+)", version.stdout + version.stderr)
        return f"wrk {found.group(1) if found else ''}".strip()

    # -- report ----------------------------------------------------------------------

    def _table(self, results):
        rows = results["rows"]
        static_rps = rows["static"]["rps"] or 1
        heading = (
            f"{'page':16} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'queries':>7} "
            f"{'bytes':>8} {'÷ static':>8} {'app CPU':>8} {'db CPU':>7} {'errors':>6} "
            f"{'non-2xx':>7}"
        )
        self.stdout.write("\n" + heading)
        self.stdout.write("-" * len(heading))
        for key, label in PAGES:
            row = rows[key]
            self.stdout.write(
                f"{label:16} {row['rps']:8,.0f} {row['p50_ms']:8.1f} {row['p99_ms']:8.1f} "
                f"{row['queries']:7} {row['bytes']:8,} {row['rps'] / static_rps:8.2f} "
                f"{ms(row['app_cpu_ms']):>8} {ms(row['db_cpu_ms']):>7} "
                f"{row['errors']:6} {row['non_2xx']:7}"
            )
        self.stdout.write(
            "app CPU, db CPU: ms of CPU per request used by gunicorn's workers and by "
            "PostgreSQL (from /proc; less affected by other load than req/s)."
        )
        load = results["load"]
        if not load:
            return
        clean = load["errors"] == 0 and load["5xx"] == 0
        style = self.style.SUCCESS if clean else self.style.ERROR
        self.stdout.write(
            style(
                f"\nLoad check, gunicorn as configured (page cache: {load['page_cache']}): "
                f"{LOAD_CLIENTS} clients for {LOAD_SECONDS} s against the article page: "
                f"{load['requests']:,} requests ({load['rps']:,.0f}/s, p99 {load['p99_ms']:.0f} "
                f"ms), {load['errors']} errors, {load['5xx']} 5xx, {load['non_2xx']} non-2xx, "
                f"{load['restarts']} worker restarts: " + ("PASS" if clean else "FAIL")
            )
        )

    def _targets(self, results):
        rows = results["rows"]
        static_rps = rows["static"]["rps"] or 1
        checks = []
        for key, share in TARGETS.items():
            ratio = rows[key]["rps"] / static_rps
            label = dict(PAGES)[key]
            checks.append(
                (
                    f"{label} ≥ {share} x the static file's requests/s",
                    ratio >= share,
                    self._share(rows, key),
                )
            )
        article = rows["article"]
        checks.append(
            (
                f"queries per uncached article page ≤ {QUERY_BUDGET}",
                article["queries"] <= QUERY_BUDGET,
                str(article["queries"]),
            )
        )
        checks.append(
            (
                f"article page HTML < {BYTES_BUDGET // 1024} KB",
                article["bytes"] < BYTES_BUDGET,
                f"{article['bytes']:,} bytes",
            )
        )
        self.stdout.write("\nTargets:")
        for text, met, value in checks:
            self._verdict(text, met, value)
        self.stdout.write(
            f"  The floor (the article's bytes after one query, the page not built): "
            f"{self._share(rows, 'floor')}; the most the uncached article could reach here."
        )

    @staticmethod
    def _share(rows, key):
        """The page's requests/s over the static file's, and the same by CPU per request."""
        value = f"{rows[key]['rps'] / (rows['static']['rps'] or 1):.2f}"
        if by_cpu := cpu_ratio(rows["static"], rows[key]):
            value += f" (by CPU per request: {by_cpu:.2f})"
        return value

    def _compare(self, results, smaller):
        """This run's p50 over the smaller database's, per page; CPU and queries alike."""
        big, small = results["rows"], smaller["rows"]
        self.stdout.write(
            f"\n{results['published']:,} vs {smaller['published']:,} published articles "
            "(this size over the smaller):"
        )
        heading = (
            f"{'page':16} {'p50 ms':>17} {'p50 ratio':>9} {'req/s ratio':>11} "
            f"{'CPU ms/req':>15} {'CPU ratio':>9} {'queries':>8}"
        )
        self.stdout.write(heading)
        self.stdout.write("-" * len(heading))
        for key, label in PAGES:
            b, s = big[key], small.get(key)
            if not s:
                continue
            cpu = (server_cpu(s), server_cpu(b))
            cpu_text = f"{ms(cpu[0]):>6} → {ms(cpu[1]):>6}" if None not in cpu else "?"
            self.stdout.write(
                f"{label:16} {s['p50_ms']:7.1f} → {b['p50_ms']:7.1f} {ratio(b, s, 'p50_ms'):9.2f} "
                f"{b['rps'] / (s['rps'] or 1):11.2f} {cpu_text:>15} "
                f"{cpu[1] / cpu[0] if None not in cpu and cpu[0] else float('nan'):9.2f} "
                f"{s['queries']:>3} → {b['queries']}"
            )
        self.stdout.write(
            "CPU ms/req: server CPU (app + db) per request; its ratio is what the p50 ratio "
            "tends to when both runs have the machine to themselves."
        )
        self.stdout.write("\nTargets:")
        for key in SCALE_PAGES:
            b, s = big[key], small[key]
            value = f"{ratio(b, s, 'p50_ms'):.2f}"
            if None not in (server_cpu(s), server_cpu(b)) and server_cpu(s):
                value += f" (CPU per request: {server_cpu(b) / server_cpu(s):.2f})"
            label = dict(PAGES)[key]
            met = ratio(b, s, "p50_ms") <= SCALE_TARGET
            self._verdict(f"{label}: p50 ratio ≤ {SCALE_TARGET}", met, value)
        same = big["article"]["queries"] == small["article"]["queries"]
        self._verdict(
            "queries per article page constant",
            same,
            f"{small['article']['queries']} → {big['article']['queries']}",
        )

    def _verdict(self, text, met, value):
        style = self.style.SUCCESS if met else self.style.ERROR
        self.stdout.write(style(f"  {'met ' if met else 'MISSED'} {text}: {value}"))


# -- helpers (module level: the Python load generator's children run them) ---------


def combined(turns):
    """One row from a page's turns: requests/s over all of them, the median turn's p50,
    the worst turn's p99, and CPU per request (unlike requests/s, it hardly changes
    when something else is using the machine)."""
    requests = sum(turn["requests"] for turn in turns)
    seconds = sum(turn["requests"] / turn["rps"] for turn in turns if turn["rps"])
    row = {
        "requests": requests,
        "rps": requests / seconds if seconds else 0,
        "p50_ms": statistics.median(turn["p50_ms"] for turn in turns),
        "p99_ms": max(turn["p99_ms"] for turn in turns),
        **{key: sum(turn[key] for turn in turns) for key in ("errors", "non_2xx", "5xx")},
    }
    for name in ("app", "db"):
        used = [turn[f"{name}_cpu_s"] for turn in turns]
        known = None not in used and requests
        row[f"{name}_cpu_ms"] = sum(used) * 1000 / requests if known else None
    return row


def ratio(big, small, name):
    return big[name] / small[name] if small[name] else float("inf")


def server_cpu(row):
    """CPU ms per request of gunicorn's workers and the database, or None if unknown."""
    if row.get("app_cpu_ms") is None:
        return None
    return row["app_cpu_ms"] + (row.get("db_cpu_ms") or 0)


def ms(value):
    return "?" if value is None else f"{value:.2f}"


def cpu_ratio(static, row):
    """The static file's server CPU per request (app and database) over this page's: what
    the requests/s ratio tends to when nothing else wants the CPUs (the load generator's
    and the kernel's share aside)."""
    if None in (static["app_cpu_ms"], row["app_cpu_ms"]):
        return None
    cost = row["app_cpu_ms"] + (row["db_cpu_ms"] or 0)
    return (static["app_cpu_ms"] + (static["db_cpu_ms"] or 0)) / cost if cost else None


def cpu_seconds(pid):
    """User and system CPU seconds used by process `pid` (all its threads), from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children(pid):
    """Ids of the processes whose parent is `pid` (gunicorn's workers), from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    return found


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(host, port, url, timeout=30):
    """(status, {lower-case header: value}, body) of one GET."""
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request("GET", url)
        response = conn.getresponse()
        body = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body
    finally:
        conn.close()


def python_load(port, url, connections, seconds):
    """Like wrk: `connections` clients, each a keep-alive connection sending GETs one after
    another for `seconds`; threads, spread over a process per CPU (the GIL)."""
    processes = max(1, min(os.cpu_count() or 1, connections))
    shares = [connections // processes + (i < connections % processes) for i in range(processes)]
    context = multiprocessing.get_context("fork")
    with context.Pool(processes) as pool:
        parts = pool.starmap(_clients, [(port, url, share, seconds) for share in shares if share])
    latencies = sorted(ms for part in parts for ms in part["latencies"])
    elapsed = max(part["elapsed"] for part in parts)
    statuses = {}
    for part in parts:
        for status, n in part["statuses"].items():
            statuses[status] = statuses.get(status, 0) + n
    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed if elapsed else 0,
        "p50_ms": statistics.median(latencies) if latencies else 0,
        "p99_ms": latencies[max(0, round(0.99 * len(latencies)) - 1)] if latencies else 0,
        "errors": sum(part["errors"] for part in parts),
        "non_2xx": sum(n for status, n in statuses.items() if not 200 <= status < 300),
        "5xx": sum(n for status, n in statuses.items() if status >= 500),
    }


def _clients(port, url, count, seconds):
    results = [{"latencies": [], "statuses": {}, "errors": 0} for _ in range(count)]
    started = time.perf_counter()
    deadline = started + seconds

    def client(result):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while (now := time.perf_counter()) < deadline:
            try:
                conn.request("GET", url)
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                result["errors"] += 1
                conn.close()  # the next request opens a new connection
                continue
            result["latencies"].append((time.perf_counter() - now) * 1000)
            result["statuses"][response.status] = result["statuses"].get(response.status, 0) + 1
        conn.close()

    threads = [threading.Thread(target=client, args=(result,)) for result in results]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = {}
    for result in results:
        for status, n in result["statuses"].items():
            statuses[status] = statuses.get(status, 0) + n
    return {
        "latencies": [ms for result in results for ms in result["latencies"]],
        "statuses": statuses,
        "errors": sum(result["errors"] for result in results),
        "elapsed": time.perf_counter() - started,
    }
