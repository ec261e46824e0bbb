import pytest

from faq.models import FAQEntry
from tests.factories import add_faq

pytestmark = pytest.mark.django_db


def names(tags):
    return sorted(tag.name for tag in tags)


def test_a_questions_tags_in_a_form_come_from_the_prefetch_if_there_was_one(
    django_assert_num_queries,
):
    add_faq().tags.set(["legs", "sleep"])
    field = FAQEntry._meta.get_field("tags")
    plain = FAQEntry.objects.get()
    prefetched = FAQEntry.objects.prefetch_related("tags").get()
    with django_assert_num_queries(1):
        assert names(field.value_from_object(plain)) == ["legs", "sleep"]
    with django_assert_num_queries(0):
        assert names(field.value_from_object(prefetched)) == ["legs", "sleep"]
    assert field.value_from_object(FAQEntry(question="New?")) == []
