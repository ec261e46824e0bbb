from datetime import date

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from sources.models import ArticleSource, CauseSource, Source
from tests.factories import make_article, make_cause
from tests.sources.factories import cite, cite_for_cause, make_source

pytestmark = pytest.mark.django_db


def unsaved(**fields):
    defaults = {
        "title": "T",
        "publisher": "P",
        "url": "https://example.org/",
        "accessed": date.today(),
    }
    return Source(**(defaults | fields))


def errors(source):
    with pytest.raises(ValidationError) as caught:
        source.full_clean()
    return caught.value.message_dict


def test_str_names_publisher_and_title():
    assert str(make_source(publisher="NICE", title="Headaches in over 12s")) == (
        "NICE: Headaches in over 12s"
    )


class TestSourceFields:
    def test_a_url_is_cited_once(self):
        make_source(url="https://www.nhs.uk/conditions/headaches/")
        again = unsaved(url="https://www.nhs.uk/conditions/headaches/")

        assert "url" in errors(again)
        with pytest.raises(IntegrityError), transaction.atomic():
            again.save()

    @pytest.mark.parametrize("url", ["ftp://example.org/paper.pdf", "file:///etc/passwd"])
    def test_only_web_addresses(self, url):
        assert "url" in errors(unsaved(url=url))

    @pytest.mark.parametrize("doi", ["10.1136/bmj.m1234", "10.1002/(SICI)1097-4636(199607)"])
    def test_a_valid_doi(self, doi):
        unsaved(doi=doi).full_clean()

    @pytest.mark.parametrize(
        "doi",
        [
            "https://doi.org/10.1136/bmj.m1234",
            "doi:10.1136/bmj.m1234",
            "10.12/x",
            "10.1136/",
            "bmj",
        ],
    )
    def test_an_invalid_doi(self, doi):
        assert "doi" in errors(unsaved(doi=doi))

    def test_a_valid_pmid(self):
        unsaved(pmid="31452104").full_clean()

    @pytest.mark.parametrize("pmid", ["PMID 31452104", "3145-2104", "١٢٣"])
    def test_an_invalid_pmid(self, pmid):
        assert "pmid" in errors(unsaved(pmid=pmid))

    def test_identifier_links(self):
        source = make_source(doi="10.1002/(SICI)1097-4636", pmid="31452104")

        assert source.doi_url == "https://doi.org/10.1002/%28SICI%291097-4636"
        assert source.pubmed_url == "https://pubmed.ncbi.nlm.nih.gov/31452104/"
        assert make_source().doi_url == make_source().pubmed_url == ""


class TestArticleSources:
    def test_in_position_order(self):
        article = make_article()
        second = cite(article, position=2)
        first = cite(article, position=1)

        assert list(article.article_sources.all()) == [first, second]
        assert str(first) == f"1. {first.source}"

    def test_two_references_cannot_share_a_position(self):
        article = make_article()
        cite(article, position=1)
        clash = ArticleSource(article=article, source=make_source(), position=1)

        with pytest.raises(ValidationError, match="cannot share a position"):
            clash.validate_constraints()
        with pytest.raises(IntegrityError), transaction.atomic():
            clash.save()

    def test_a_source_is_cited_once_per_article(self):
        article, source = make_article(), make_source()
        cite(article, source)
        again = ArticleSource(article=article, source=source, position=2)

        with pytest.raises(ValidationError, match="already cited in the article"):
            again.validate_constraints()
        with pytest.raises(IntegrityError), transaction.atomic():
            again.save()

    def test_one_source_serves_many_articles(self):
        source = make_source()
        cite(make_article(), source)
        cite(make_article(), source)

        assert source.article_links.count() == 2

    def test_a_cited_source_cannot_be_deleted(self):
        source = make_source()
        cite(make_article(), source)

        with pytest.raises(ProtectedError):
            source.delete()

    def test_deleting_the_article_deletes_its_references_not_the_sources(self):
        article, source = make_article(), make_source()
        cite(article, source)

        article.delete()

        assert not ArticleSource.objects.exists()
        assert Source.objects.filter(pk=source.pk).exists()


class TestCauseSources:
    def test_a_source_is_cited_once_per_cause(self):
        cause, source = make_cause(), make_source()
        cite_for_cause(cause, source)

        with pytest.raises(IntegrityError), transaction.atomic():
            CauseSource.objects.create(cause=cause, source=source)

    def test_a_cited_source_cannot_be_deleted(self):
        source = make_source()
        cite_for_cause(make_cause(), source)

        with pytest.raises(ProtectedError):
            source.delete()


class TestBroken:
    """`Source.is_broken` and `Source.objects.broken()` agree, case by case."""

    @pytest.mark.parametrize(
        ("checked", "status", "error", "broken"),
        [
            (False, None, "", False),
            (True, 200, "", False),
            (True, 399, "", False),
            (True, 400, "", True),
            (True, 404, "", True),
            (True, 503, "", True),
            (True, None, "timed out", True),
            (True, 302, "too many redirects", True),
        ],
    )
    def test_property_and_queryset_in_step(self, checked, status, error, broken):
        source = make_source()
        Source.objects.filter(pk=source.pk).update(
            last_checked=timezone.now() if checked else None, last_status=status, last_error=error
        )
        source.refresh_from_db()
        rows = Source.objects.filter(pk=source.pk)

        assert source.is_broken is broken
        assert rows.broken().exists() is broken
        assert rows.ok().exists() is (checked and not broken)
        assert rows.unchecked().exists() is not checked


class TestEditorialGroups:
    def codenames(self, group):
        return set(
            Group.objects.get(name=group)
            .permissions.filter(content_type__app_label="sources")
            .values_list("codename", flat=True)
        )

    def test_editors_add_change_and_cite_sources(self):
        assert self.codenames("Editor") == {
            "add_source", "change_source", "view_source",
            "add_articlesource", "change_articlesource", "delete_articlesource",
            "view_articlesource",
            "add_causesource", "change_causesource", "delete_causesource", "view_causesource",
        }  # fmt: skip

    def test_medical_reviewers_may_also_delete_sources(self):
        assert self.codenames("Medical reviewer") == self.codenames("Editor") | {"delete_source"}
