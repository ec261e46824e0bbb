"""The floor `bench_http` drives beside the article page (articles/bench_floor.py)."""

import re

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from articles import bench_floor
from tests.factories import add_cause, add_faq, make_article, make_draft

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_floor_urls")]

NONCE = re.compile(rb'nonce="[^"]*"')


@pytest.fixture
def _floor_urls():
    bench_floor._built.clear()  # pages built for an earlier test's articles
    with override_settings(ROOT_URLCONF="articles.bench_floor"):
        yield


def test_answers_with_the_article_page_after_one_query(client, django_assert_num_queries):
    article = make_article(title="Leg cramps")
    add_cause(article)
    add_faq(article, question="Is it serious?")
    url = f"/bench/floor/{article.slug}/"
    assert client.get(url).status_code == 200  # built, once
    with django_assert_num_queries(1):
        floor = client.get(url)
    page = client.get(article.get_absolute_url())
    assert floor.status_code == page.status_code == 200
    assert b"Leg cramps" in floor.content
    # The same bytes, but for the nonce (the floor built its page once) and the
    # address the page gives as its own.
    built = floor.content.replace(url.encode(), article.get_absolute_url().encode())
    assert NONCE.sub(b"", built) == NONCE.sub(b"", page.content)


def test_only_a_published_article_has_a_floor(client):
    draft = make_draft()
    assert client.get(f"/bench/floor/{draft.slug}/").status_code == 404
    assert client.get("/bench/floor/no-such-article/").status_code == 404


def test_the_site_is_unchanged_beside_it(client):
    article = make_article()
    assert client.get("/").status_code == 200
    assert client.get(article.get_absolute_url()).status_code == 200


@pytest.mark.parametrize(
    "args",
    [
        ["--duration", "nan"],
        ["--duration", "inf"],
        ["--warmup", "nan"],
        ["--warmup", "-1"],
        ["--wrk-threads", "0"],
        ["--rounds", "0"],
    ],
)
def test_bench_http_refuses_numbers_it_cannot_run_with(args):
    """Checked before anything starts: nan got past `<= 0`, and the run never ended."""
    with pytest.raises(CommandError, match="must be"):
        call_command("bench_http", *args)
