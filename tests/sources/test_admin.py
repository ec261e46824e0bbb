import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from articles.models import Article
from sources.admin import ACTION_LIMIT, ArticleSourceInline
from sources.models import Source
from tests.factories import make_article, make_cause, make_user
from tests.forms import admin_form
from tests.sources.factories import cite, cite_for_cause, make_source

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:sources_source_changelist")


def member(group):
    user = make_user(is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


def checked(source, status=None, error=""):
    Source.objects.filter(pk=source.pk).update(
        last_checked=timezone.now(), last_status=status, last_error=error
    )
    return source


def listed(response):
    return {source.title for source in response.context["cl"].result_list}


class TestList:
    def test_staff_only(self, client):
        assert client.get(CHANGELIST).status_code == 302

    def test_link_status_filter(self, staff_client):
        checked(make_source(title="Fine"), 200)
        checked(make_source(title="Gone"), 404)
        checked(make_source(title="Unreachable"), error="timed out")
        make_source(title="New")

        def titles(link):
            return listed(staff_client.get(CHANGELIST, {"link": link}))

        assert titles("broken") == {"Gone", "Unreachable"}
        assert titles("ok") == {"Fine"}
        assert titles("unchecked") == {"New"}

    def test_columns(self, staff_client):
        checked(make_source(title="Gone", url="https://example.org/gone"), 404)

        html = staff_client.get(CHANGELIST).content.decode()

        assert "https://example.org/gone" in html
        assert '<td class="field-last_status">404</td>' in html
        assert 'alt="True"' in html  # the "broken" column

    def test_search_by_identifier(self, staff_client):
        make_source(title="Trial", pmid="31452104")
        make_source(title="Guideline")

        assert listed(staff_client.get(CHANGELIST, {"q": "31452104"})) == {"Trial"}


class TestCheckAction:
    def run(self, client, *sources):
        return client.post(
            CHANGELIST,
            {"action": "check_now", "_selected_action": [s.pk for s in sources]},
            follow=True,
        )

    def test_checks_the_selected_sources(self, staff_client, web_server):
        ok = make_source(url=web_server.url("/ok"))
        gone = make_source(url=web_server.url("/gone"))
        other = make_source(url=web_server.url("/broken"))

        response = self.run(staff_client, ok, gone)

        assert [str(m) for m in response.context["messages"]] == [
            "Checked 2 sources: 1 OK, 1 broken."
        ]
        statuses = dict(Source.objects.values_list("pk", "last_status"))
        assert statuses == {ok.pk: 200, gone.pk: 404, other.pk: None}

    def test_refuses_too_many_at_once(self, staff_client):
        sources = [make_source() for _ in range(ACTION_LIMIT + 1)]

        response = self.run(staff_client, *sources)

        assert "at most" in str(next(iter(response.context["messages"])))
        assert not Source.objects.filter(last_checked__isnull=False).exists()


class TestEditorialRoles:
    def test_editors_add_sources_but_do_not_delete_them(self, client):
        client.force_login(member("Editor"))
        source = make_source()

        assert client.get(reverse("admin:sources_source_add")).status_code == 200
        delete = reverse("admin:sources_source_delete", args=[source.pk])
        assert client.get(delete).status_code == 403

    def test_editors_add_a_source_as_from_the_references_popup(self, client):
        client.force_login(member("Editor"))

        response = client.post(
            reverse("admin:sources_source_add") + "?_popup=1",
            {
                "title": "Headaches",
                "publisher": "NHS",
                "url": "www.nhs.uk/conditions/headaches/",
                "accessed": "2024-01-15",
                "doi": "",
                "pmid": "",
                "_popup": "1",
            },
        )

        assert response.status_code == 200  # the popup's closing page
        assert Source.objects.get().url == "https://www.nhs.uk/conditions/headaches/"

    def test_medical_reviewers_delete_uncited_sources(self, client):
        client.force_login(member("Medical reviewer"))
        source = make_source()

        response = client.post(
            reverse("admin:sources_source_delete", args=[source.pk]), {"post": "yes"}
        )

        assert response.status_code == 302
        assert not Source.objects.exists()

    def test_editors_find_sources_to_cite(self, client):
        client.force_login(member("Editor"))
        source = make_source(title="Headaches in over 12s")
        make_source(title="Migraine")

        response = client.get(
            reverse("admin:autocomplete"),
            {
                "app_label": "sources",
                "model_name": "articlesource",
                "field_name": "source",
                "term": "headache",
            },
        )

        assert [row["id"] for row in response.json()["results"]] == [str(source.pk)]


class TestReferencesInline:
    def formset(self, rf, admin_user, article, rows, initial=0):
        request = rf.get("/")
        request.user = admin_user
        formset_class = ArticleSourceInline(Article, admin.site).get_formset(request, article)
        data = {
            "article_sources-TOTAL_FORMS": str(len(rows)),
            "article_sources-INITIAL_FORMS": str(initial),
        }
        for i, row in enumerate(rows):
            data |= {f"article_sources-{i}-{name}": value for name, value in row.items()}
        return formset_class(data, instance=article, prefix="article_sources")

    def test_blank_positions_go_last(self, rf, admin_user):
        article, first, second = make_article(), make_source(), make_source()

        formset = self.formset(
            rf,
            admin_user,
            article,
            [{"source": first.pk, "position": ""}, {"source": second.pk, "position": ""}],
        )
        assert formset.is_valid(), formset.errors
        formset.save()

        assert [(r.position, r.source) for r in article.article_sources.all()] == [
            (1, first),
            (2, second),
        ]

    def test_two_references_can_swap_positions(self, rf, admin_user):
        article = make_article()
        one, two = cite(article, position=1), cite(article, position=2)
        rows = [
            {"id": one.pk, "article": article.pk, "source": one.source_id, "position": 2},
            {"id": two.pk, "article": article.pk, "source": two.source_id, "position": 1},
        ]

        formset = self.formset(rf, admin_user, article, rows, initial=2)
        assert formset.is_valid(), formset.errors
        formset.save()

        assert [r.pk for r in article.article_sources.all()] == [two.pk, one.pk]

    def test_a_causes_change_form_reads_its_sources_with_their_citations(self, staff_client):
        cause = make_cause()

        def queries():
            with CaptureQueriesContext(connection) as captured:
                response = staff_client.get(reverse("admin:articles_cause_change", args=[cause.pk]))
            assert response.status_code == 200
            return len(captured), response.content.decode()

        cite_for_cause(cause)
        queries()  # what Django caches once a process (content types) is read
        one, _ = queries()
        for _ in range(5):
            cite_for_cause(cause)
        six, content = queries()
        assert six == one
        for source in Source.objects.all():
            assert f'<option value="{source.pk}" selected>{escape(source)}</option>' in content


def test_a_source_saved_since_its_form_was_opened_is_not_written_back(staff_client):
    """Sources had no check: of two editors' forms open at once, the second save
    undid the first's correction unseen, in every article citing the source.
    The link checker's writes are no edit: they leave open forms valid."""
    source = make_source(title="Cramp", doi="10.1136/bmj.m1234")
    url = reverse("admin:sources_source_change", args=[source.pk])
    first, second = admin_form(staff_client.get(url)), admin_form(staff_client.get(url))
    Source.objects.filter(pk=source.pk).update(last_status=200, last_checked=timezone.now())
    first["doi"] = ["10.1136/bmj.m5678"]
    assert staff_client.post(url, first).status_code == 302
    second["title"] = ["Leg cramp"]
    response = staff_client.post(url, second)
    assert response.status_code == 200
    assert "Someone else saved this source after you opened it" in response.content.decode()
    source.refresh_from_db()
    assert (source.title, source.doi) == ("Cramp", "10.1136/bmj.m5678")
