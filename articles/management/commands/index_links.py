"""Re-read every article's text for its internal links: `manage.py index_links`.

Saving keeps the index (articles/links.py) up to date by itself; run this after
a change to the site's URLs, or after writing texts without `save()`.
"""

import time

from django.core.management.base import BaseCommand

from articles import links


class Command(BaseCommand):
    help = "Rebuild the index of links between pages of this site (for the broken-links report)."

    def handle(self, *args, **options):
        started = time.perf_counter()
        count = links.rebuild()  # a transaction for each 2,000 articles
        elapsed = time.perf_counter() - started
        done = f"Indexed {count:,} internal links in {elapsed:.1f} s."
        self.stdout.write(self.style.SUCCESS(done))
