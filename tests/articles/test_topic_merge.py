"""Merging topics in the admin (articles/topic_merge.py): taggit's own merge moved
the rows of its `TaggedItem`, which this site does not use, said "Tags have been
merged" and changed nothing."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from taggit.models import Tag

from articles.search import search
from articles.topic_merge import merge_topics
from articles.topics import article_count
from tests.factories import add_faq, make_article, make_cause, make_draft, make_user

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

    response = staff_client.post(MERGE, {"new_tag_name": "Knee pain"}, follow=True)
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
    staff_client.post(MERGE, {"new_tag_name": "Aching joints"})
    assert list(search("sore").articles) == []
    assert list(search("aching").articles) == [third]


def test_topics_merged_into_a_new_name_make_a_new_topic(staff_client):
    article = make_draft(tags=["knees", "legs"])
    choose(staff_client, "knees", "legs")
    response = staff_client.post(MERGE, {"new_tag_name": "Knees and legs"}, follow=True)
    assert messages_of(response) == ["Merged “knees”, “legs” into “Knees and legs”."]
    assert list(article.tags.names()) == ["Knees and legs"]
    assert Tag.objects.get().slug == "knees-and-legs"


def test_a_merge_needs_a_name_and_changes_nothing_without_one(staff_client, tagged):
    choose(staff_client, "knee pain", "Knee pains")
    response = staff_client.post(MERGE, {"new_tag_name": "  "})
    assert response.status_code == 200
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
