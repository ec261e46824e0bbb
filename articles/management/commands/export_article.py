from django.core.management.base import BaseCommand, CommandError

from articles.exporter import export_text
from articles.models import Article


class Command(BaseCommand):
    help = "Write an article in the plain-text form that import_article reads."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--output", "-o", help="Write to this file instead of the screen.")

    def handle(self, *args, slug, output, **options):
        article = Article.objects.filter(slug=slug).first()
        if article is None:
            raise CommandError(f"No article has the slug '{slug}'.")
        text = export_text(article)
        if output:
            try:
                with open(output, "w", encoding="utf-8") as file:
                    file.write(text)
            except OSError as error:
                raise CommandError(f"{output}: {error.strerror}") from None
        else:
            self.stdout.write(text, ending="")
