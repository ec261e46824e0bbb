"""Merging topics in the admin (articles/topic_merge.py): taggit's own merge moved
the rows of its `TaggedItem`, which this site does not use, said "Tags have been
merged" and changed nothing."""

import pytest
import reversion
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from reversion.models import Version
from taggit.models import Tag

from articles.admin import TagAdmin
from articles.models import Article, MergedTopic
from articles.search import search
from articles.topic_merge import merge_topics
from articles.topics import article_count
from tests.factories import add_faq, make_article, make_cause, make_draft, make_user
from tests.forms import admin_form
from tests.reviews.helpers import post_change

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:taggit_tag_changelist")
MERGE = reverse("admin:taggit_tag_merge_tags")


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def choose(client, *names, query=""):
    """Tick these topics in the list (searched for `query`) and run "Merge"."""
    ids = [Tag.objects.get(name=name).pk for name in names]
    data = {"action": "render_tag_form", "index": "0", "_selected_action": ids}
    return client.post(f"{CHANGELIST}?q={query}" if query else CHANGELIST, data)


def merge_into(client, name, page=None):
    """Send the merge page (opened now, or `page`) with `name`."""
    page = page or client.get(MERGE)
    data = {"new_tag_name": name, "topic": [tag.pk for tag in page.context["tags"]]}
    return client.post(MERGE, data, follow=True)


@pytest.fixture
def tagged():
    """Articles, a question and a cause with three topics that mean one thing."""
    first = make_article(title="First", tags=["knee pain", "Knee pains"])
    second = make_article(title="Second", tags=["Knee pains", "running"])
    third = make_article(title="Third", tags=["sore knees"])
    question = add_faq(first, question="Does it last?")
    question.tags.set(["Knee pains", "knee pain"])
    cause = make_cause(name="Strain")
    cause.tags.set(["Knee pains"])
    return first, second, third, question, cause


def test_the_topics_ticked_are_merged_into_the_one_named(staff_client, tagged):
    first, second, third, question, cause = tagged
    chosen = choose(staff_client, "knee pain", "Knee pains", "sore knees", query="knee")
    assert chosen.status_code == 302 and chosen["Location"] == MERGE  # a searched list too
    page = staff_client.get(MERGE)
    assert [tag.name for tag in page.context["tags"]] == ["Knee pains", "knee pain", "sore knees"]

    response = merge_into(staff_client, "Knee pain", page)
    # "knee pain", spelt as the editor typed it.
    assert messages_of(response) == ["Merged “Knee pains”, “sore knees” into “Knee pain”."]
    assert sorted(Tag.objects.values_list("name", "slug")) == [
        ("Knee pain", "knee-pain"),
        ("running", "running"),
    ]
    for thing, names in [
        (first, ["Knee pain"]),  # had two of them: tagged once
        (second, ["Knee pain", "running"]),
        (third, ["Knee pain"]),
        (question, ["Knee pain"]),
        (cause, ["Knee pain"]),
    ]:
        assert sorted(thing.tags.names()) == names, thing
    target = Tag.objects.get(name="Knee pain")
    assert article_count(target) == 3
    tag_page = staff_client.get(reverse("articles:tag", args=[target.slug]))
    assert sorted(a.title for a in tag_page.context["object_list"]) == ["First", "Second", "Third"]
    assert staff_client.get(reverse("articles:tag", args=["sore-knees"])).status_code == 404


def test_the_search_index_follows_the_topics_names(staff_client, tagged):
    third = tagged[2]
    assert list(search("sore").articles) == [third]  # by its topic alone
    choose(staff_client, "sore knees")
    merge_into(staff_client, "Aching joints")
    assert list(search("sore").articles) == []
    assert list(search("aching").articles) == [third]


def test_topics_merged_into_a_new_name_make_a_new_topic(staff_client):
    article = make_draft(tags=["knees", "legs"])
    choose(staff_client, "knees", "legs")
    response = merge_into(staff_client, "Knees and legs")
    assert messages_of(response) == ["Merged “knees”, “legs” into “Knees and legs”."]
    assert list(article.tags.names()) == ["Knees and legs"]
    assert Tag.objects.get().slug == "knees-and-legs"


def test_a_merge_needs_a_name_and_changes_nothing_without_one(staff_client, tagged):
    choose(staff_client, "knee pain", "Knee pains")
    response = merge_into(staff_client, "  ")
    assert response.status_code == 200 and not response.redirect_chain
    assert response.context["form"].errors == {"new_tag_name": ["This field is required."]}
    assert Tag.objects.count() == 4
    assert sorted(tagged[0].tags.names()) == ["Knee pains", "knee pain"]


def test_the_merge_page_without_topics_chosen_goes_back_to_the_list(staff_client):
    response = staff_client.get(MERGE, follow=True)
    assert messages_of(response) == ["Select the topics to merge first."]
    assert response.redirect_chain[-1][0] == CHANGELIST


def test_only_those_who_may_delete_topics_may_merge_them():
    make_article(tags=["knees", "legs"])
    user = make_user(is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_tag", "change_tag"]))
    client = Client()
    client.force_login(user)
    assert "render_tag_form" not in client.get(CHANGELIST).content.decode()
    assert client.get(MERGE).status_code == 403
    assert client.post(MERGE, {"new_tag_name": "joints"}).status_code == 403
    assert Tag.objects.count() == 2


def test_the_topic_named_exactly_is_the_one_merged_into():
    article = make_draft(tags=["Knees"])
    Tag.objects.create(name="knees", slug="knees-2")
    Tag.objects.create(name="KNEES", slug="knees-3")
    target = merge_topics([Tag.objects.get(name="Knees")], "knees")  # not renamed: no clash
    assert (target.name, target.slug) == ("knees", "knees-2")
    assert list(article.tags.names()) == ["knees"]
    assert sorted(Tag.objects.values_list("name", flat=True)) == ["KNEES", "knees"]


def test_a_merge_takes_the_topics_its_page_showed(staff_client):
    for name in "ABCD":
        make_draft(tags=[name])
    choose(staff_client, "A", "B")
    first_tab = staff_client.get(MERGE)
    choose(staff_client, "C", "D")  # in another tab
    merge_into(staff_client, "A", first_tab)
    assert sorted(Tag.objects.values_list("name", flat=True)) == ["A", "C", "D"]


def test_a_name_that_a_tags_field_would_split_is_refused(staff_client, tagged):
    choose(staff_client, "knee pain", "Knee pains")
    response = merge_into(staff_client, 'Knee "runner" pain')
    assert response.context["form"].errors == {
        "new_tag_name": ["A topic's name cannot have quotation marks: a tags field would split it."]
    }
    assert Tag.objects.count() == 4


def test_a_topic_keeps_its_address_when_merged_into_a_name_making_the_same(staff_client):
    article = make_article(tags=["Knee pain", "Sore knees"])
    choose(staff_client, "Knee pain", "Sore knees")
    merge_into(staff_client, "Knee-pain")
    assert list(Tag.objects.values_list("name", "slug")) == [("Knee-pain", "knee-pain")]
    assert list(article.tags.names()) == ["Knee-pain"]


def test_one_topic_chosen_and_named_anew_is_renamed(staff_client):
    make_draft(tags=["knee pain"])
    choose(staff_client, "knee pain")
    assert messages_of(merge_into(staff_client, "Knee Pain")) == [
        "Renamed “knee pain” to “Knee Pain”."
    ]
    choose(staff_client, "Knee Pain")
    assert messages_of(merge_into(staff_client, "Knee Pain")) == [
        "Nothing to merge: “Knee Pain” was the only topic chosen."
    ]


def test_those_who_may_not_add_topics_may_merge_into_an_existing_one_only():
    make_article(tags=["knees", "legs"])
    user = make_user(is_staff=True)
    rights = ["view_tag", "change_tag", "delete_tag"]
    user.user_permissions.add(*Permission.objects.filter(codename__in=rights))
    client = Client()
    client.force_login(user)
    choose(client, "knees", "legs")
    response = merge_into(client, "joints")
    assert response.context["form"].errors == {
        "new_tag_name": ["You may merge into an existing topic only."]
    }
    assert messages_of(merge_into(client, "Knees")) == ["Merged “legs” into “Knees”."]


def test_a_revision_from_before_a_merge_can_still_be_restored(staff_client):
    """The kept topic's rows are new: the topic merged away kept its row's id,
    and an older revision holding that row and the kept topic's could not be
    restored ("Could not save … missing dependency")."""
    article = make_draft(title="Knee pain", summary="Before.", tags=["Sore knees", "Knee pain"])
    post_change(staff_client, article)
    old = Version.objects.get_for_object(article).get()
    post_change(staff_client, Article.objects.get(), summary="After.", tags="Sore knees,")
    merge_topics([Tag.objects.get(name="Sore knees")], "Knee pain")
    url = reverse("admin:articles_article_revision", args=[article.pk, old.pk])
    response = staff_client.post(url, admin_form(staff_client.get(url)), follow=True)
    assert messages_of(response)[-1] == (
        "Restored, giving the topics merged since their new names: “Sore knees” is now “Knee pain”."
    )
    article.refresh_from_db()
    assert article.summary == "Before."
    assert list(article.tags.names()) == ["Knee pain"]


def restore(client, thing, version):
    """Show `version` of `thing` (an article or a cause) in the admin, then restore
    it as shown: the messages of both pages."""
    opts = thing._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_revision", args=[thing.pk, version.pk])
    shown = client.get(url)
    restored = client.post(url, admin_form(shown), follow=True)
    return messages_of(shown), messages_of(restored)


def test_a_revision_tagged_with_a_topic_merged_since_is_restored_with_the_kept_topic(
    staff_client,
):
    """The merge deleted the topic: the restore left the tagging out, and deleted
    the kept topic's (not in the revision). The article had no topic left."""
    article = make_article(title="Runner's knee", summary="Before.", tags=["Sore knees"])
    question = add_faq(article, question="Will it heal?")
    question.tags.set(["Sore knees", "Running"])
    post_change(staff_client, article)
    old = Version.objects.get_for_object(article).get()
    post_change(staff_client, Article.objects.get(), summary="After.")
    merge_topics([Tag.objects.get(name="Sore knees")], "Knee pain")

    shown, restored = restore(staff_client, article, old)
    renamed = "the topics merged since their new names: “Sore knees” is now “Knee pain”"
    assert shown[-1] == f"Restoring this version gives {renamed}."
    assert restored[-1] == f"Restored, giving {renamed}."
    article.refresh_from_db()
    assert article.summary == "Before."
    assert list(article.tags.names()) == ["Knee pain"]
    assert sorted(question.tags.names()) == ["Knee pain", "Running"]
    assert article_count(Tag.objects.get(name="Knee pain")) == 1
    assert list(search("knee").articles) == [article]
    # The restore's own revision holds the kept topic: restoring it keeps it.
    newest = Version.objects.get_for_object(article).first()
    assert newest.revision.version_set.filter(object_repr__endswith="with Knee pain").count() == 2
    post_change(staff_client, Article.objects.get(), tags="Running")
    restore(staff_client, article, newest)
    assert list(article.tags.names()) == ["Knee pain"]


def test_a_topic_merged_twice_is_restored_as_the_last_kept_topic(staff_client):
    article = make_draft(tags=["Sore knees"])
    post_change(staff_client, article)
    old = Version.objects.get_for_object(article).get()
    merge_topics([Tag.objects.get(name="Sore knees")], "Knee pain")
    make_draft(tags=["Joint pain"])
    merge_topics(list(Tag.objects.all()), "Joint pain")
    post_change(staff_client, Article.objects.get(pk=article.pk), tags="")

    restored = restore(staff_client, article, old)[1]
    renamed = "the topics merged since their new names: “Sore knees” is now “Joint pain”"
    assert restored[-1] == f"Restored, giving {renamed}."
    assert list(article.tags.names()) == ["Joint pain"]


def test_a_topic_merged_into_one_deleted_since_is_left_out(staff_client):
    article = make_draft(title="Knees", tags=["Sore knees", "Kept"])
    post_change(staff_client, article)
    old = Version.objects.get_for_object(article).get()
    merge_topics([Tag.objects.get(name="Sore knees")], "Knee pain")
    Tag.objects.get(name="Knee pain").delete()

    restored = restore(staff_client, article, old)[1]
    assert restored[-1] == (
        "Restored without “Knees tagged with Sore knees”: its topic has since been deleted."
    )
    assert list(article.tags.names()) == ["Kept"]


def test_a_cause_revision_tagged_with_a_topic_merged_since_is_restored_with_the_kept_topic(
    staff_client,
):
    cause = make_cause(name="Dehydration", description="Before.")
    cause.tags.set(["Thirst"])
    with reversion.create_revision():
        cause.save()
    old = Version.objects.get_for_object(cause).get()
    cause.description = "After."
    cause.save()
    cause.tags.set(["Heat"])
    merge_topics([Tag.objects.get(name="Thirst")], "Fluids")

    restored = restore(staff_client, cause, old)[1]
    assert restored[-1] == (
        "Restored, giving the topics merged since their new names: “Thirst” is now “Fluids”."
    )
    cause.refresh_from_db()
    assert cause.description == "Before."
    assert list(cause.tags.names()) == ["Fluids"]


@pytest.mark.parametrize("across", ["1", ""], ids=["select all", "ticked"])
def test_deleting_or_merging_topics_on_too_many_things_is_refused(
    staff_client, monkeypatch, across
):
    """A topic's delete costs 1.5 to 2.5 ms a row it takes along: "Select all"
    of the topics ran past the server's timeout, and deleted none."""
    monkeypatch.setattr(TagAdmin, "taggings_limit", 2)
    make_draft(tags=["knees"])
    add_faq(question="Why?").tags.set(["knees"])
    make_cause().tags.set(["knees"])  # three things
    make_draft(tags=["legs"])
    knees = Tag.objects.get(name="knees")
    data = {"action": "delete_selected", "select_across": across, "index": "0",
            "_selected_action": [knees.pk]}  # fmt: skip
    refused = (
        "These topics are on more than 2 articles, questions and causes, more than one "
        "change can take at once. Choose fewer."
    )
    response = staff_client.post(CHANGELIST, data, follow=True)
    assert messages_of(response) == [f"{refused} No topics have been changed."]
    assert Tag.objects.count() == 2
    response = choose(staff_client, "knees", "legs")  # the merge action too
    assert messages_of(staff_client.get(response["Location"])) == [
        f"{refused} No topics have been changed."
    ]
    both = {"new_tag_name": "legs", "topic": [knees.pk, Tag.objects.get(name="legs").pk]}
    response = staff_client.post(MERGE, both, follow=True)  # the merge page, sent as it was
    assert messages_of(response) == [f"{refused} Nothing has been merged."]
    assert Tag.objects.count() == 2
    legs = Tag.objects.get(name="legs")
    data["_selected_action"] = [legs.pk]
    assert staff_client.post(CHANGELIST, data | {"select_across": ""}).status_code == 200


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ('Knee "runner" pain', "A topic's name cannot have quotation marks"),
        ("Knee Pain", "The topic “knee pain” has this name in other capitals"),
    ],
    ids=["quotation marks", "another topic's name in other capitals"],
)
def test_a_topic_is_not_renamed_to_a_name_an_articles_save_would_change(staff_client, name, error):
    """The merge page refused such names; the topic's own form did not, and the
    next save of an article changed its topics: split in three, or moved to
    the other topic."""
    article = make_draft(tags=["sore", "knee pain"])
    sore = Tag.objects.get(name="sore")
    url = reverse("admin:taggit_tag_change", args=[sore.pk])
    data = admin_form(staff_client.get(url)) | {"name": [name]}
    response = staff_client.post(url, data)
    assert response.status_code == 200
    [message] = response.context["adminform"].form.errors["name"]
    assert message.startswith(error)
    assert Tag.objects.get(pk=sore.pk).name == "sore"
    post_change(staff_client, article)
    assert sorted(article.tags.names()) == ["knee pain", "sore"]

    data["name"] = ["Sore knees"]  # a name a tags field keeps
    assert staff_client.post(url, data).status_code == 302
    post_change(staff_client, Article.objects.get())
    assert sorted(article.tags.names()) == ["Sore knees", "knee pain"]


def test_a_topic_given_the_id_of_one_merged_away_is_not_taken_for_it(staff_client):
    """After a dump and load the topics' ids come back: a new topic may get the
    id of one merged away. Merging it too failed (a second record with that
    id: a 500), and a revision tagged with it, deleted, came back with the
    topic the first was merged into."""
    make_draft(title="Two", tags=["knee pains"])
    old = Tag.objects.get(name="knee pains")
    merge_topics([old], "Knee pain")
    reused = Tag.objects.create(pk=old.pk, name="Sore knees", slug="sore-knees")
    article = make_draft(title="Three", tags=[reused])
    post_change(staff_client, article)
    version = Version.objects.get_for_object(article).first()
    reused.delete()
    assert restore(staff_client, article, version)[1][-1] == (
        "Restored without “Three tagged with Sore knees”: its topic has since been deleted."
    )
    assert list(Article.objects.get(pk=article.pk).tags.names()) == []

    again = Tag.objects.create(pk=old.pk, name="Sore legs", slug="sore-legs")
    make_draft(title="Four", tags=[again])
    kept = merge_topics([again], "Knee pain")
    assert MergedTopic.objects.values_list("topic_id", "name", "into").get() == (
        old.pk,
        "Sore legs",
        kept.pk,
    )
