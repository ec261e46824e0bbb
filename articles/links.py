"""The index of internal links: every link in an article's text to a page of this site.

The rendered texts are read for links when they change, not when editors ask
for the broken-links report: the report (`integrity.broken_internal_links`)
then finds links to missing or unpublished pages in the database, however
many articles there are. Reading every text for it took 1.4 s at 100,000
articles with few links, and 17 s with two links an article.

`index(article_ids)` re-reads the given articles' own fields, their causes'
explanations and their answers. It runs whenever an article's texts change
(through `changes.on_articles_changed`: once for an admin save with all its
inlines) and after seed_bench's bulk writes. A path is resolved to its page
when it is indexed, so after a change to the site's URLs, `manage.py
index_links` re-reads every article (the migration that made the index did
the same); also after texts were written without `save()`. Rows saved "raw"
by `loaddata` are not read: a backup restores its index, and the project's
`loaddata` rebuilds it when the data has articles but no index.
"""

from django.apps import apps as global_apps
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from .changes import on_articles_changed
from .integrity import internal_paths, resolved

ARTICLES_A_QUERY = 500


@on_articles_changed(texts_only=True, skip_raw=True)  # (a backup holds the index too)
def _articles_changed(article_ids):
    index(article_ids)


def index(article_ids, apps=global_apps, fields=None, using=DEFAULT_DB_ALIAS):
    """Replace the indexed links of these articles with those their texts hold now.

    `apps`: the app registry whose models to use, and `fields` the article's
    Markdown fields (by default, the model's): a migration passes its own.
    `using`: the database.
    """
    ids = sorted(set(article_ids))
    fields = fields or global_apps.get_model("articles", "Article").markdown_fields
    size = ARTICLES_A_QUERY
    if limit := connections[using].features.max_query_params:
        size = min(size, limit - 10)
    for start in range(0, len(ids), size):
        _index(ids[start : start + size], apps, fields, using)


def rebuild(apps=global_apps, fields=None, chunk=2000, using=DEFAULT_DB_ALIAS):
    """Index every article, a transaction for each `chunk` of them. Returns how
    many links there are."""
    Article = apps.get_model("articles", "Article")
    InternalLink = apps.get_model("articles", "InternalLink")
    ids = list(Article.objects.using(using).order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), chunk):
        index(ids[start : start + chunk], apps, fields, using)
    return InternalLink.objects.using(using).count()


def _index(ids, apps, fields, using):
    def rows_of(app_label, model_name):
        return apps.get_model(app_label, model_name)._default_manager.db_manager(using)

    articles, internal_links = rows_of("articles", "Article"), rows_of("articles", "InternalLink")
    article_causes, faq_entries = rows_of("articles", "ArticleCause"), rows_of("faq", "FAQEntry")
    with transaction.atomic(using=using):
        # Locked, so two saves of one article (or a save and `index_links`)
        # take turns: each would delete the links, then both insert them.
        rows = (
            articles.select_for_update()
            .filter(pk__in=ids)
            .order_by("pk")
            .values_list("pk", *(f"{name}_html" for name in fields))
        )
        texts = []  # (where the text is, its HTML)
        for pk, *htmls in rows:
            for name, html in zip(fields, htmls, strict=True):
                texts.append(({"article_id": pk, "field": name}, html))
        causes = article_causes.filter(article_id__in=ids)
        for pk, article_id, html in causes.values_list("pk", "article_id", "explanation_html"):
            where = {"article_id": article_id, "field": "explanation", "article_cause_id": pk}
            texts.append((where, html))
        entries = faq_entries.filter(article_id__in=ids)
        for pk, article_id, html in entries.values_list("pk", "article_id", "answer_html"):
            texts.append(({"article_id": article_id, "field": "answer", "faq_entry_id": pk}, html))

        found = [(where, path) for where, html in texts for path in internal_paths(html)]
        matches = resolved({path for _, path in found})
        links = []
        for where, path in found:
            match = matches[path]
            links.append(
                internal_links.model(
                    **where,
                    path=path,
                    view_name=match.view_name if match else "",
                    slug=(match.kwargs.get("slug") or "") if match else "",
                )
            )
        internal_links.filter(article_id__in=ids).delete()
        # And by cause and answer: one moved here from another article brings its links along.
        internal_links.filter(article_cause__in=causes.values("pk")).delete()
        internal_links.filter(faq_entry__in=entries.values("pk")).delete()
        internal_links.bulk_create(links, batch_size=500)
