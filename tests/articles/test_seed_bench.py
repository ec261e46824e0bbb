from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from taggit.models import Tag

from articles import search
from articles.integrity import as_problems, broken_internal_links, internal_paths
from articles.management.commands.seed_bench import PREFIX, bench_articles
from articles.models import Article, ArticleCause, Cause, RelatedLink
from articles.page import ArticleContent
from articles.related import related_articles
from faq.models import FAQEntry, TaggedFAQEntry
from healthsite.markdown import render_markdown
from tests.factories import add_cause, add_link, make_article

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="search vectors and COPY exist only on PostgreSQL"
)


def seed(*args):
    out = StringIO()
    call_command("seed_bench", *args, stdout=out)
    return out.getvalue()


def titles():
    return set(bench_articles().values_list("title", flat=True))


class TestSeeding:
    def test_articles_have_realistic_shapes(self):
        output = seed("--articles", "30", "--seed", "7", "--batch-size", "7")
        assert "Seeded 30 articles" in output

        articles = bench_articles().annotate(
            n_causes=Count("article_causes", distinct=True),
            n_questions=Count("faq_entries", distinct=True),
            n_tags=Count("tags", distinct=True),
        )
        assert articles.count() == 30
        for article in articles:
            assert 5 <= article.n_causes <= 15
            assert 5 <= article.n_questions <= 15
            assert 2 <= article.n_tags <= 6
            assert article.slug.startswith(PREFIX)
        assert len({a.slug for a in articles}) == len({a.title.lower() for a in articles}) == 30
        published = bench_articles().filter(status=Article.Status.PUBLISHED)
        assert 20 <= published.count() <= 30
        assert not published.filter(publish_at__isnull=True).exists()
        assert Article.objects.published().count() == published.count()  # all in the past
        assert not bench_articles().filter(status=Article.Status.DRAFT, publish_at__isnull=False)
        # Shared pools: causes and tags recur across articles.
        assert Cause.objects.count() <= 400
        assert Tag.objects.count() <= 300
        assert (
            ArticleCause.objects.values("cause").distinct().count() < ArticleCause.objects.count()
        )

    def test_html_twins_are_what_saving_would_render(self):
        seed("--articles", "30")
        for article in bench_articles():
            for name in Article.markdown_fields:
                html = getattr(article, f"{name}_html")
                assert html == render_markdown(getattr(article, name)), name
            assert article.summary_html.startswith("<p>")
        for item in ArticleCause.objects.filter(article__in=bench_articles()):
            assert item.explanation_html == render_markdown(item.explanation) != ""
        for entry in FAQEntry.objects.filter(article__in=bench_articles()):
            assert entry.answer_html == render_markdown(entry.answer) != ""
        for cause in Cause.objects.all():
            assert cause.description_html == render_markdown(cause.description) != ""

    def test_articles_link_to_articles_seeded_before_them(self):
        seed("--articles", "60")
        order = list(bench_articles().order_by("pk"))
        position = {article.get_absolute_url(): n for n, article in enumerate(order)}
        links = []
        for n, article in enumerate(order):
            paths = internal_paths(article.conclusion_html)
            assert (1 <= len(paths) <= 3) if n else not paths
            assert all(position.get(path, n) < n for path in paths)
            links += [(article, path) for path in paths]
        # Readers' pages unlink those to drafts; the editors' report lists exactly those.
        drafts = {a.get_absolute_url() for a in order if a.status == Article.Status.DRAFT}
        to_drafts = {(article.pk, path) for article, path in links if path in drafts}
        assert to_drafts
        assert {(p.article.pk, p.target) for p in as_problems(broken_internal_links())} == to_drafts

    def test_articles_pin_see_also_links_to_articles_seeded_before_them(self):
        seed("--articles", "40", "--batch-size", "15")
        order = list(bench_articles().order_by("pk"))
        targets = []
        for n, article in enumerate(order):
            links = list(article.related_links.order_by("position"))
            assert (1 <= len(links) <= 3) if n else not links
            assert [link.position for link in links] == list(range(1, len(links) + 1))
            for link in links:
                assert link.target is not None and link.target.pk < article.pk  # across batches
                assert link.target_title == link.target.title
            targets += [link.target for link in links]
        assert {target.status for target in targets} == {"published", "draft"}
        # Readers see the published ones first in See also.
        article = next(a for a in order if a.related_links.filter(target__status="published"))
        content = ArticleContent.from_saved(Article.objects.for_detail().get(pk=article.pk))
        visible = [link.target for link in article.related_links.visible()]
        assert related_articles(content)[: len(visible)] == visible

    def test_pages_of_seeded_content_render(self, client):
        seed("--articles", "5")
        article = Article.objects.published().first()
        assert client.get(article.get_absolute_url()).status_code == 200
        cause = article.article_causes.first().cause
        assert client.get(cause.get_absolute_url()).status_code == 200


class TestRerunning:
    def test_a_plain_rerun_adds_articles_without_collisions(self):
        seed("--articles", "30")
        first = titles()
        seed("--articles", "10")
        assert bench_articles().count() == 40
        assert first < titles()
        assert Cause.objects.count() <= 400  # the pool is reused, not duplicated

    def test_top_up_adds_only_what_is_missing(self):
        seed("--articles", "20", "--top-up")
        assert "Nothing to add" in seed("--articles", "20", "--top-up")
        assert "Nothing to add" in seed("--articles", "15", "--top-up")
        seed("--articles", "30", "--top-up")
        assert bench_articles().count() == 30

    def test_the_same_seed_gives_the_same_articles_however_runs_are_split(self):
        seed("--articles", "30", "--seed", "3")
        at_once = titles()
        seed("--articles", "0", "--reset")
        seed("--articles", "20", "--seed", "3")
        seed("--articles", "30", "--seed", "3", "--top-up")
        assert titles() == at_once
        seed("--articles", "30", "--seed", "4", "--reset")
        assert titles() != at_once

    def test_titles_other_articles_have_are_skipped(self):
        seed("--articles", "3", "--seed", "5")
        taken = sorted(titles())
        seed("--articles", "0", "--reset")
        make_article(title=taken[0].upper())
        seed("--articles", "3", "--seed", "5")
        assert bench_articles().count() == 3
        assert taken[0] not in titles()

    def test_reset_deletes_only_bench_content(self):
        seed("--articles", "30")
        bench_cause = Cause.objects.filter(slug__startswith=PREFIX).first()
        own = make_article(title="Bench press shoulder pain", tags=["bench press"])
        assert own.slug == "bench-press-shoulder-pain"  # "bench-", but not the marker
        add_cause(own, bench_cause)
        link = add_link(own, target=bench_articles().first())
        bench_entry = FAQEntry.objects.filter(article__in=bench_articles()).first()
        bench_entry.tags.add("bench question")  # two steps from an article

        seed("--articles", "5", "--reset")

        assert bench_articles().count() == 5
        assert Article.objects.filter(pk=own.pk).exists()
        assert Cause.objects.filter(pk=bench_cause.pk).exists()  # still listed by `own`
        assert Tag.objects.filter(name="bench press").exists()
        link = RelatedLink.objects.get(pk=link.pk)
        assert link.target is None and link.target_title  # pending, as after any deletion
        assert not FAQEntry.objects.filter(pk=bench_entry.pk).exists()
        assert not TaggedFAQEntry.objects.filter(content_object_id=bench_entry.pk).exists()
        for model in (ArticleCause, FAQEntry):
            orphans = model.objects.filter(article__isnull=False).exclude(
                article__in=Article.objects.all()
            )
            assert not orphans.exists()


@postgresql_only
class TestSearchVectors:
    def test_seeded_articles_are_searchable(self):
        seed("--articles", "30")
        assert not bench_articles().filter(search_vector__isnull=True).exists()
        article = Article.objects.published().first()
        cause = article.article_causes.first().cause
        assert article in search.search(cause.name).articles
        assert search.search("dehydration").articles.exists()


class TestBench:
    def test_bench_prints_the_median(self):
        seed("--articles", "30")
        out = StringIO()
        call_command("bench", "--queries", "5", stdout=out)
        output = out.getvalue()
        assert "published articles" in output
        assert "Median" in output and "p95" in output
        if connection.vendor == "postgresql":
            assert "EXPLAIN (ANALYZE, BUFFERS)" in output
            # Which index 30 articles' plans use is the planner's whim; the verdict is printed.
            assert "GIN index" in output.splitlines()[-1]
        else:
            assert "SQLite fallback" in output
