from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from articles.importer import ImportFormatError, import_article, parse, read_text


class Command(BaseCommand):
    help = (
        "Import articles from plain-text files (one article a file). Each file is imported "
        "in its own transaction: a file with an error writes nothing, and the others go on."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument("--publish", action="store_true", help="Publish (default: draft).")
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would change; write nothing."
        )

    def handle(self, *args, paths, publish, dry_run, **options):
        failed = 0
        for path in paths:
            try:
                summary = import_article(
                    parse(read_text(_read(Path(path)))), publish=publish, dry_run=dry_run
                )
            except ImportFormatError as error:
                failed += 1
                self.stderr.write(self.style.ERROR(error.describe(path)))
            else:
                self.stdout.write(f"{path}: {summary.line()}")
        if failed:
            raise CommandError(f"{failed} of {len(paths)} files could not be imported.")


def _read(path):
    limit = settings.IMPORT_MAX_BYTES
    try:
        with path.open("rb") as file:
            data = file.read(limit + 1)  # never more than the limit into memory
    except OSError as error:
        raise ImportFormatError(error.strerror or str(error)) from None
    if len(data) > limit:
        raise ImportFormatError(
            f"the file is over the limit of {limit:,} bytes ({limit // 1024} KB)"
        )
    return data
