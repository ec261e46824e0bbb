from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from articles.admin_import import CONFIRM_FORM_OVERHEAD, MAX_FILES
from articles.models import Article, Cause, RelatedLink
from faq.models import FAQEntry
from tests.factories import make_article, make_user

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("admin:articles_article_import")
CHANGELIST_URL = reverse("admin:articles_article_changelist")
# A copy of ../shared/sample-article.txt, so a clone can run its tests anywhere.
SAMPLE = Path(settings.BASE_DIR) / "tests" / "articles" / "samples" / "sample-article.txt"

EARS = (
    "Why do my ears ring?\n\nIntro paragraph.\n\n"
    "1. Loud noise: Concerts can do it.\n2. Earwax: A blockage can do it.\n\n"
    "Q1. Is it serious?\nA1. Usually not.\n\n"
    "See a GP if:\n- it lasts a week\n\nGet advice now if:\n- you suddenly cannot hear\n\n"
    "Call emergency services if:\n- you also have weakness on one side\n"
)
HICCUPS = (
    "Why do I get hiccups?\n\nHiccups are common.\n\n"
    "1. Eating fast: Swallowed air.\n\n"
    "Q1. How do I stop them?\nA1. They usually stop by themselves.\n"
    "Q2. Are they dangerous?\nA2. Rarely.\n"
)
# An answer with no question before it, on line 5.
BROKEN = "Why do my eyes water?\n\n1. Wind: Cold air.\n\nA1. An answer without a question.\n"


def upload(name, content):
    data = content.encode() if isinstance(content, str) else content
    return SimpleUploadedFile(name, data, content_type="text/plain")


def sample():
    return upload("toes.txt", SAMPLE.read_bytes())


def review(client, *files, publish=False):
    data = {"files": list(files)}
    if publish:
        data["publish"] = "on"
    return client.post(IMPORT_URL, data)


class _HiddenInputs(HTMLParser):
    """The hidden inputs of the confirm form, as a browser would post them."""

    def __init__(self):
        super().__init__()
        self.in_form, self.data = False, {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.in_form = attrs.get("id") == "confirm-import"
        elif self.in_form and tag == "input" and attrs.get("type") == "hidden":
            self.data[attrs["name"]] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False


def confirm_data(response):
    parser = _HiddenInputs()
    parser.feed(response.content.decode())
    assert parser.data, "the page has no confirm form"
    parser.data.pop("csrfmiddlewaretoken", None)
    return parser.data


def messages_of(response):
    return [(m.level_tag, m.message) for m in get_messages(response.wsgi_request)]


def results_of(response):
    return [(r["name"], r.get("summary") or r["error"]) for r in response.context["results"]]


def user_with(*codenames):
    user = make_user(is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="articles", codename__in=codenames)
    )
    return user


class TestAccess:
    def test_changelist_links_to_the_import(self, staff_client):
        content = staff_client.get(CHANGELIST_URL).content.decode()
        assert f'href="{IMPORT_URL}"' in content
        assert "Import from text files" in content

    def test_no_link_without_add_permission(self, client):
        client.force_login(user_with("view_article", "change_article"))
        content = client.get(CHANGELIST_URL).content.decode()
        assert "Import from text files" not in content

    def test_anonymous_users_are_sent_to_log_in(self, client):
        for response in (client.get(IMPORT_URL), review(client, upload("ears.txt", EARS))):
            assert response.status_code == 302
            assert response.url.startswith(reverse("admin:login"))
        assert not Article.objects.exists()

    @pytest.mark.parametrize(
        "codenames", [(), ("view_article",), ("add_article",), ("change_article",)]
    )
    def test_staff_without_add_and_change_permission_are_refused(self, client, codenames):
        client.force_login(user_with(*codenames))
        assert client.get(IMPORT_URL).status_code == 403
        assert review(client, upload("ears.txt", EARS)).status_code == 403
        assert not Article.objects.exists()

    def test_staff_with_add_and_change_permission_can_import(self, client):
        client.force_login(user_with("add_article", "change_article"))
        assert client.get(IMPORT_URL).status_code == 200
        response = client.post(IMPORT_URL, confirm_data(review(client, upload("e.txt", EARS))))
        assert response.status_code == 302
        assert Article.objects.filter(title="Why do my ears ring?").exists()


class TestUpload:
    def test_form_renders(self, staff_client):
        response = staff_client.get(IMPORT_URL)
        assert response.status_code == 200
        content = response.content.decode()
        assert 'type="file" name="files"' in content
        assert "multiple" in content
        assert 'enctype="multipart/form-data"' in content
        assert "Publish the imported articles" in content
        assert 'name="publish"' in content and "checked" not in content
        assert f'<a href="{CHANGELIST_URL}">Articles</a>' in content  # breadcrumbs
        assert "<script>" not in content and "style=" not in content

    def test_no_files_is_refused_with_a_message(self, staff_client):
        response = staff_client.post(IMPORT_URL, {})
        assert response.status_code == 200
        assert "Choose one or more .txt files to import." in response.content.decode()

    def test_too_many_files_are_refused_with_a_message(self, staff_client):
        files = [upload(f"a{i}.txt", EARS) for i in range(MAX_FILES + 1)]
        response = review(staff_client, *files)
        assert response.status_code == 200
        content = response.content.decode()
        assert f"Choose at most {MAX_FILES} files at a time; you chose {MAX_FILES + 1}." in content
        assert "results" not in response.context
        assert not Article.objects.exists()


class TestReview:
    def test_shows_each_file_and_writes_nothing(self, staff_client):
        response = review(
            staff_client, sample(), upload("ears.txt", EARS), upload("eyes.txt", BROKEN)
        )
        assert response.status_code == 200
        (toes, toes_line), (ears, ears_line), (eyes, eyes_line) = results_of(response)
        assert (toes, ears, eyes) == ("toes.txt", "ears.txt", "eyes.txt")
        assert toes_line.startswith("would create 'Why Does My Toes Twitch' as draft; 14 causes")
        assert ears_line.startswith("would create 'Why do my ears ring?' as draft; 2 causes")
        assert eyes_line == "eyes.txt, line 5: answer A1 has no question before it"

        content = response.content.decode()
        assert '<li class="error"><strong>Cannot import:</strong> eyes.txt, line 5:' in content
        assert content.count('<li class="success">') == 2
        assert "2 of 3 files can be imported" in content
        assert 'value="Confirm import"' in content
        assert f'href="{CHANGELIST_URL}" class="closelink">Cancel' in content

        assert not Article.objects.exists()
        assert not Cause.objects.exists()
        assert not FAQEntry.objects.exists()
        assert not RelatedLink.objects.exists()

    def test_only_passed_files_are_carried(self, staff_client):
        response = review(staff_client, upload("ears.txt", EARS), upload("eyes.txt", BROKEN))
        data = confirm_data(response)
        assert data["file-TOTAL_FORMS"] == "1"
        assert data["file-0-name"] == "ears.txt"
        assert data["file-0-text"] == EARS
        assert data["publish"] == "False"

    def test_no_confirm_button_when_no_file_passed(self, staff_client):
        response = review(staff_client, upload("eyes.txt", BROKEN))
        content = response.content.decode()
        assert "0 of 1 file can be imported" in content
        assert "Confirm import" not in content
        assert 'type="file" name="files"' in content  # to try again

    @pytest.mark.parametrize(
        ("content", "error"),
        [
            (b"\xff\xfeW\x00h\x00y\x00", "this is a binary file, not plain text"),
            (b"Why?\n\n1. Cold: \xe9t\xe9\n", "line 3: the file is not UTF-8 text"),
            (b"", "the file is empty"),
            (b"  \n\n", "the file is empty"),
            (b"Just a title\n\nAnd a paragraph.\n", "no numbered causes"),
        ],
    )
    def test_unreadable_files_get_their_own_error(self, staff_client, content, error):
        response = review(staff_client, upload("bad.txt", content), upload("ears.txt", EARS))
        (_, bad), (_, ears) = results_of(response)
        assert bad.startswith("bad.txt")
        assert error in bad
        assert ears.startswith("would create")

    def test_an_oversize_file_gets_its_own_error(self, staff_client, settings):
        settings.IMPORT_MAX_BYTES = len(EARS)
        big = EARS + "\nOne more paragraph for the conclusion.\n"
        response = review(staff_client, upload("big.txt", big), upload("ears.txt", EARS))
        (_, big_line), (_, ears_line) = results_of(response)
        assert big_line == (
            f"big.txt: the file is {len(big)} bytes; the limit is {len(EARS)} bytes (0 KB)"
        )
        assert ears_line.startswith("would create")

    def test_the_publish_choice_is_shown_and_carried(self, staff_client):
        response = review(staff_client, upload("ears.txt", EARS), publish=True)
        [(_, line)] = results_of(response)
        assert line.startswith("would create 'Why do my ears ring?' as published")
        assert confirm_data(response)["publish"] == "True"

    def test_two_files_for_one_article_are_refused(self, staff_client):
        response = review(staff_client, upload("a.txt", EARS), upload("b.txt", EARS.upper()))
        (_, first), (_, second) = results_of(response)
        assert first.startswith("would create")
        assert second == (
            "b.txt: 'WHY DO MY EARS RING?' is the same article as a.txt; import only one of them"
        )

    def test_files_too_big_to_confirm_together_are_refused(self, staff_client, settings):
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE = CONFIRM_FORM_OVERHEAD + len(EARS) * 2
        response = review(
            staff_client, upload("ears.txt", EARS), upload("hiccups.txt", HICCUPS * 2)
        )
        (_, ears), (_, hiccups) = results_of(response)
        assert ears.startswith("would create")
        assert "too much text to confirm together" in hiccups


class TestConfirm:
    def test_imports_the_files_that_passed(self, staff_client):
        response = review(
            staff_client, sample(), upload("ears.txt", EARS), upload("eyes.txt", BROKEN)
        )
        response = staff_client.post(IMPORT_URL, confirm_data(response))
        assert response.status_code == 302
        assert response.url == CHANGELIST_URL

        assert sorted(Article.objects.values_list("title", "status")) == [
            ("Why Does My Toes Twitch", "draft"),
            ("Why do my ears ring?", "draft"),
        ]
        toes = Article.objects.get(title="Why Does My Toes Twitch")
        assert toes.article_causes.count() == 14
        assert toes.faq_entries.count() == 14
        assert toes.related_links.count() == 3
        ears = Article.objects.get(title="Why do my ears ring?")
        assert list(ears.article_causes.values_list("cause__name", "explanation")) == [
            ("Loud noise", "Concerts can do it."),
            ("Earwax", "A blockage can do it."),
        ]
        assert list(ears.faq_entries.values_list("question", "answer")) == [
            ("Is it serious?", "Usually not.")
        ]

        (level1, message1), (level2, message2) = messages_of(response)
        assert (level1, level2) == ("success", "success")
        assert message1.startswith("Imported toes.txt: created 'Why Does My Toes Twitch' as draft")
        assert message2.startswith("Imported ears.txt: created 'Why do my ears ring?' as draft")

    def test_the_messages_show_on_the_changelist(self, staff_client):
        response = review(staff_client, upload("ears.txt", EARS))
        response = staff_client.post(IMPORT_URL, confirm_data(response), follow=True)
        assert response.status_code == 200
        assert "Imported ears.txt: created &#x27;Why do my ears ring?&#x27; as draft" in (
            response.content.decode()
        )

    def test_publish_publishes(self, staff_client):
        response = review(staff_client, upload("ears.txt", EARS), publish=True)
        staff_client.post(IMPORT_URL, confirm_data(response))
        article = Article.objects.get()
        assert article.status == Article.Status.PUBLISHED
        assert article.is_published

    def test_importing_again_updates_without_duplicating(self, staff_client):
        staff_client.post(IMPORT_URL, confirm_data(review(staff_client, sample())))
        response = review(staff_client, sample())
        [(_, line)] = results_of(response)
        assert line.startswith("would update 'Why Does My Toes Twitch' as draft; 14 causes (0 new)")
        response = staff_client.post(IMPORT_URL, confirm_data(response))
        [(_, message)] = messages_of(response)
        assert message.startswith("Imported toes.txt: updated 'Why Does My Toes Twitch'")
        assert Article.objects.count() == 1
        assert Cause.objects.count() == 14
        assert FAQEntry.objects.count() == 14

    def test_an_existing_published_article_is_reported_going_back_to_draft(self, staff_client):
        make_article(title="Why do my ears ring?")
        [(_, line)] = results_of(review(staff_client, upload("ears.txt", EARS)))
        assert line.startswith("would update 'Why do my ears ring?' as draft (was published)")

    @pytest.mark.parametrize("status", ["published", "archived"])
    def test_an_editor_cannot_take_an_article_out_of_publishing_by_importing_it(
        self, client, status
    ):
        """Editors import drafts; only medical reviewers may move an article into
        or out of published or archived. An editor's import of a file for a
        published article took it off the site."""
        article = make_article(title="Why do my ears ring?", status=status)
        editor = make_user(is_staff=True)
        editor.groups.add(Group.objects.get(name="Editor"))
        client.force_login(editor)
        why = (
            f"ears.txt: “Why do my ears ring?” is {status}; imported, it would be a draft. "
            "Only medical reviewers can publish, unpublish or archive articles."
        )
        assert results_of(review(client, upload("ears.txt", EARS))) == [("ears.txt", why)]
        # A confirm form from before it was published is refused too, at once.
        Article.objects.filter(pk=article.pk).update(status="draft")
        response = review(client, upload("ears.txt", EARS))
        Article.objects.filter(pk=article.pk).update(status=status)
        response = client.post(IMPORT_URL, confirm_data(response))
        assert messages_of(response) == [("error", f"Not imported: {why}")]
        article.refresh_from_db()
        assert (article.status, article.summary) == (status, "An introduction.")

    @pytest.mark.parametrize(
        ("group", "status"),
        [("Editor", "review"), ("Editor", "draft"), ("Medical reviewer", "published")],
    )
    def test_others_imports_go_on_as_before(self, client, group, status):
        """An editor may take an article in review back to draft; a reviewer may
        unpublish one by importing it."""
        make_article(title="Why do my ears ring?", status=status)
        user = make_user(is_staff=True)
        user.groups.add(Group.objects.get(name=group))
        client.force_login(user)
        client.post(IMPORT_URL, confirm_data(review(client, upload("ears.txt", EARS))))
        assert Article.objects.get().status == Article.Status.DRAFT

    def test_tampered_text_is_checked_again(self, staff_client):
        response = review(staff_client, upload("ears.txt", EARS), upload("hiccups.txt", HICCUPS))
        data = confirm_data(response)
        assert data["file-0-name"] == "ears.txt"
        data["file-0-text"] = BROKEN
        response = staff_client.post(IMPORT_URL, data)
        assert response.status_code == 302
        assert list(Article.objects.values_list("title", flat=True)) == ["Why do I get hiccups?"]
        (level1, message1), (level2, message2) = messages_of(response)
        assert (level1, message1) == (
            "error",
            "Not imported: ears.txt, line 5: answer A1 has no question before it",
        )
        assert (level2, message2[:29]) == ("success", "Imported hiccups.txt: created")

    def test_tampered_oversize_text_is_refused(self, staff_client, settings):
        data = confirm_data(review(staff_client, upload("ears.txt", EARS)))
        settings.IMPORT_MAX_BYTES = len(EARS) - 1
        response = staff_client.post(IMPORT_URL, data)
        [(level, message)] = messages_of(response)
        assert level == "error"
        assert message.startswith("Not imported: ears.txt: the file is")
        assert not Article.objects.exists()

    def test_crlf_line_breaks_posted_by_browsers_are_fine(self, staff_client, settings):
        data = confirm_data(review(staff_client, upload("ears.txt", EARS)))
        data["file-0-text"] = data["file-0-text"].replace("\n", "\r\n")
        settings.IMPORT_MAX_BYTES = len(EARS)
        staff_client.post(IMPORT_URL, data)
        assert Article.objects.get().article_causes.count() == 2

    @pytest.mark.parametrize(
        "change",
        [
            {"file-TOTAL_FORMS": "x"},
            {"file-TOTAL_FORMS": "0"},
            {"file-TOTAL_FORMS": str(MAX_FILES + 1)},
            {"file-INITIAL_FORMS": "", "file-TOTAL_FORMS": ""},
            {"file-0-name": ""},
            {"file-0-name": "x" * 256},
            {"file-0-text": ""},
            {"file-0-text": "Title\x00"},
        ],
    )
    def test_a_tampered_form_is_refused_with_a_message(self, staff_client, change):
        data = confirm_data(review(staff_client, upload("ears.txt", EARS))) | change
        response = staff_client.post(IMPORT_URL, data)
        assert response.status_code == 400
        content = response.content.decode()
        assert "The confirmation was incomplete or had been changed" in content
        assert 'type="file" name="files"' in content
        assert not Article.objects.exists()

    def test_a_confirm_without_files_is_refused_with_a_message(self, staff_client):
        response = staff_client.post(IMPORT_URL, {"confirm": "yes"})
        assert response.status_code == 400
        assert "Please upload the files again." in response.content.decode()
        assert not Article.objects.exists()
