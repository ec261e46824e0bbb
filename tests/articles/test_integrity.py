import sqlite3
import threading
from difflib import SequenceMatcher
from importlib import import_module
from io import StringIO
from types import SimpleNamespace
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import OperationalError, connection
from django.db.migrations.loader import MigrationLoader
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from articles import integrity, links, lints
from articles.integrity import (
    as_problems,
    broken_internal_links,
    broken_see_also_links,
    link_problem,
    link_problems,
)
from articles.lints import SIMILAR, Budget, alike, lint_article, normalise, report
from articles.models import Article, Cause, InternalLink
from tests.factories import (
    add_cause,
    add_faq,
    add_link,
    make_article,
    make_cause,
    make_draft,
    make_user,
)
from tests.sources.factories import cite, make_source

pytestmark = pytest.mark.django_db

LONG = "Drinking enough water through the day keeps the muscles working and stops cramps."


def problems(found):
    return sorted((p.article.title, p.where, p.target, p.reason) for p in found)


def internal_problems():
    return problems(as_problems(broken_internal_links()))


class TestSeeAlsoReport:
    def test_report_after_a_target_is_unpublished(self):
        article = make_article(title="Cramps")
        target = make_article(title="Hydration")
        add_link(article, target)
        assert problems(broken_see_also_links()) == []
        Article.objects.filter(pk=target.pk).update(status="draft")
        assert problems(broken_see_also_links()) == [
            ("Cramps", "See also", "Hydration", "the article is draft")
        ]

    def test_pending_archived_scheduled_and_deleted_targets(self):
        article = make_article(title="Cramps")
        add_link(article, target_title="Not written")
        add_link(article, make_article(title="Old", status="archived"))
        add_link(
            article,
            make_article(title="Soon", publish_at=timezone.now() + timezone.timedelta(days=1)),
        )
        gone = make_article(title="Gone")
        add_link(article, gone)
        gone.delete()
        reasons = {p.target: p.reason for p in broken_see_also_links()}
        assert reasons == {
            "Not written": "no article has this title (not written yet, or deleted)",
            "Old": "the article is archived",
            "Soon": "scheduled: not published yet",
            "Gone": "no article has this title (not written yet, or deleted)",
        }


@pytest.fixture
def addresses():
    """Paths to articles (published, moved, unpublished after a move, a draft,
    none) and causes, and which of them are broken."""
    old = make_article(slug="old")
    old.slug = "renamed"
    old.save()  # "/articles/old/" redirects to it
    gone = make_article(slug="was")
    gone.slug = "gone"
    gone.save()
    Article.objects.filter(pk=gone.pk).update(status=Article.Status.DRAFT)
    for slug in ("a", "b", "c"):
        make_article(slug=slug)
    make_draft(slug="d")
    make_cause(slug="heat")
    paths = [f"/articles/{slug}/" for slug in ("a", "b", "c", "d", "e", "old", "was")]
    paths += ["/causes/heat/", "/causes/cold/"]
    broken = {
        "/articles/d/": "not a published article",
        "/articles/e/": "not a published article",
        "/articles/was/": "not a published article",
        "/causes/cold/": "no cause has this address",
    }
    return paths, broken


class TestInternalLinks:
    def test_link_problems(self):
        live = make_article(slug="live")
        make_draft(slug="draft")
        cause = make_cause(name="Dehydration")
        assert link_problem(live.get_absolute_url()) is None
        assert link_problem("/articles/draft/") == "not a published article"
        assert link_problem("/articles/never/") == "not a published article"
        assert link_problem(cause.get_absolute_url()) is None
        assert link_problem("/causes/never/") == "no cause has this address"
        assert link_problem("/no/such/page/") == "no page has this address"
        assert link_problem("/admin/") == "a staff-only page"

    def test_report_finds_them_in_every_markdown_field(self):
        make_draft(slug="draft")
        article = make_article(title="Cramps", summary="See [this](/articles/draft/).")
        add_cause(article, make_cause(name="Heat"), explanation="[Gone](/causes/gone/)")
        add_faq(article, question="More?", answer="[Here](/nowhere/) and [ok](/faq/)")
        assert internal_problems() == [
            ("Cramps", "cause: Heat", "/causes/gone/", "no cause has this address"),
            ("Cramps", "question: More?", "/nowhere/", "no page has this address"),
            ("Cramps", "summary", "/articles/draft/", "not a published article"),
        ]

    def test_the_report_is_one_query_however_many_links(self, django_assert_num_queries):
        make_article(slug="live")
        make_draft(slug="draft")
        make_cause(name="Heat", slug="heat")
        make_article(tags=["legs"])

        def write(n):
            links = (
                f"[a](/articles/live/) [b](/articles/draft/) [c](/articles/never-{n}/) "
                f"[d](/causes/heat/) [e](/causes/gone-{n}/) [f](/tags/legs/) [g](/nowhere/{n}/)"
            )
            article = make_article(title=f"Linking {n}", summary=links)
            add_faq(article, question=f"Question {n}?", answer=links)
            add_cause(article, explanation=links)

        write(0)
        with django_assert_num_queries(2):  # which links, then those links
            found = internal_problems()
        assert len(found) == 3 * 4
        for n in range(1, 6):
            write(n)
        with django_assert_num_queries(2):  # which links, then those links
            found = internal_problems()
        assert len(found) == 6 * 3 * 4
        assert ("Linking 5", "question: Question 5?", "/causes/gone-5/",
                "no cause has this address") in found  # fmt: skip

    def test_addresses_are_looked_up_a_thousand_at_a_time(
        self, addresses, monkeypatch, django_assert_num_queries
    ):
        paths, broken = addresses
        with django_assert_num_queries(2):  # articles, causes
            assert link_problems(paths) == broken
        monkeypatch.setattr(integrity, "IN_A_QUERY", 2)
        with django_assert_num_queries(4 + 1):  # 7 article slugs, 2 causes
            assert link_problems(paths) == broken

    def test_a_query_holds_no_more_slugs_than_the_database_takes(
        self, addresses, monkeypatch, django_assert_num_queries
    ):
        """SQLite before 3.32 takes 999 parameters in a query (Django 5.2 runs on 3.31)."""
        paths, broken = addresses
        monkeypatch.setattr(connection.features, "max_query_params", 14)
        with django_assert_num_queries(4 + 1):  # two slugs a query, passed twice
            assert link_problems(paths) == broken
        if connection.vendor == "sqlite":  # and SQLite itself refuses more
            sqlite = connection.connection
            before = sqlite.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 14)
            try:
                assert link_problems(paths) == broken
            finally:
                sqlite.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, before)

    def test_published_slugs_are_asked_without_an_or_across_a_join(self):
        """Every article page that links to another asks this. With an OR across
        the redirects' join, PostgreSQL could use no index and read every article
        (0.2 s at 100,000 articles); each slug is now looked up in its own index."""
        make_article(slug="live")
        moved = make_article(slug="old")
        moved.slug = "new"
        moved.save()
        with CaptureQueriesContext(connection) as queries:
            assert integrity._published_slugs({"live", "old", "none"}) == {"live", "old"}
        (sql,) = [query["sql"] for query in queries]
        current, _ = sql.split(" UNION ALL ")
        assert " OR " not in sql and "JOIN" not in current, sql

    @pytest.mark.parametrize("n", [1, 2, 3, 5, 9])
    def test_published_slugs_are_found_by_sql_built_once_for_their_number(self, n):
        """Built for 2, 4, 8… slugs, the rest of the places filled with "" (no slug)."""
        live = {make_article(slug=f"live-{k}").slug for k in range(n)}
        make_draft(slug="draft")
        asked = live | {"draft", "none"}
        assert integrity._published_slugs(asked) == live
        build = mock.patch.object(
            SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql
        )
        with build as built:
            assert integrity._published_slugs(asked) == live
            assert integrity._published_slugs({"none", *sorted(live)[:1]}) == set(sorted(live)[:1])
        assert built.call_count == 0

    def test_readers_never_see_a_broken_internal_link(self, client):
        target = make_article(title="Hydration", slug="hydration")
        article = make_article(
            summary="Read [about water](/articles/hydration/) and [drafts](/articles/nope/).",
        )
        add_faq(article, answer="See [hydration](/articles/hydration/).")
        content = client.get(article.get_absolute_url()).content.decode()
        assert content.count('href="/articles/hydration/"') == 2
        assert "about water" in content and "drafts" in content
        assert 'href="/articles/nope/"' not in content

        Article.objects.filter(pk=target.pk).update(status="archived")
        content = client.get(article.get_absolute_url()).content.decode()
        assert 'href="/articles/hydration/"' not in content
        assert "about water" in content  # the words stay, without the link

    def test_nor_on_a_cause_page_or_the_site_wide_questions(self, client):
        """Only the article page unlinked them: a cause's description and a
        site-wide answer linked to drafts (a 404 for readers)."""
        make_draft(slug="draft")
        make_article(slug="live")
        text = "Read [the draft](/articles/draft/) and [this](/articles/live/)."
        cause = make_cause(description=text)
        add_cause(make_article(), cause)
        add_faq(answer=text)
        for url in (cause.get_absolute_url(), reverse("faq:list")):
            content = client.get(url).content.decode()
            assert 'href="/articles/draft/"' not in content and "the draft" in content, url
            assert 'href="/articles/live/"' in content, url

    def test_links_to_an_old_slug_still_work(self, client):
        target = make_article(slug="old")
        target.slug = "new"
        target.save()
        article = make_article(summary="[Moved](/articles/old/)")
        assert 'href="/articles/old/"' in client.get(article.get_absolute_url()).content.decode()


# Two texts that difflib finds alike one way round and not the other: it treats
# the common characters of the second text, from 200 long, as junk. The checks
# compare an answer with the article's body (answer first), and another
# article's text with this one's (theirs first).
ORDER_MATTERS = (
    "legs sleep ache tired body stretch feet walk run stretch feet cramps night feet body "
    "body pain salt drink night warm warm salt muscles legs muscles run rest warm bath rest "
    "drink sleep salt walk body cramps drink",
    "legs sleep ache tired body stretch feet pain run night feet cramps night feet body body "
    "pain salt drink night warm warm salt muscles legs muscles run rest warm bath rest drink "
    "sleep salt walk body cramps warm",
)


def test_the_order_matters_for_these_texts():
    first, second = ORDER_MATTERS
    assert SequenceMatcher(None, second, first).ratio() >= SIMILAR
    assert SequenceMatcher(None, first, second).ratio() < SIMILAR


class TestLints:
    def test_meta_description(self):
        assert "The meta description is missing" in lint_article(make_article())[0]
        article = make_article(meta_description="x" * 200)
        assert "200 characters" in lint_article(article)[0]
        assert not any("meta" in w for w in lint_article(make_article(meta_description="Ok.")))

    def test_an_answer_that_repeats_the_body(self):
        article = make_article(summary=f"Intro. {LONG} More.", meta_description="Fine.")
        add_faq(article, question="Why drink?", answer=LONG)
        add_faq(article, question="Other?", answer="Something else entirely, said differently.")
        warnings = lint_article(article)
        assert "The answer to “Why drink?” repeats the article's text." in warnings
        assert not any("Other?" in w for w in warnings)

    def test_an_answer_nearly_an_explanation_repeats_the_body(self):
        article = make_article(meta_description="Fine.")
        add_cause(article, make_cause(name="Thirst"), explanation=LONG)
        add_faq(article, question="Why drink?", answer=LONG.replace("stops", "prevents"))
        assert "The answer to “Why drink?” repeats the article's text." in lint_article(article)

    def test_alike_is_difflibs_ratio_against_the_threshold(self):
        """`alike` tries difflib's cheap bounds first; its answer must be the ratio's,
        for short texts and for long ones (difflib treats common characters of a
        second text of 200 or more as junk)."""
        texts = [
            LONG,
            LONG.replace("stops", "prevents"),
            LONG + " And then some more words at the end of it.",
            LONG[: len(LONG) // 2],
            "A completely different answer about sleep and rest.",
            (LONG + " ") * 3,
            (LONG.replace("water", "fluid") + " ") * 3,
        ]
        pairs = [(normalise(a), normalise(b)) for a in texts for b in texts]
        verdicts = [alike(a, b) for a, b in pairs]
        assert verdicts == [SequenceMatcher(None, a, b).ratio() >= SIMILAR for a, b in pairs]
        assert verdicts.count(False) > 0 and len(pairs) > verdicts.count(True) > len(texts)

    def test_an_answer_is_compared_with_the_body_in_the_same_order(self):
        first, second = ORDER_MATTERS
        article = make_article(summary=first, meta_description="Fine.")
        add_faq(article, question="Why?", answer=second)
        assert "The answer to “Why?” repeats the article's text." in lint_article(article)

    def test_other_articles_texts_are_compared_in_the_same_order(self):
        first, second = ORDER_MATTERS
        add_faq(make_article(title="Before"), question="Earlier?", answer=second)
        article = make_article(title="After", meta_description="Fine.")
        add_faq(article, question="Later?", answer=first)
        assert "The answer to “Later?” is nearly the same as in “Before”." in lint_article(article)

    def test_near_duplicates_across_articles(self):
        first = make_article(title="Cramps", meta_description="Fine.")
        add_cause(first, make_cause(name="Thirst"), explanation=LONG)
        add_faq(first, question="Water?", answer=LONG)
        second = make_article(title="Headache", meta_description="Fine.")
        add_cause(second, make_cause(name="Heat"), explanation=LONG.replace("stops", "prevents"))
        add_faq(second, question="Fluids?", answer=LONG + "!")
        warnings = lint_article(second)
        assert "The explanation of “Heat” is nearly the same as in “Cramps”." in warnings
        assert "The answer to “Fluids?” is nearly the same as in “Cramps”." in warnings
        third = make_article(title="Other", meta_description="Fine.")
        add_faq(third, question="Q?", answer="A completely different answer about sleep and rest.")
        assert not any("nearly the same" in w for w in lint_article(third))


class TestNearDuplicateBudget:
    """The near-duplicate checks stop when their time is spent, and say so."""

    def duplicated(self):
        first = make_article(title="Cramps", meta_description="Fine.")
        add_faq(first, question="Water?", answer=LONG)
        second = make_article(title="Headache", meta_description="Fine.")
        add_faq(second, question="Fluids?", answer=LONG + "!")
        return second

    def test_no_time_left_skips_the_lookups(self, django_assert_max_num_queries):
        article = self.duplicated()
        with django_assert_max_num_queries(4):  # sources, causes, answers: no lookup
            warnings = lint_article(article, Budget(0))
        assert not any("nearly the same" in warning for warning in warnings)
        assert "ran out of time" in warnings[-1]
        assert "ran out of time" not in lint_article(article, Budget(5))[-1]

    def test_a_report_shares_one_budget(self, monkeypatch):
        article = self.duplicated()
        budget = Budget(5)
        [(_, warnings)] = report([article], budget)
        assert any("nearly the same" in warning for warning in warnings)
        monkeypatch.setattr(budget, "deadline", 0)  # spent on the articles before
        [(_, warnings)] = report([article], budget)
        assert "ran out of time" in warnings[-1]

    @pytest.mark.skipif(connection.vendor != "postgresql", reason="statement_timeout")
    def test_a_lookup_past_the_time_is_cancelled(self, monkeypatch):
        article = self.duplicated()

        def slow(*args):
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_sleep(2)")
            return []

        monkeypatch.setattr(lints, "_near_duplicates", slow)
        warnings = lint_article(article, Budget(0.05))
        assert "ran out of time" in warnings[-1]
        assert Article.objects.get(pk=article.pk) == article  # the transaction goes on

    def test_the_change_form_says_what_it_did_not_check(self, staff_client, settings):
        settings.CONTENT_CHECK_SECONDS = 0
        article = self.duplicated()
        response = staff_client.get(reverse("admin:articles_article_change", args=[article.pk]))
        assert response.status_code == 200
        assert "ran out of time" in response.content.decode()


class TestAdminReports:
    def test_links_report(self, staff_client):
        article = make_article(title="Cramps", summary="[Gone](/articles/gone/)")
        add_link(article, make_draft(title="Hydration"))
        changelist = staff_client.get(reverse("admin:articles_article_changelist"))
        assert reverse("admin:articles_links") in changelist.content.decode()
        content = staff_client.get(reverse("admin:articles_links")).content.decode()
        assert "Hydration" in content and "The article is draft" in content
        assert "/articles/gone/" in content and "Not a published article" in content

    def test_the_see_also_links_are_paged_too(self, staff_client, monkeypatch):
        monkeypatch.setattr("articles.admin_reports.LINKS_PAGE_SIZE", 2)
        for title in ("Apples", "Bananas", "Cherries"):
            add_link(make_article(title=title), target_title=f"{title} and diet")
        url = reverse("admin:articles_links")
        first = staff_client.get(url).content.decode()
        assert "See-also links (3)" in first and "page 1 of 2" in first
        assert "Bananas and diet" in first and "Cherries and diet" not in first
        assert 'href="?see_also_page=2&amp;page=1"' in first  # the text links' page kept
        second = staff_client.get(url, {"see_also_page": 2}).content.decode()
        assert "Cherries and diet" in second and "Apples and diet" not in second
        assert staff_client.get(url, {"see_also_page": "x"}).status_code == 200

    def test_checks_report_and_the_change_form(self, staff_client):
        article = make_article(title="Cramps")
        content = staff_client.get(reverse("admin:articles_checks")).content.decode()
        assert "Cramps" in content and "The meta description is missing" in content
        change = staff_client.get(reverse("admin:articles_article_change", args=[article.pk]))
        assert "The meta description is missing" in change.content.decode()
        assert staff_client.get(reverse("admin:articles_checks"), {"page": "x"}).status_code == 200

    def test_reports_need_view_permission(self, client):
        client.force_login(make_user(is_staff=True))
        assert client.get(reverse("admin:articles_links")).status_code == 403
        assert client.get(reverse("admin:articles_checks")).status_code == 403


def indexed(article):
    """(where, path) of the article's indexed links."""
    return sorted((link.where, link.path) for link in InternalLink.objects.filter(article=article))


class TestLinkIndex:
    """The broken-links report reads the index of links (articles/links.py): it must
    follow every edit, and agree with the rules readers' pages apply."""

    def test_it_follows_edits_to_every_text(self):
        article = make_article(summary="[a](/articles/a/)", conclusion="[b](/tags/b/)")
        cause = add_cause(article, make_cause(name="Heat"), explanation="[c](/causes/c/)")
        entry = add_faq(article, question="Why?", answer="[d](/nowhere/)")
        assert indexed(article) == [
            ("cause: Heat", "/causes/c/"), ("conclusion", "/tags/b/"),
            ("question: Why?", "/nowhere/"), ("summary", "/articles/a/"),
        ]  # fmt: skip
        article.summary = "No link now; [e](/articles/e/) instead."
        article.save()
        cause.explanation = ""
        cause.save()
        entry.delete()
        assert indexed(article) == [("conclusion", "/tags/b/"), ("summary", "/articles/e/")]
        # Deleted, one way or the other, with their rows (whose deletion must not
        # index the article again on its way out).
        other = make_article(summary="[f](/articles/f/)")
        add_faq(other, answer="[g](/articles/g/)")
        add_cause(article, explanation="[h](/causes/h/)")
        article.delete()
        assert InternalLink.objects.count() == 2
        Article.objects.filter(pk=other.pk).delete()
        assert not InternalLink.objects.exists()

    def test_where_a_link_is_follows_renames(self):
        article = make_article()
        cause = make_cause(name="Heat")
        add_cause(article, cause, explanation="[c](/causes/c/)")
        entry = add_faq(article, question="Why?", answer="[d](/nowhere/)")
        cause.name = "Hot weather"
        cause.save()
        entry.question = "Why now?"
        entry.save()
        assert indexed(article) == [
            ("cause: Hot weather", "/causes/c/"), ("question: Why now?", "/nowhere/")
        ]  # fmt: skip

    def test_an_answer_moved_to_another_article_takes_its_links_along(self):
        first, second = make_article(), make_article()
        entry = add_faq(first, answer="[d](/nowhere/)")
        entry.article = second
        entry.save()
        assert indexed(first) == []
        assert indexed(second) == [(f"question: {entry.question}", "/nowhere/")]

    def test_answers_and_causes_moved_or_made_site_wide_take_their_links_along(self):
        first, second = make_article(), make_article()
        entry = add_faq(first, answer="[d](/nowhere/)")
        cause = add_cause(first, explanation="[c](/causes/c/)")
        entry.article = None  # a site-wide question: on no article's page
        entry.save()
        cause.article = second
        cause.save()
        assert indexed(first) == []
        assert indexed(second) == [(f"cause: {cause.cause}", "/causes/c/")]

    def test_only_changes_to_texts_reindex(self):
        article = make_article(summary="[a](/articles/a/)")
        cause, other = make_cause(name="Heat"), make_article()
        add_cause(article, cause)
        with CaptureQueriesContext(connection) as queries:
            article.tags.add("legs")
            cause.name = "Hot weather"
            cause.save()
            add_link(article, other)
            article.status = Article.Status.ARCHIVED
            article.save()
        assert not [q for q in queries if "articles_internallink" in q["sql"]]
        with CaptureQueriesContext(connection) as queries:
            article.summary = "[b](/articles/b/)"
            article.save()
        assert [q for q in queries if "articles_internallink" in q["sql"]]

    def test_what_is_broken_follows_the_targets_after_indexing(self):
        """The index holds where a link leads; whether that page is there is asked
        when the report is."""
        target = make_article(slug="target")
        tag = make_article(tags=["legs"]).tags.get()
        cause = make_cause(slug="heat")
        make_article(summary="[a](/articles/target/) [b](/tags/legs/) [c](/causes/heat/)")
        assert internal_problems() == []
        Article.objects.filter(pk=target.pk).update(status=Article.Status.ARCHIVED)
        tag.delete()
        cause.slug = "hot"
        cause.save()
        assert {p[2] for p in internal_problems()} == {
            "/articles/target/", "/tags/legs/", "/causes/heat/"
        }  # fmt: skip
        Article.objects.filter(pk=target.pk).update(status=Article.Status.PUBLISHED)
        assert {p[2] for p in internal_problems()} == {"/tags/legs/", "/causes/heat/"}

    def test_addresses_are_read_as_the_server_reads_them(self, client):
        """The renderer percent-encodes; a NUL is no page (and PostgreSQL would refuse it)."""
        make_article(tags=["Café"])
        article = make_article(summary="[ok](/tags/café/) [nul](/tags/%00/) [no](/tags/thé/)")
        assert 'href="/tags/caf%C3%A9/"' in article.summary_html
        assert client.get("/tags/caf%C3%A9/").status_code == 200
        assert internal_problems() == [
            (article.title, "summary", "/tags/%00/", "no page has this address"),
            (article.title, "summary", "/tags/th%C3%A9/", "no topic has this address"),
        ]
        assert link_problems(["/tags/caf%C3%A9/", "/tags/%00/"]) == {
            "/tags/%00/": "no page has this address"
        }

    def test_it_agrees_with_the_rules_of_readers_pages(self, addresses):
        """What the database finds broken is what `link_problems` (which readers'
        pages apply) finds broken, for the same reasons."""
        paths, _ = addresses
        make_article(slug="soon", publish_at=timezone.now() + timezone.timedelta(days=1))
        make_article(tags=["legs"])
        paths += ["/articles/soon/", "/tags/legs/", "/tags/arms/", "/nowhere/", "/admin/"]
        paths += [reverse("articles:preview", args=[1]), "/faq/", "/articles/"]
        article = make_article(summary=" ".join(f"[{n}]({path})" for n, path in enumerate(paths)))
        found = {p.target: p.reason for p in as_problems(broken_internal_links())}
        assert found == link_problems(paths)
        assert len(found) == 9 and found["/articles/soon/"] == "not a published article"
        assert {p.article for p in as_problems(broken_internal_links())} == {article}

    def test_an_admin_save_with_its_inlines_reindexes_once(self, staff_client):
        from tests.articles.test_admin import article_data, change_url, existing_rows

        article = make_draft()
        for n in range(3):
            add_faq(article, answer=f"[{n}](/articles/{n}/)")
        _, faqs = existing_rows(article)
        for n, faq in enumerate(faqs):
            faq["answer"] = f"[{n}](/nowhere/{n}/)"
        data = article_data(
            faqs=faqs,
            initial=(0, 3, 0),
            title=article.title,
            slug=article.slug,
            loaded_token=article.edit_token,
            summary="[s](/articles/s/)",
        )
        with CaptureQueriesContext(connection) as queries:
            response = staff_client.post(change_url(article), data)
        assert response.status_code == 302, response.context["errors"]
        deletes = [q for q in queries if q["sql"].startswith('DELETE FROM "articles_internallink"')]
        assert len(deletes) == 3  # by article, cause and answer: once for all the rows
        assert [path for _, path in indexed(article)] == [
            "/nowhere/0/", "/nowhere/1/", "/nowhere/2/", "/articles/s/"
        ]  # fmt: skip

    @pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks")
    @pytest.mark.django_db(transaction=True)
    def test_two_indexings_of_one_article_take_turns(self, monkeypatch):
        # The first holds the article's row lock between reading and writing;
        # without the lock the second would interleave and each insert the links.
        article = make_article(summary="[a](/articles/a/)")
        holding, release = threading.Event(), threading.Event()
        resolve = links.resolved

        def held_resolved(paths):
            if threading.current_thread() is not threading.main_thread():
                holding.set()
                release.wait(timeout=10)
            return resolve(paths)

        monkeypatch.setattr(links, "resolved", held_resolved)

        def first():
            try:
                links.index([article.pk])
            finally:
                connection.close()

        thread = threading.Thread(target=first)
        thread.start()
        try:
            assert holding.wait(timeout=10)
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = '100ms'")
            with pytest.raises(OperationalError, match="lock timeout"):
                links.index([article.pk])  # waits for the first, as a save would
        finally:
            release.set()
            thread.join(timeout=10)
            with connection.cursor() as cursor:
                cursor.execute("RESET lock_timeout")
        links.index([article.pk])
        assert indexed(article) == [("summary", "/articles/a/")]

    def test_the_command_and_the_migration_rebuild_it(self):
        article = make_article(summary="[a](/articles/a/)")
        InternalLink.objects.all().delete()
        out = StringIO()
        call_command("index_links", stdout=out)
        assert "Indexed 1 internal links" in out.getvalue()
        assert indexed(article) == [("summary", "/articles/a/")]

        InternalLink.objects.all().delete()
        migration = import_module("articles.migrations.0016_internal_links")
        state = MigrationLoader(connection).project_state(("articles", "0016_internal_links"))
        migration.index_every_article(state.apps, SimpleNamespace(connection=connection))
        assert indexed(article) == [("summary", "/articles/a/")]

    def test_the_report_is_paged(self, staff_client):
        article = make_article(summary=" ".join(f"[{n}](/nowhere/{n}/)" for n in range(150)))
        url = reverse("admin:articles_links")
        first = staff_client.get(url).content.decode()
        assert "Links in the text (150)" in first and "/nowhere/99/" in first
        assert "/nowhere/100/" not in first and "page 1 of 2" in first
        second = staff_client.get(url, {"page": 2}).content.decode()
        assert "/nowhere/100/" in second and "/nowhere/99/" not in second
        assert staff_client.get(url, {"page": "x"}).status_code == 200
        assert article.title in second


class TestMovedQuestions:
    def test_both_articles_are_told_of_a_question_moved_between_them(self, monkeypatch):
        """Their search vectors, sign-off fingerprints and links: the old article's
        page no longer shows the question, so what is derived from it must change."""
        from articles import changes

        told = []
        listeners = [*changes._listeners, (told.append, False, False, True)]
        monkeypatch.setattr(changes, "_listeners", listeners)
        first, second = make_article(), make_article()
        entry = add_faq(first, answer="[d](/nowhere/)")
        entry = type(entry).objects.get(pk=entry.pk)  # as the admin reads it
        told.clear()
        entry.article = second
        entry.save()
        assert told == [{first.pk, second.pk}]
        entry.article = None  # made site-wide
        entry.save()
        assert told[-1] == {second.pk}
        assert not InternalLink.objects.exists()


def test_a_renamed_article_tells_search_nothing_of_the_articles_pinning_it(monkeypatch):
    """Their See-also links show its new title (sign-off fingerprints change), but
    their search index holds nothing of it: it is not rewritten, nor locked."""
    from articles import changes

    everything, search = [], []
    listeners = [*changes._listeners, (everything.append, False, False, True)]
    listeners.append((search.append, False, False, False))
    monkeypatch.setattr(changes, "_listeners", listeners)
    pinning, pinned = make_article(), make_article()
    add_link(pinning, pinned)
    everything.clear()
    search.clear()
    pinned.title = "Renamed"
    pinned.save()
    assert everything == [{pinned.pk, pinning.pk}]
    assert search == [{pinned.pk}]


def test_a_shared_row_saved_with_nothing_its_articles_show_changed_tells_none(monkeypatch):
    """A cause, topic or source saved unchanged (or changed where no article shows
    it) rewrote the search index of every article using it: 2 s for a cause on
    2,500 of 100,000 articles."""
    from articles import changes

    told = []
    monkeypatch.setattr(changes, "_listeners", [(told.append, False, False, True)])
    article = make_article(tags=["legs"])
    add_cause(article, make_cause(name="Dehydration", description="Too little water."))
    source = cite(article, make_source(title="Water", publisher="NHS")).source
    cause, topic = Cause.objects.get(), Tag.objects.get(name="legs")
    told.clear()
    for row in (cause, topic, source):
        row.save()
    source.publisher = "NHS England"  # neither indexed nor in a sign-off's fingerprint
    source.save()
    assert told == []
    cause.description = "Not enough water."  # shown where a listing has no explanation
    cause.save()
    topic.name = "Legs"
    topic.save()
    source.url = "https://example.org/water"
    source.save()
    assert told == [{article.pk}] * 3
