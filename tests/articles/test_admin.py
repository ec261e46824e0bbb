import pytest
from django.contrib import admin
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Permission
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape
from reversion.models import Version
from taggit.models import Tag

from articles.admin import ArticleAdmin
from articles.models import Article, Cause, TaggedArticle
from faq.admin import FAQEntryAdmin
from faq.models import FAQEntry, TaggedFAQEntry
from healthsite.admin_autocomplete import ChosenAutocompleteSelect
from healthsite.pagination import IndexedPaginator
from sources.models import Source
from tests.factories import (
    add_cause,
    add_faq,
    add_link,
    make_article,
    make_cause,
    make_draft,
    make_user,
)
from tests.forms import admin_form
from tests.sources.factories import cite

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:articles_article_add")


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def inline(prefix, rows, initial=0):
    """POST data for one inline formset: `rows` are dicts of field values."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{name}": value for name, value in row.items()})
    return data


def article_data(causes=(), faqs=(), links=(), initial=(0, 0, 0), **fields):
    data = {
        "title": "Why do my ankles click?",
        "slug": "",
        "subtitle": "",
        "summary": "Clicking ankles are common.",
        "conclusion": "",
        "tags": "joints, feet",
        "seek_help_non_urgent": "",
        "seek_help_urgent": "",
        "seek_help_emergency": "",
        "status": "draft",
        "publish_at_0": "",
        "publish_at_1": "",
        "author": "",
        "medical_reviewer": "",
        "last_reviewed": "",
        "next_review_due": "",
        "meta_description": "",
    } | fields
    data |= inline("article_causes", causes, initial[0])
    data |= inline("faq_entries", faqs, initial[1])
    data |= inline("related_links", links, initial[2])
    data |= inline("article_sources", [], 0)
    return data


def existing_rows(article):
    """The inline rows as the change form would post them back, unchanged."""
    causes = [
        {"id": c.pk, "article": article.pk, "position": c.position, "cause": c.cause_id}
        | {"explanation": c.explanation}
        for c in article.article_causes.all()
    ]
    faqs = [
        {"id": f.pk, "article": article.pk, "position": f.position}
        | {"question": f.question, "answer": f.answer, "tags": ""}
        for f in article.faq_entries.all()
    ]
    return causes, faqs


def add_rows(article, count):
    """`count` rows of each inline: causes, tagged questions, See-also links, references."""
    for _ in range(count):
        add_cause(article)
        add_faq(article).tags.set(["legs", "sleep"])
        add_link(article, make_article())
        cite(article)


def causes_in_order(article):
    return list(article.article_causes.values_list("cause__name", flat=True))


class TestAccess:
    def test_anonymous_users_are_sent_to_log_in(self, client):
        article = make_article()
        for url in (ADD_URL, change_url(article), reverse("admin:articles_article_changelist")):
            response = client.get(url)
            assert response.status_code == 302
            assert response.url.startswith(reverse("admin:login"))

    def test_users_who_are_not_staff_are_sent_to_log_in(self, client):
        client.force_login(make_user())
        response = client.get(change_url(make_article()))
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))
        response = client.post(ADD_URL, article_data())
        assert response.status_code == 302
        assert not Article.objects.filter(title="Why do my ankles click?").exists()

    def test_staff_without_permission_are_refused(self, client):
        client.force_login(make_user(is_staff=True))
        assert client.get(change_url(make_article())).status_code == 403
        assert client.post(ADD_URL, article_data()).status_code == 403

    def test_staff_with_article_permissions_can_edit(self, client):
        user = make_user(is_staff=True)
        user.user_permissions.set(
            Permission.objects.filter(
                content_type__app_label__in=["articles", "faq"],
                codename__regex=r"^(view|add|change|delete)_",
            )
        )
        client.force_login(user)
        article = make_article()
        assert client.get(change_url(article)).status_code == 200


class TestChangeForm:
    def test_add_page_renders_with_its_inlines(self, staff_client):
        response = staff_client.get(ADD_URL)
        assert response.status_code == 200
        content = response.content.decode()
        for prefix in ("article_causes", "faq_entries", "related_links"):
            assert f'name="{prefix}-TOTAL_FORMS"' in content
        # Causes are chosen by autocomplete, and a new one can be added in a popup.
        assert "admin-autocomplete" in content
        assert reverse("admin:articles_cause_add") + "?_to_field=id&amp;_popup=1" in content
        # The slug is filled in from the title as the editor types.
        assert "&quot;id&quot;: &quot;#id_slug&quot;" in content

    def test_change_page_renders_existing_rows(self, staff_client):
        article = make_article()
        add_cause(article, make_cause(name="Dehydration"))
        add_faq(article, question="Is it serious?")
        content = staff_client.get(change_url(article)).content.decode()
        assert "Dehydration" in content
        assert "Is it serious?" in content

    def test_change_page_queries_do_not_grow_with_its_rows(self, staff_client):
        article = make_article(tags=["legs"])

        def queries():
            with CaptureQueriesContext(connection) as captured:
                response = staff_client.get(change_url(article))
            assert response.status_code == 200
            return len(captured)

        add_rows(article, 1)
        queries()  # what Django caches once a process (content types) is read
        one_of_each = queries()
        add_rows(article, 9)
        assert queries() == one_of_each
        content = staff_client.get(change_url(article)).content.decode()
        # Each chosen cause and article is still shown by name, each question's tags too.
        for cause in Cause.objects.filter(article_causes__article=article):
            assert f'<option value="{cause.pk}" selected>{cause.name}</option>' in content
        for link in article.related_links.select_related("target"):
            assert f'<option value="{link.target.pk}" selected>{link.target}</option>' in content
        for source in Source.objects.all():
            assert f'<option value="{source.pk}" selected>{escape(source)}</option>' in content
        assert content.count('value="legs, sleep"') == 10

    def test_saving_asks_little_for_each_row_it_does_not_change(self, staff_client):
        article = make_draft(tags=["legs"])

        def queries():
            data = admin_form(staff_client.get(change_url(article)))
            data["summary"] = [f"{data['summary'][0]} More."]
            with CaptureQueriesContext(connection) as captured:
                response = staff_client.post(change_url(article), data)
            assert response.status_code == 302, response.context["errors"]
            return len(captured)

        add_rows(article, 1)
        queries()  # what Django caches once a process (content types) is read
        one_of_each = queries()
        add_rows(article, 9)
        # Django's formsets asked 6 a row (216 for these 36): its id, its
        # chosen cause, article or source, and each constraint in a savepoint;
        # django-reversion then named each row (45 for these), and read each
        # question's tags. All of it is now read a list at a time.
        assert queries() == one_of_each
        article.refresh_from_db()
        assert article.summary.endswith("More. More. More.")

    def test_an_unchanged_row_is_still_checked_against_the_article(self, staff_client):
        article = make_draft(title="Hiccups")
        add_link(article, target_title="Night hiccups")
        data = admin_form(staff_client.get(change_url(article)))
        data["title"] = ["Night hiccups"]  # the waiting link would now be to itself
        response = staff_client.post(change_url(article), data)
        assert response.status_code == 200
        assert "cannot link to itself" in response.content.decode()
        article.refresh_from_db()
        assert article.title == "Hiccups"

    def test_a_changed_row_is_checked_in_full(self, staff_client):
        article = make_draft()
        add_cause(article)
        add_faq(article)
        data = admin_form(staff_client.get(change_url(article)))
        data["faq_entries-0-answer"] = [""]
        data["article_causes-0-cause"] = ["999999"]
        response = staff_client.post(change_url(article), data)
        assert response.status_code == 200
        errors = str(response.context["errors"])
        assert "This field is required." in errors
        assert "Select a valid choice." in errors

    def test_a_row_of_another_article_cannot_be_changed_through_this_one(self, staff_client):
        article, other = make_draft(), make_draft()
        add_cause(article)
        theirs = add_faq(other, question="Theirs?")
        data = admin_form(staff_client.get(change_url(article)))
        data |= inline(
            "faq_entries",
            [
                {"id": theirs.pk, "position": "1"}
                | {"question": "Mine?", "answer": "Mine.", "tags": ""}
            ],
            initial=1,
        )
        response = staff_client.post(change_url(article), data)
        assert response.status_code < 500
        theirs.refresh_from_db()
        assert (theirs.article, theirs.question) == (other, "Theirs?")

    def test_a_form_shown_again_shows_the_causes_it_was_sent(self, staff_client):
        article = make_draft()
        kept, replaced = add_cause(article, position=1), add_cause(article, position=2)
        newcomer = make_cause(name="Newcomer")
        causes, _ = existing_rows(article)
        causes[1]["cause"] = newcomer.pk
        data = article_data(
            causes=causes,
            initial=(2, 0, 0),
            title="",  # refused: the form comes back with what was sent
            slug=article.slug,
            loaded_token=article.edit_token,
        )
        response = staff_client.post(change_url(article), data)
        assert response.status_code == 200
        content = response.content.decode()
        for shown in (kept.cause, newcomer):
            assert f'<option value="{shown.pk}" selected>{shown.name}</option>' in content
        assert f'<option value="{replaced.cause.pk}" selected>' not in content

    def test_creates_an_article_with_causes_faq_and_links(self, staff_client):
        dehydration = make_cause(name="Dehydration")
        sprain = make_cause(name="Old sprain")
        target = make_article(title="Why do my knees crack?")
        data = article_data(
            causes=[
                {"position": "2", "cause": dehydration.pk, "explanation": "Drink more."},
                {"position": "1", "cause": sprain.pk, "explanation": ""},
                {"position": "", "cause": "", "explanation": ""},  # the blank extra row
            ],
            faqs=[
                {"position": "", "question": "Is it normal?", "answer": "Usually.", "tags": ""},
                {"position": "", "question": "Does it hurt?", "answer": "Rarely.", "tags": "pain"},
            ],
            links=[
                {"position": "1", "target": target.pk, "target_title": ""},
                {"position": "2", "target": "", "target_title": "Why do my hips click?"},
            ],
        )
        response = staff_client.post(ADD_URL, data)
        assert response.status_code == 302, response.context["errors"]

        article = Article.objects.get(slug="why-do-my-ankles-click")
        assert causes_in_order(article) == ["Old sprain", "Dehydration"]
        assert list(article.faq_entries.values_list("question", "position")) == [
            ("Is it normal?", 1),
            ("Does it hurt?", 2),
        ]
        assert list(article.faq_entries.get(position=2).tags.names()) == ["pain"]
        assert sorted(article.tags.names()) == ["feet", "joints"]
        first, second = article.related_links.all()
        assert (first.target, first.target_title) == (target, "Why do my knees crack?")
        assert second.is_pending
        assert article.status == Article.Status.DRAFT

    def test_a_published_article_saved_in_the_admin_is_on_the_site(self, staff_client, client):
        cause = make_cause(name="Dehydration")
        target = make_article(title="Why do my knees crack?")
        data = article_data(
            status="published",
            causes=[{"position": "1", "cause": cause.pk, "explanation": "Drink more water."}],
            faqs=[{"position": "1", "question": "Is it normal?", "answer": "Usually."}],
            links=[{"position": "1", "target": target.pk}],
        )
        response = staff_client.post(ADD_URL, data)
        assert response.status_code == 302, response.context["errors"]
        article = Article.objects.get(slug="why-do-my-ankles-click")
        page = client.get(article.get_absolute_url()).content.decode()
        for text in ("Dehydration", "Drink more water.", "Is it normal?", target.title):
            assert text in page

    def test_blank_positions_go_after_the_highest_given(self, staff_client):
        causes = [make_cause() for _ in range(3)]
        data = article_data(
            causes=[
                {"position": "", "cause": causes[0].pk},
                {"position": "5", "cause": causes[1].pk},
                {"position": "", "cause": causes[2].pk},
            ]
        )
        assert staff_client.post(ADD_URL, data).status_code == 302
        article = Article.objects.get()
        assert list(article.article_causes.values_list("position", flat=True)) == [5, 6, 7]
        assert causes_in_order(article) == [causes[1].name, causes[0].name, causes[2].name]

    @pytest.mark.parametrize("position", ["", "2"], ids=["blank", "taken"])
    def test_a_question_added_meanwhile_elsewhere_keeps_its_position(self, staff_client, position):
        """A colleague adds a question to the article in the questions' own form
        while an editor has the article open, then the editor adds one: left
        blank, its position was the one after those shown, the colleague's (a
        500, and the editor's whole save lost); given, it is refused."""
        article = make_draft()
        add_faq(article, question="Is it serious?", position=1)
        data = admin_form(staff_client.get(change_url(article)))
        add_faq(article, question="Can it stop?", position=2)  # the colleague's
        data["faq_entries-1-question"] = ["Who can help?"]
        data["faq_entries-1-answer"] = ["A GP."]
        data["faq_entries-1-position"] = [position]
        response = staff_client.post(change_url(article), data)
        if position:
            assert response.status_code == 200
            assert (
                "Since this page was opened, another FAQ entry has been saved at position 2: "
                "reload the page to see it, or give another position."
            ) in response.content.decode()
            assert article.faq_entries.count() == 2
        else:
            assert response.status_code == 302, response.context["errors"]
            assert list(article.faq_entries.values_list("question", "position")) == [
                ("Is it serious?", 1),
                ("Can it stop?", 2),
                ("Who can help?", 3),
            ]

    def test_a_question_changed_in_the_questions_list_is_not_written_back_by_an_open_form(
        self, staff_client
    ):
        """The questions' admin renewed no token: an article form opened before
        saved the question back as it had shown it, and the answer changed
        meanwhile was lost unseen. The change is now in the article's history."""
        article = make_draft(title="Chest pain")
        question = add_faq(article, question="When is it serious?", answer="Rarely.")
        data = admin_form(staff_client.get(change_url(article)))
        url = reverse("admin:faq_faqentry_change", args=[question.pk])
        colleague = admin_form(staff_client.get(url))
        colleague["answer"] = ["Call 999 if it spreads to your arm."]
        assert staff_client.post(url, colleague).status_code == 302
        data["faq_entries-0-question"] = ["When is chest pain serious?"]
        response = staff_client.post(change_url(article), data)
        assert response.status_code == 200
        assert "saved this article after you opened it" in response.content.decode()
        question.refresh_from_db()
        assert question.answer == "Call 999 if it spreads to your arm."
        latest = Version.objects.get_for_object(article).first()
        assert latest.revision.get_comment() == (
            "Question “When is it serious?” changed in the questions' list."
        )
        kept = Version.objects.get_for_object(question).get(revision=latest.revision)
        assert kept.field_dict["answer"] == "Call 999 if it spreads to your arm."

    def test_a_question_added_in_the_questions_list_without_a_position_goes_last(
        self, staff_client
    ):
        article = make_draft()
        add_faq(article, position=1)
        add_faq(article, position=4)
        add_faq(position=7)  # site-wide
        url = reverse("admin:faq_faqentry_add")
        for where, expected in [(str(article.pk), 5), ("", 8)]:
            data = admin_form(staff_client.get(url))
            data |= {"question": ["Last?"], "answer": ["Yes."], "article": [where]}
            data["position"] = [""]
            assert staff_client.post(url, data).status_code == 302
            assert FAQEntry.objects.get(question="Last?").position == expected
            FAQEntry.objects.filter(question="Last?").delete()

    def test_swapping_positions_saves(self, staff_client):
        article = make_article()
        first, second, third = (add_cause(article) for _ in range(3))
        causes, faqs = existing_rows(article)
        causes[0]["position"], causes[2]["position"] = 3, 1
        data = article_data(
            causes=causes,
            faqs=faqs,
            initial=(3, 0, 0),
            title=article.title,
            slug=article.slug,
            loaded_token=article.edit_token,
            status="published",
            publish_at_0=article.publish_at.strftime("%Y-%m-%d"),
            publish_at_1=article.publish_at.strftime("%H:%M:%S"),
        )
        response = staff_client.post(change_url(article), data)
        assert response.status_code == 302, response.context["errors"]
        assert causes_in_order(article) == [third.cause.name, second.cause.name, first.cause.name]

    def test_deleting_a_row_frees_its_position_for_another(self, staff_client):
        article = make_draft()
        old = add_cause(article, position=1)
        newcomer = make_cause()
        causes, _ = existing_rows(article)
        causes[0]["DELETE"] = "on"
        causes.append({"position": "1", "cause": newcomer.pk})
        data = article_data(
            causes=causes,
            initial=(1, 0, 0),
            title=article.title,
            slug=article.slug,
            loaded_token=article.edit_token,
        )
        response = staff_client.post(change_url(article), data)
        assert response.status_code == 302, response.context["errors"]
        assert causes_in_order(article) == [newcomer.name]
        assert Cause.objects.filter(pk=old.cause_id).exists()

    def test_two_rows_at_one_position_are_refused_with_a_message(self, staff_client):
        a, b = make_cause(), make_cause()
        data = article_data(
            causes=[{"position": "1", "cause": a.pk}, {"position": "1", "cause": b.pk}]
        )
        response = staff_client.post(ADD_URL, data)
        assert response.status_code == 200
        assert "used twice: 1" in response.content.decode()
        assert not Article.objects.exists()

    def test_one_cause_twice_is_refused_with_a_message(self, staff_client):
        cause = make_cause()
        data = article_data(
            causes=[{"position": "1", "cause": cause.pk}, {"position": "2", "cause": cause.pk}]
        )
        response = staff_client.post(ADD_URL, data)
        assert response.status_code == 200
        assert "Please correct the duplicate data for cause" in response.content.decode()
        assert not Article.objects.exists()

    def test_linking_an_article_to_itself_is_refused(self, staff_client):
        article = make_draft(title="Hiccups")
        data = article_data(
            links=[{"position": "1", "target": article.pk, "target_title": ""}],
            title=article.title,
            slug=article.slug,
            loaded_token=article.edit_token,
        )
        response = staff_client.post(change_url(article), data)
        assert response.status_code == 200
        assert "cannot link to itself" in response.content.decode()
        assert not article.related_links.exists()

    @pytest.mark.parametrize("prefix", ["article_causes", "related_links", "article_sources"])
    def test_two_rows_can_swap_what_they_point_to(self, staff_client, prefix):
        article = make_draft()
        add_cause(article, explanation="See [knee pain](/articles/knee-pain/).")
        add_cause(article)
        add_link(article, make_article()), add_link(article, make_article())
        cite(article), cite(article)
        rows = {
            "article_causes": lambda: list(article.article_causes.values_list("pk", "cause")),
            "related_links": lambda: list(article.related_links.values_list("pk", "target")),
            "article_sources": lambda: list(article.article_sources.values_list("pk", "source")),
        }[prefix]
        (first, a), (second, b) = rows()
        field = {"article_causes": "cause", "related_links": "target"}.get(prefix, "source")
        data = admin_form(staff_client.get(change_url(article)))
        data[f"{prefix}-0-{field}"], data[f"{prefix}-1-{field}"] = [str(b)], [str(a)]
        response = staff_client.post(change_url(article), data)
        assert response.status_code == 302, response.context["errors"]
        assert rows() == [(first, b), (second, a)]  # the same rows, the same order
        if prefix == "article_causes":  # its link is still in the index of links
            assert article.internal_links.filter(article_cause=first).exists()

    def test_a_row_can_take_the_cause_of_a_row_deleted_with_it(self, staff_client):
        article = make_draft()
        kept, deleted = add_cause(article), add_cause(article)
        data = admin_form(staff_client.get(change_url(article)))
        data["article_causes-0-cause"] = [str(deleted.cause_id)]
        data["article_causes-1-DELETE"] = ["on"]
        response = staff_client.post(change_url(article), data)
        assert response.status_code == 302, response.context["errors"]
        assert list(article.article_causes.values_list("pk", "cause")) == [
            (kept.pk, deleted.cause_id)
        ]
        change = LogEntry.objects.get(action_flag=CHANGE).get_change_message()
        assert "Deleted cause" in change

    def test_a_waiting_title_naming_an_article_linked_above_is_refused(self, staff_client):
        target = make_article(title="Knee pain")
        data = article_data(
            links=[
                {"position": "1", "target": target.pk, "target_title": ""},
                {"position": "2", "target": "", "target_title": "knee pain"},
            ]
        )
        response = staff_client.post(ADD_URL, data)
        assert response.status_code == 200
        assert "“Knee pain” is linked in another row already." in response.content.decode()
        assert not Article.objects.filter(title="Why do my ankles click?").exists()

    def test_a_new_article_cannot_wait_for_a_link_to_itself(self, staff_client):
        data = article_data(
            links=[{"position": "1", "target": "", "target_title": "why do my ankles click? "}]
        )
        response = staff_client.post(ADD_URL, data)
        assert response.status_code == 200
        assert "cannot link to itself" in response.content.decode()
        assert not Article.objects.exists()

    def test_a_blank_position_past_the_last_one_is_refused(self, staff_client):
        data = article_data(
            causes=[
                {"position": "9999", "cause": make_cause().pk},
                {"position": "", "cause": make_cause().pk},
            ]
        )
        response = staff_client.post(ADD_URL, data)
        assert response.status_code == 200
        assert "Positions go up to 9999" in response.content.decode()
        assert not Article.objects.exists()

    @pytest.mark.parametrize("rows", ["articlecause", "relatedlink"])
    def test_rows_a_user_may_only_view_are_kept_as_they_are(self, client, rows):
        user = make_user(is_staff=True)
        user.user_permissions.set(
            Permission.objects.filter(
                Q(codename__in=["view_article", "change_article", f"view_{rows}"])
                | Q(content_type__app_label__in=["faq", "sources"])
            )
        )
        client.force_login(user)
        article = make_draft()
        add_cause(article, position=1), add_cause(article, position=2)
        (
            add_link(article, make_article(), position=1),
            add_link(article, position=2, target_title="Gout"),
        )
        stored = self.inline_rows(article)
        data = admin_form(client.get(change_url(article)))
        data["summary"] = ["Changed."]
        assert client.post(change_url(article), data).status_code == 302
        assert self.inline_rows(article) == stored
        article.refresh_from_db()
        assert article.summary == "Changed."

    @staticmethod
    def inline_rows(article):
        causes = article.article_causes.values_list("pk", "position", "cause")
        links = article.related_links.values_list("pk", "position", "target", "target_title")
        return list(causes), list(links)

    def test_waiting_titles_are_matched_as_the_database_matches_them(self, staff_client):
        staff_client.raise_request_exception = False
        article = make_draft()
        kidney = make_article(title="Kidney")
        add_link(article, make_article()), add_link(article, make_article())
        stored = list(article.related_links.values_list("pk", "target"))
        data = admin_form(staff_client.get(change_url(article)))
        data["related_links-0-target"] = [""]
        dotless = "K\u0131dney"  # a dotless i: "KIDNEY" in PostgreSQL's UPPER()
        data["related_links-0-target_title"] = [dotless]
        data["related_links-1-target"] = [str(kidney.pk)]
        response = staff_client.post(change_url(article), data)
        if Article.objects.filter(title__iexact=dotless).exists():  # PostgreSQL
            assert response.status_code == 200
            assert "“Kidney” is linked in another row already." in response.content.decode()
            assert list(article.related_links.values_list("pk", "target")) == stored
        else:  # SQLite's LIKE leaves non-ASCII letters as they are: it waits
            assert response.status_code == 302

    def test_two_rows_waiting_for_one_title_are_refused(self, staff_client):
        data = article_data(
            links=[
                {"position": "1", "target": "", "target_title": "Gout"},
                {"position": "2", "target": "", "target_title": "gout "},
            ]
        )
        response = staff_client.post(ADD_URL, data)
        assert response.status_code == 200
        assert "“gout” is waited for in another row." in response.content.decode()
        assert not Article.objects.exists()

    def test_a_duplicate_title_is_refused_with_a_message(self, staff_client):
        make_article(title="Why do my ankles click?")
        response = staff_client.post(ADD_URL, article_data())
        assert response.status_code == 200
        assert "An article with this title already exists." in response.content.decode()

    def test_a_failed_inline_writes_nothing(self, staff_client):
        data = article_data(faqs=[{"position": "1", "question": "No answer?", "answer": ""}])
        response = staff_client.post(ADD_URL, data)
        assert response.status_code == 200
        assert not Article.objects.exists()
        assert not FAQEntry.objects.exists()

    def test_any_number_of_tags_with_nothing_sluggable_can_be_added(self, staff_client):
        for n, name in enumerate(["!!!", "-", "???", "…"]):
            response = staff_client.post(ADD_URL, article_data(title=f"Article {n}", tags=name))
            assert response.status_code == 302, name
        slugs = set(Tag.objects.values_list("slug", flat=True))
        assert len(slugs) == 4 and all(slugs)

    @pytest.mark.parametrize("where", ["article", "question"])
    def test_a_tag_longer_than_a_tag_holds_is_refused_with_a_message(self, staff_client, where):
        def post(tags):
            question = {"position": "1", "question": "Why?", "answer": "Because."}
            if where == "article":
                return staff_client.post(ADD_URL, article_data(faqs=[question], tags=tags))
            return staff_client.post(ADD_URL, article_data(faqs=[question | {"tags": tags}]))

        response = post(f"knees, {'x' * 101}")
        assert response.status_code == 200
        assert "A tag can be at most 100 characters long" in response.content.decode()
        assert not Article.objects.exists() and not FAQEntry.objects.exists()
        assert not Tag.objects.exists()
        assert post("x" * 100).status_code == 302  # as long as a tag holds: kept
        assert Tag.objects.filter(name="x" * 100).exists()

    @pytest.mark.parametrize("value", ["abc", "9" * 20])
    @pytest.mark.parametrize("field", ["author", "medical_reviewer", "cause", "target", "source"])
    def test_a_chooser_value_no_row_can_have_is_refused_with_a_message(
        self, staff_client, field, value
    ):
        data = {
            "cause": article_data(causes=[{"position": "1", "cause": value}]),
            "target": article_data(links=[{"position": "1", "target": value}]),
            "source": article_data()
            | inline("article_sources", [{"position": "1", "source": value}]),
        }.get(field) or article_data(**{field: value})
        response = staff_client.post(ADD_URL, data)
        assert response.status_code == 200
        assert "Select a valid choice." in str(response.context["errors"])
        assert not Article.objects.exists()

    def test_author_defaults_to_the_editor(self, staff_client):
        response = staff_client.get(ADD_URL)
        user = response.wsgi_request.user
        assert response.context["adminform"].form.initial["author"] == user.pk


class TestChangeList:
    def test_filters_and_search(self, staff_client):
        reviewer = make_user(first_name="Rita")
        make_article(title="Leg cramps", medical_reviewer=reviewer, tags=["legs"])
        make_draft(title="Eye twitch")
        url = reverse("admin:articles_article_changelist")
        for query in (
            "",
            "?status__exact=published",
            "?review_due=overdue",
            "?review_due=30",
            "?review_due=none",
            f"?medical_reviewer__id__exact={reviewer.pk}",
            f"?tags__id__exact={Tag.objects.get(name='legs').pk}",
            "?q=cramps",
        ):
            assert staff_client.get(url + query).status_code == 200, query
        response = staff_client.get(url + "?q=cramps")
        assert [a.title for a in response.context["cl"].result_list] == ["Leg cramps"]
        response = staff_client.get(url + "?status__exact=draft")
        assert [a.title for a in response.context["cl"].result_list] == ["Eye twitch"]

    def test_the_reviewer_filter_offers_the_reviewers_of_some_article(self, staff_client):
        rita, ravi = make_user(first_name="Rita"), make_user(first_name="Ravi")
        make_user(first_name="Nobody")
        make_article(title="Leg cramps", medical_reviewer=rita)
        make_draft(title="Eye twitch", medical_reviewer=ravi)
        url = reverse("admin:articles_article_changelist")
        with CaptureQueriesContext(connection) as queries:
            response = staff_client.get(url, {"medical_reviewer__id__exact": ravi.pk})
        [reviewers] = [
            f for f in response.context["cl"].filter_specs if f.title == "medical reviewer"
        ]
        assert sorted(name for _, name in reviewers.lookup_choices) == sorted(
            [str(rita), str(ravi)]
        )
        assert [a.title for a in response.context["cl"].result_list] == ["Eye twitch"]
        # The filter's choices by an EXISTS, and no count of every article beside the page's.
        counts = [
            q["sql"] for q in queries if "COUNT(" in q["sql"] and "articles_article" in q["sql"]
        ]
        assert len(counts) == 1, counts
        assert not any("DISTINCT" in q["sql"] and "medical_reviewer" in q["sql"] for q in queries)

    @pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans")
    @pytest.mark.parametrize(
        ("order", "index"),
        [("1", "article_title_order_idx"), ("-1", "article_title_order_idx"),
         ("3", "article_publish_at_idx"), ("-3", "article_publish_at_idx")],
    )  # fmt: skip
    def test_a_sorted_list_reads_its_page_from_an_index(self, staff_client, order, index):
        """Sorted by title or publish time, the list's first page comes from one
        end of an index, not from a sort of every article."""
        for _ in range(3):
            make_article()
        url = reverse("admin:articles_article_changelist")
        with CaptureQueriesContext(connection) as queries:
            assert staff_client.get(url, {"o": order}).status_code == 200
        column = '"title"' if order.endswith("1") else '"publish_at"'
        [page] = [q["sql"] for q in queries if f'ORDER BY "articles_article".{column}' in q["sql"]]
        with connection.cursor() as cursor:
            # As if the table were large: the few rows of a test, or statistics
            # left by earlier tests, make a sort of every row look cheaper. A
            # sort is then chosen only when no index gives the order.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute("EXPLAIN " + page)
            plan = [row[0].strip(" ->") for row in cursor.fetchall()]
        # Ties (few) put in the list's order as they come: no sort of every row.
        assert any(index in line for line in plan), plan
        assert not any(line.startswith("Sort  (") for line in plan), plan

    def test_changelist_queries_do_not_grow_with_rows(
        self, staff_client, django_assert_max_num_queries
    ):
        url = reverse("admin:articles_article_changelist")
        for _ in range(3):
            make_article(tags=["a", "b"], medical_reviewer=make_user())
        staff_client.get(url)
        with django_assert_max_num_queries(12):
            staff_client.get(url)
        for _ in range(10):
            make_article(tags=["a", "b"], medical_reviewer=make_user())
        with django_assert_max_num_queries(12):
            staff_client.get(url)

    def test_the_list_reads_no_text(self, staff_client):
        make_article(title="Leg cramps", summary="About cramps.", tags=["legs"])
        url = reverse("admin:articles_article_changelist")
        with CaptureQueriesContext(connection) as queries:
            response = staff_client.get(url)
        assert "Leg cramps" in response.content.decode()
        read = [q["sql"] for q in queries if 'FROM "articles_article"' in q["sql"]]
        assert any('"articles_article"."title"' in sql for sql in read), read
        for sql in read:  # the list's rows, and any row read again for a column
            for column in ("summary", "summary_html", "search_vector", "search_head"):
                assert f'"articles_article"."{column}"' not in sql, column

    def test_publish_and_unpublish_actions(self, staff_client):
        draft = make_draft()
        url = reverse("admin:articles_article_changelist")
        staff_client.post(url, {"action": "publish", "_selected_action": [draft.pk]})
        draft.refresh_from_db()
        assert draft.is_published
        staff_client.post(url, {"action": "unpublish", "_selected_action": [draft.pk]})
        draft.refresh_from_db()
        assert draft.status == Article.Status.DRAFT
        assert not Article.objects.published().exists()

    def test_publish_action_keeps_a_scheduled_time(self, staff_client):
        draft = make_draft()
        later = draft.created.replace(year=draft.created.year + 1)
        Article.objects.filter(pk=draft.pk).update(publish_at=later)
        staff_client.post(
            reverse("admin:articles_article_changelist"),
            {"action": "publish", "_selected_action": [draft.pk]},
        )
        draft.refresh_from_db()
        assert draft.publish_at == later
        assert draft.is_scheduled

    def test_view_on_site_only_for_published_articles(self, staff_client):
        published, draft = make_article(), make_draft()
        page = staff_client.get(change_url(published)).content.decode()
        assert "View on site" in page
        assert "View on site" not in staff_client.get(change_url(draft)).content.decode()


class TestCauseAndFAQAdmin:
    def test_cause_autocomplete_finds_causes(self, staff_client):
        make_cause(name="Dehydration")
        make_cause(name="Low magnesium")
        response = staff_client.get(
            reverse("admin:autocomplete"),
            {
                "app_label": "articles",
                "model_name": "articlecause",
                "field_name": "cause",
                "term": "dehyd",
            },
        )
        assert [r["text"] for r in response.json()["results"]] == ["Dehydration"]

    def test_a_new_cause_can_be_added_in_a_popup(self, staff_client):
        response = staff_client.post(
            reverse("admin:articles_cause_add") + "?_to_field=id&_popup=1",
            {"name": "Cold feet", "slug": "", "description": "", "tags": "", "_popup": "1"}
            | inline("cause_sources", [], 0),
        )
        assert response.status_code == 200
        assert "popup_response" in response.content.decode()
        assert Cause.objects.get().slug == "cold-feet"

    @pytest.mark.parametrize(
        ("url", "data"),
        [
            ("admin:articles_cause_add",
             {"name": "Cold feet", "slug": "", "description": ""} | inline("cause_sources", [])),
            ("admin:faq_faqentry_add",
             {"question": "Why?", "answer": "Because.", "article": "", "position": "1"}),
        ],
    )  # fmt: skip
    def test_a_tag_longer_than_a_tag_holds_is_refused_with_a_message(self, staff_client, url, data):
        response = staff_client.post(reverse(url), data | {"tags": "y" * 101})
        assert response.status_code == 200
        assert "A tag can be at most 100 characters long" in response.content.decode()
        assert not Cause.objects.exists() and not FAQEntry.objects.exists()

    @pytest.mark.parametrize(
        "url",
        ["admin:articles_cause_changelist", "admin:faq_faqentry_changelist"],
    )
    def test_lists_search_and_filter_by_tag(self, staff_client, url):
        cause = make_cause(name="Dehydration")
        cause.tags.set(["hydration"])
        add_faq(question="Dehydration?").tags.set(["hydration"])
        tag = Tag.objects.get(name="hydration")
        response = staff_client.get(reverse(url), {"q": "dehydration", "tags__id__exact": tag.pk})
        assert response.status_code == 200
        assert len(response.context["cl"].result_list) == 1

    def test_cause_list_counts_each_causes_articles(self, staff_client):
        cramp, cold = make_cause(name="Cramp"), make_cause(name="Cold")
        make_cause(name="Unused")
        for article in (make_article(), make_draft()):
            add_cause(article, cramp)
        add_cause(make_article(), cold)
        url = reverse("admin:articles_cause_changelist")
        with CaptureQueriesContext(connection) as queries:
            response = staff_client.get(url)
        counts = [(c.name, c.article_count) for c in response.context["cl"].result_list]
        assert counts == [("Cold", 1), ("Cramp", 2), ("Unused", 0)]
        # The list's own counts read causes alone; listings are counted per cause shown.
        counts = [q["sql"] for q in queries if q["sql"].startswith("SELECT COUNT(*)")]
        assert counts and not any("articlecause" in sql for sql in counts)
        response = staff_client.get(url, {"o": "-3"})  # by the articles column, most first
        assert [c.name for c in response.context["cl"].result_list] == ["Cramp", "Cold", "Unused"]

    def test_faq_list_is_newest_first(self, staff_client):
        for question in ("First?", "Second?", "Third?"):
            add_faq(make_article(), question=question, position=1)
        with CaptureQueriesContext(connection) as queries:
            response = staff_client.get(reverse("admin:faq_faqentry_changelist"), {"q": "F"})
        questions = [e.question for e in response.context["cl"].result_list]
        assert questions == ["First?"]
        # The questions are counted once (the million of them, at 100,000 articles).
        counts = [q for q in queries if q["sql"].startswith("SELECT COUNT(*)")]
        assert len(counts) == 1
        response = staff_client.get(reverse("admin:faq_faqentry_changelist"))
        questions = [e.question for e in response.context["cl"].result_list]
        assert questions == ["Third?", "Second?", "First?"]

    def test_faq_list_filters_site_wide_entries(self, staff_client):
        add_faq(question="Site-wide?")
        add_faq(make_article(), question="In an article?")
        response = staff_client.get(
            reverse("admin:faq_faqentry_changelist"), {"article__isempty": "1"}
        )
        assert [e.question for e in response.context["cl"].result_list] == ["Site-wide?"]

    def test_faq_list_actions_take_at_most_its_limit_of_questions(self, staff_client, monkeypatch):
        monkeypatch.setattr(FAQEntryAdmin, "action_limit", 2)
        questions = [add_faq(question=f"Question {n}?") for n in range(3)]
        data = {"action": "delete_selected", "select_across": "1", "index": "0",
                "_selected_action": [questions[0].pk], "post": "yes"}  # fmt: skip
        url = reverse("admin:faq_faqentry_changelist")
        response = staff_client.post(url, data, follow=True)
        assert [str(m) for m in response.context["messages"]] == [
            "At most 2 FAQ entries can be changed by one action: none has been changed. "
            "Tick fewer, or narrow the list first."
        ]
        assert FAQEntry.objects.count() == 3
        data |= {"select_across": "0", "_selected_action": [q.pk for q in questions[:2]]}
        assert staff_client.post(url, data).status_code == 302
        assert list(FAQEntry.objects.values_list("question", flat=True)) == ["Question 2?"]


@pytest.mark.parametrize(
    ("admin_class", "url", "make_row", "shown"),
    [
        (
            FAQEntryAdmin,
            "admin:faq_faqentry_changelist",
            lambda n: add_faq(make_article(), question=f"Question {n}?", position=1),
            lambda row: row.question,
        ),
        (
            ArticleAdmin,
            "admin:articles_article_changelist",
            lambda n: make_article(title=f"Article {n}"),
            lambda row: row.title,
        ),
    ],
)
def test_a_far_page_of_a_long_admin_list_reads_its_ids_from_an_index(
    staff_client, monkeypatch, admin_class, url, make_row, shown
):
    """Far down the list, a page's ids come from a subquery (the last page of
    the questions took 6 s at 1,000,000 of them); its rows are an OFFSET's."""
    monkeypatch.setattr(admin_class, "list_per_page", 2)
    monkeypatch.setattr(IndexedPaginator, "skip_in_index_from", 3)  # from page 3 on
    for n in range(5):
        make_row(n)
    model = {FAQEntryAdmin: FAQEntry, ArticleAdmin: Article}[admin_class]
    expected = [shown(row) for row in model.objects.order_by(*admin_class.ordering, "-pk")]

    def page(number):
        with CaptureQueriesContext(connection) as queries:
            response = staff_client.get(reverse(url), {"p": number})
        offset = [q["sql"] for q in queries if "OFFSET" in q["sql"]]
        assert len(offset) == 1, offset  # the page's rows
        in_index = "IN (SELECT" in offset[0]
        return [shown(row) for row in response.context["cl"].result_list], in_index

    assert page(2) == (expected[2:4], False)
    assert page(3) == (expected[4:], True)
    if admin_class is FAQEntryAdmin:  # newest first
        assert expected == [f"Question {n}?" for n in reversed(range(5))]


class TestTopicDeletion:
    """Django's delete page lists, and queries for, every article a topic is on."""

    def tagged(self, n):
        tag = Tag.objects.create(name="Knee", slug="knee")
        for _ in range(n):
            make_article(tags=[tag])
        add_faq(make_article(), question="Sore?").tags.add(tag)
        make_cause(name="Runner's knee").tags.add(tag)
        return tag

    @pytest.mark.parametrize("articles", [2, 12])
    def test_the_page_counts_what_goes_with_it_in_the_same_queries(self, staff_client, articles):
        tag = self.tagged(articles)
        url = reverse("admin:taggit_tag_delete", args=[tag.pk])
        with CaptureQueriesContext(connection) as queries:
            response = staff_client.get(url)
        assert response.status_code == 200
        assert len(queries) <= 14  # the same for 2 and 12 articles (Django's: 2 more per article)
        content = response.content.decode()
        assert f'href="{reverse("admin:taggit_tag_change", args=[tag.pk])}">Knee</a>' in content
        assert "tagged with" not in content  # no line per tagged row
        summary = dict(response.context["model_count"])
        assert summary["tagged articles"] == articles
        assert summary["tagged FAQ entries"] == summary["tagged causes"] == 1

    @pytest.mark.parametrize("articles", [2, 12])
    def test_deleting_takes_the_topic_from_everything_and_deletes_nothing_else(
        self, staff_client, articles
    ):
        tag = self.tagged(articles)
        url = reverse("admin:taggit_tag_delete", args=[tag.pk])
        with CaptureQueriesContext(connection) as queries:
            assert staff_client.post(url, {"post": "yes"}).status_code == 302
        assert not Tag.objects.filter(pk=tag.pk).exists()
        assert not TaggedArticle.objects.exists() and not TaggedFAQEntry.objects.exists()
        assert Article.objects.count() == articles + 1 and Cause.objects.count() == 1
        assert FAQEntry.objects.count() == 1
        # Its articles' search vectors and sign-off fingerprints are refreshed
        # together, not one by one.
        refreshes = [q for q in queries if 'FROM "reviews_articlereviewstate"' in q["sql"]]
        assert len(refreshes) == 1, refreshes

    def test_the_delete_action_lists_the_topics(self, staff_client):
        tag = self.tagged(2)
        other = Tag.objects.create(name="Hip", slug="hip")
        response = staff_client.post(
            reverse("admin:taggit_tag_changelist"),
            {"action": "delete_selected", "_selected_action": [tag.pk, other.pk]},
        )
        assert response.status_code == 200
        content = response.content.decode()
        assert ">Knee</a>" in content and ">Hip</a>" in content


class TestArticleDeletion:
    def linked(self):
        article = make_article(summary="[a](/articles/a/) [b](/articles/b/)")
        for n in range(3):
            add_faq(article, answer=f"[{n}](/nowhere/{n}/)")
        return article

    def test_the_page_names_the_article_and_counts_its_rows(self, staff_client):
        article = self.linked()
        response = staff_client.get(reverse("admin:articles_article_delete", args=[article.pk]))
        assert response.status_code == 200
        content = response.content.decode()
        assert f'href="{change_url(article)}">{article.title}</a>' in content
        assert "/nowhere/0/" not in content  # the index of links is not listed row by row
        summary = dict(response.context["model_count"])
        assert summary["internal links"] == 5 and summary["FAQ entries"] == 3
        assert not response.context["perms_lacking"]

    def test_it_names_the_rows_the_user_may_not_delete(self, client):
        user = make_user(is_staff=True)
        user.user_permissions.set(
            Permission.objects.filter(
                content_type__app_label="articles", codename__in=["view_article", "delete_article"]
            )
        )
        client.force_login(user)
        article = self.linked()
        response = client.get(reverse("admin:articles_article_delete", args=[article.pk]))
        assert response.context["perms_lacking"] == {"FAQ entry"}
        assert client.post(reverse("admin:articles_article_delete", args=[article.pk]), {
            "post": "yes"
        }).status_code == 403  # fmt: skip
        assert Article.objects.filter(pk=article.pk).exists()


class TestArticleChoosers:
    """Autocomplete fields choosing an article wait for three characters: shorter
    words match most articles, and no trigram index serves them."""

    @pytest.mark.parametrize(
        ("app_label", "model_name", "field_name"),
        [("articles", "relatedlink", "target"), ("articles", "slugredirect", "article"),
         ("faq", "faqentry", "article")],
    )  # fmt: skip
    def test_short_terms_find_nothing_and_longer_ones_find_articles(
        self, staff_client, app_label, model_name, field_name
    ):
        make_article(title="Knee pain")
        make_article(title="Sore knees")

        def found(term):
            response = staff_client.get(
                reverse("admin:autocomplete"),
                {"app_label": app_label, "model_name": model_name,
                 "field_name": field_name, "term": term},
            )  # fmt: skip
            assert response.status_code == 200
            return sorted(r["text"] for r in response.json()["results"])

        assert found("kn") == found(" k ") == []
        assert found("knee") == ["Knee pain", "Sore knees"]
        assert found("") == ["Knee pain", "Sore knees"]  # as the chooser opens

    def test_a_chooser_reads_titles_and_counts_a_few_pages_at_most(self, staff_client, monkeypatch):
        monkeypatch.setattr("healthsite.pagination.CappedCountPaginator.cap", 3)
        for n in range(5):
            make_article(title=f"Knee pain {n}", tags=["knees"])
        params = {"app_label": "articles", "model_name": "relatedlink", "field_name": "target"}
        page = staff_client.get(reverse("admin:autocomplete"), params | {"term": "knee"})
        # The first page of three holds every match counted: no more pages.
        assert len(page.json()["results"]) == 3
        assert page.json()["pagination"] == {"more": False}
        with CaptureQueriesContext(connection) as queries:
            staff_client.get(reverse("admin:autocomplete"), params | {"term": "pain"})
        read = [q["sql"] for q in queries if 'FROM "articles_article"' in q["sql"]]
        assert read and all("summary" not in sql and "tagged" not in sql for sql in read), read
        assert all("LIMIT" in sql for sql in read), read

    def test_the_choosers_say_so(self, staff_client):
        pages = [
            change_url(make_article()),
            reverse("admin:faq_faqentry_add"),
            reverse("admin:articles_slugredirect_add"),
        ]
        for url in pages:
            content = staff_client.get(url).content.decode()
            assert 'data-minimum-input-length="3"' in content, url

    @pytest.mark.parametrize(
        ("url", "data"),
        [
            ("admin:faq_faqentry_add",
             {"question": "Why?", "answer": "Because.", "position": "1", "tags": ""}),
            ("admin:articles_slugredirect_add", {"old_slug": "old-ankles"}),
        ],
    )  # fmt: skip
    def test_a_value_no_article_can_have_is_refused_with_a_message(self, staff_client, url, data):
        response = staff_client.post(reverse(url), data | {"article": "abc"})
        assert response.status_code == 200
        assert "Select a valid choice." in response.content.decode()

    def test_the_article_list_still_searches_short_words(self, staff_client):
        make_article(title="Knee pain")
        response = staff_client.get(reverse("admin:articles_article_changelist"), {"q": "kn"})
        assert [a.title for a in response.context["cl"].result_list] == ["Knee pain"]


def test_every_chooser_in_the_admin_shows_only_values_a_row_could_have(rf, admin_user):
    """Each uses `ChosenAutocompleteSelect`, which leaves out a value such as "abc"
    that Django's would ask the database for, and fail."""
    request = rf.get("/")
    request.user = admin_user
    for model_admin in admin.site._registry.values():
        for each in [model_admin, *model_admin.get_inline_instances(request)]:
            for name in each.get_autocomplete_fields(request):
                field = each.formfield_for_dbfield(each.model._meta.get_field(name), request)
                widget = getattr(field.widget, "widget", field.widget)
                assert isinstance(widget, ChosenAutocompleteSelect), (type(each), name)


def test_a_cause_saved_since_its_form_was_opened_is_not_written_back(staff_client):
    """Causes had no check: of two editors' forms open at once, the second save
    wrote the cause back as it had shown it, undoing the first's unseen, on
    every article listing it."""
    cause = make_cause(name="Dehydration", description="Too little water.")
    url = reverse("admin:articles_cause_change", args=[cause.pk])
    first, second = admin_form(staff_client.get(url)), admin_form(staff_client.get(url))
    first["description"] = ["Too little water, often in hot weather."]
    assert staff_client.post(url, first).status_code == 302
    second["name"] = ["Dehydration in adults"]
    response = staff_client.post(url, second)
    assert response.status_code == 200
    assert "saved this cause after you opened it" in response.content.decode()
    cause.refresh_from_db()
    assert (cause.name, cause.description) == (
        "Dehydration",
        "Too little water, often in hot weather.",
    )
    assert staff_client.post(url, admin_form(staff_client.get(url))).status_code == 302


def test_deleting_questions_from_the_list_renews_their_articles_tokens_cheaply(staff_client):
    """Each article's open forms are out of date (one saved after would write the
    question back), at one UPDATE for them all: a revision of each article cost
    7 queries more a question (43 s for 900 at 100,000 articles)."""
    faq_list = reverse("admin:faq_faqentry_changelist")

    def queries_to_delete(n):
        ids, articles = [], []
        for _ in range(n):
            article = make_article()
            add_faq(article)  # another question of it, kept
            ids.append(add_faq(article).pk)
            articles.append(article)
        data = {"action": "delete_selected", "_selected_action": ids, "post": "yes"}
        with CaptureQueriesContext(connection) as queries:
            assert staff_client.post(faq_list, data).status_code == 302
        for article in articles:
            assert Article.objects.get(pk=article.pk).edit_token != article.edit_token
        return len(queries)

    few = queries_to_delete(5)
    per_question = (queries_to_delete(20) - few) / 15
    assert per_question <= 11, f"{per_question:.1f} queries a question"
