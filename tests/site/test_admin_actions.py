"""An admin action asked to act on something that is not an id of its list is
refused with a message, and a list asked to filter by a pattern is refused, in
every admin (healthsite/admin_site.py)."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse
from taggit.models import Tag

from articles.models import Article, Cause
from healthsite.admin_site import CheckedInputMixin
from sources.models import Source
from tests.factories import make_cause, make_draft
from tests.sources.factories import make_source

pytestmark = pytest.mark.django_db

NOT_IDS = ["abc", "9" * 30]  # not a number; a number past any id column's range

# An admin of ours with its own actions, and Django's deletion in admins of ours and taggit's.
ACTIONS = [
    pytest.param(Article, "publish", make_draft, id="articles"),
    pytest.param(Cause, "delete_selected", make_cause, id="causes"),
    pytest.param(Source, "delete_selected", make_source, id="sources"),
    pytest.param(Tag, "delete_selected", lambda: Tag.objects.create(name="legs"), id="topics"),
]


def changelist(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


@pytest.mark.parametrize("not_an_id", NOT_IDS)
@pytest.mark.parametrize(("model", "action", "make"), ACTIONS)
def test_an_action_on_something_not_an_id_is_refused_with_a_message(
    staff_client, model, action, make, not_an_id
):
    obj = make()
    url = changelist(model)
    for confirmed in ({}, {"post": "yes"}):  # the deletion's first page, and its confirmation
        data = {"action": action, "_selected_action": [obj.pk, not_an_id], **confirmed}
        response = staff_client.post(url, data)
        assert response.status_code == 302
        assert response.url == url
        message = f"Only {model._meta.verbose_name_plural} of this list can be selected."
        assert message in messages_of(staff_client.get(url))[0]
    assert model.objects.filter(pk=obj.pk).exists()
    if model is Article:
        assert Article.objects.get().status == Article.Status.DRAFT


@pytest.mark.parametrize("lookup", ["title__regex", "title__iregex", "summary__regex"])
def test_a_list_filtered_by_a_pattern_is_refused(staff_client, lookup):
    make_draft()
    response = staff_client.get(changelist(Article), {lookup: "("})
    assert response.status_code == 400


def test_a_list_filtered_by_a_value_still_works(staff_client):
    make_draft(title="Knees")
    response = staff_client.get(changelist(Article), {"title__icontains": "knee"})
    assert response.status_code == 200
    assert [a.title for a in response.context["cl"].result_list] == ["Knees"]


def test_every_registered_admin_checks_what_is_selected():
    registered = [model for model in apps.get_models() if admin.site.is_registered(model)]
    assert Article in registered and Tag in registered
    for model in registered:
        assert isinstance(admin.site.get_model_admin(model), CheckedInputMixin), model
