"""How fast is search? `manage.py bench`, after `seed_bench`; `make bench` runs both.

Requests go through Django's test client, in this process: the figures are
the time Django and the database take for a whole search page (URL routing,
middleware, the queries, the template), without a network or a web server.
"""

import statistics
import time
import warnings
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse

from articles.models import Article
from articles.search import full_text_matches

from .seed_bench import bench_articles

TARGET_MS = 50
# The full text, the head (title, subtitle, causes, tags) and its title part.
GIN_INDEXES = ("article_search_vector_gin", "article_search_head_gin", "article_search_title_gin")
# What readers type, in the seeded vocabulary: single words, two-word phrases,
# longer phrases and questions, quoted phrases and exclusions, typos, and
# phrases nothing matches.
QUERIES = [
    "knee pain",
    "headache",
    "dehydration",
    "caffeine",
    "stress",
    "swollen ankles",
    "itchy skin",
    "stiff neck",
    "back pain",
    "leg cramps",
    "tingling fingers",
    "eyelid twitching",
    "vitamin D deficiency",
    "gout",
    "sciatica",
    "why do my knees ache after running",
    "burning feet at night",
    "neck stiffness in the morning",
    '"lower back"',
    "migraine -caffeine",
    "dehidration",
    "sciatca",
    "quantum chromodynamics",
    "xylophone lessons",
]


class Command(BaseCommand):
    help = (
        "Time search requests (/search/?q=...) in-process over a fixed list of realistic "
        f"queries, after a warm-up round; print the median and p95 (target: median under "
        f"{TARGET_MS} ms on PostgreSQL with 100,000 articles) and the EXPLAIN of the "
        "full-text query, saying whether it uses the GIN index. Seed first: seed_bench."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--queries", type=int, default=60, help="Timed requests, cycling through the list (60)."
        )
        parser.add_argument(
            "--explain-query", default="knee pain", help='The query to EXPLAIN ("knee pain").'
        )

    def handle(self, *args, queries, explain_query, **options):
        if queries < 1:
            raise CommandError("--queries must be 1 or more.")
        postgresql = connection.vendor == "postgresql"
        published = Article.objects.published().count()
        self.stdout.write(
            f"Database: {connection.vendor} ({connection.settings_dict['NAME']}): "
            f"{published:,} published articles, {bench_articles().count():,} from seed_bench."
        )
        if not postgresql:
            self.stdout.write(
                self.style.WARNING(
                    "Note: these figures are for the SQLite fallback search. The target "
                    f"(median under {TARGET_MS} ms at 100,000 articles, GIN index) applies to "
                    "PostgreSQL: run `make bench`."
                )
            )
        if settings.DEBUG:
            self.stdout.write(self.style.WARNING("Note: DEBUG is on; it slows every request."))

        timings = self._time_requests(queries)
        all_ms = sorted(ms for values in timings.values() for ms in values)
        median = statistics.median(all_ms)
        p95 = all_ms[max(0, round(0.95 * len(all_ms)) - 1)]
        self.stdout.write(f"\nTimed {len(all_ms)} requests over {len(timings)} queries:")
        slowest = sorted(timings.items(), key=lambda item: -statistics.median(item[1]))
        for query, values in slowest[:5]:
            self.stdout.write(f"  {statistics.median(values):7.1f} ms  {query}")
        verdict = "under" if median < TARGET_MS else "NOT under"
        style = self.style.SUCCESS if median < TARGET_MS else self.style.ERROR
        self.stdout.write(
            style(
                f"Median {median:.1f} ms, p95 {p95:.1f} ms: "
                f"the median is {verdict} the {TARGET_MS} ms target."
            )
        )
        if postgresql:
            self._explain(explain_query)
        else:
            self.stdout.write("No EXPLAIN: the full-text query and its GIN index need PostgreSQL.")

    def _time_requests(self, count):
        """{query: [milliseconds]} after one untimed round over every query."""
        client = Client()
        url = reverse("articles:search")
        timings = {query: [] for query in QUERIES}
        # The client's host, without setup_test_environment(): that instruments template
        # rendering, and the client would then copy every context, inside the timings.
        # `secure` below, so an HTTPS redirect cannot answer instead.
        overrides = {"ALLOWED_HOSTS": [*settings.ALLOWED_HOSTS, "testserver"]}
        if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
            # Hashed names need `collectstatic`; the plain storage costs the same.
            overrides["STORAGES"] = settings.STORAGES | {
                "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
            }
        with override_settings(**overrides), warnings.catch_warnings():
            # whitenoise looks for collected files, which timing does not need.
            warnings.filterwarnings("ignore", "No directory at", UserWarning)
            for query in QUERIES:
                self._get(client, url, query)
            for i in range(count):
                query = QUERIES[i % len(QUERIES)]
                started = time.perf_counter()
                self._get(client, url, query)
                timings[query].append((time.perf_counter() - started) * 1000)
        return {query: values for query, values in timings.items() if values}

    def _get(self, client, url, query):
        response = client.get(url, {"q": query}, secure=True)
        if response.status_code != 200:
            raise CommandError(f"{url}?q={query} answered {response.status_code}, not 200.")

    def _explain(self, query):
        plan = full_text_matches(query)[:20].explain(analyze=True, buffers=True)
        self.stdout.write(f"\nEXPLAIN (ANALYZE, BUFFERS) of full_text_matches({query!r})[:20]:")
        self.stdout.write(plan)
        run = [line for line in plan.splitlines() if "never executed" not in line]
        if used := [name for name in GIN_INDEXES if any(name in line for line in run)]:
            self.stdout.write(
                self.style.SUCCESS(f"The plans use the GIN index(es) {', '.join(used)}.")
            )
        else:
            self.stdout.write(self.style.ERROR("The plans use no GIN index of the search."))
