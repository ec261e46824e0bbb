from argparse import ArgumentTypeError

from django.core.management.base import BaseCommand

from sources.checker import check_sources
from sources.models import Source


def positive(kind, most):
    """A number above 0 and at most `most`: "nan" and "inf" are floats too, and
    a socket's timeout of either (or of 1e10) failed every check, recording
    every source as broken."""

    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            value = 0
        if not 0 < value <= most:  # false for nan
            raise ArgumentTypeError(f"expected a number above 0 and at most {most}, got {text!r}")
        return value

    return parse


class Command(BaseCommand):
    help = (
        "Check that every cited source's URL still answers, and record the outcome. "
        "Lists the broken ones; exits 0 even when some are broken."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--timeout",
            type=positive(float, most=300),
            default=10,
            help="Seconds to wait for each request (default 10).",
        )
        parser.add_argument(
            "--concurrency",
            type=positive(int, most=64),
            default=8,
            help="How many sources to check at once (default 8).",
        )
        parser.add_argument(
            "--only-broken",
            action="store_true",
            help="Check again only the sources that were broken at their last check.",
        )

    def handle(self, *args, timeout, concurrency, only_broken, **options):
        sources = Source.objects.broken() if only_broken else Source.objects.all()
        summary = check_sources(sources, timeout=timeout, concurrency=concurrency)
        for source in sorted(summary.broken, key=lambda source: source.url):
            problem = source.last_error or f"HTTP {source.last_status}"
            self.stdout.write(self.style.WARNING(f"{problem}: {source.url} ({source})"))
        self.stdout.write(str(summary))
