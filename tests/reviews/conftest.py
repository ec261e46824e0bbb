import pytest
from django.contrib.auth.models import Group

from tests.factories import make_user


def member(group, **fields):
    user = make_user(is_staff=True, **fields)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def editor(db):
    return member("Editor", first_name="Ed", last_name="Itor")


@pytest.fixture
def reviewer(db):
    return member("Medical reviewer", first_name="Asha", last_name="Patel")
