"""Django's `loaddata`, which also rebuilds the index of links when the data has none.

A dump restores the index of internal links (articles/links.py) like any other
table, and rows loaded "raw" are not re-read for links. So a dump made before
the index existed, or with `--exclude articles.internallink`, would restore
articles and an empty index: the broken-links report would then say "None".
Here, when the loaded data holds texts (articles, their causes or answers)
but no index rows, the index is rebuilt from the texts in the same
transaction, as `manage.py index_links` would.

Django lets an installed app's command replace a built-in one of the same name.
"""

from django.core.management.commands import loaddata

from articles import links
from articles.models import Article, ArticleCause, InternalLink
from faq.models import FAQEntry

TEXTS = {Article, ArticleCause, FAQEntry}


class Command(loaddata.Command):
    help = (
        f"{loaddata.Command.help} Rebuilds the index of links between articles"
        " when the data has articles' texts but no index (a dump from before it)."
    )

    def loaddata(self, fixture_labels):
        super().loaddata(fixture_labels)
        if self.models & TEXTS and InternalLink not in self.models:
            count = links.rebuild(using=self.using)
            if self.verbosity >= 1:
                self.stdout.write(f"Indexed {count:,} internal links (the data had no index).")
