"""The article page stays small and cheap: the sample article (14 causes, 14 questions),
with every See-also callout and the related list filled, is under 30 KB of HTML and
takes at most 5 queries."""

import re
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from articles.models import Article
from tests.factories import make_article

pytestmark = pytest.mark.django_db

# A copy of ../shared/sample-article.txt, so a clone can run its tests anywhere.
SAMPLE = Path(settings.BASE_DIR) / "tests" / "articles" / "samples" / "sample-article.txt"
MAX_BYTES = 30 * 1024
MAX_QUERIES = 5
# Publishing an article about a symptom needs "when to get help" at all three levels.
ADVICE = (
    "See a GP if:\n- your toes twitch for more than 2 weeks\n- the twitching spreads\n\n"
    "Get advice now if:\n- your foot or leg becomes weak or numb\n\n"
    "Call emergency services if:\n- one side of your body suddenly becomes weak\n\n"
)
CONCLUSION = "Toe twitches can be puzzling"
SEE_ALSO_TARGETS = [
    "What Is a Strong Arm Robbery",
    "How to Make Leg Warmers",
    "Why Do My Knees Crack When I Bend Them",
]


@pytest.fixture
def sample(tmp_path, settings):
    settings.PAGE_CACHE = False  # the page as rendered, not a cached copy
    text = SAMPLE.read_text(encoding="utf-8")
    assert CONCLUSION in text
    path = tmp_path / "toe-twitches.txt"
    path.write_text(text.replace(CONCLUSION, ADVICE + CONCLUSION), encoding="utf-8")
    call_command("import_article", str(path), publish=True, stdout=StringIO())
    article = Article.objects.get()
    article.tags.set(["feet", "muscles", "twitching"])
    # Its pinned See-also targets appear, and more articles share its tags than the
    # page has room for: every callout and the whole related list are filled.
    for title in SEE_ALSO_TARGETS:
        make_article(title=title, tags=["feet"])
    for _ in range(settings.SEE_ALSO_COUNT + 2):
        make_article(tags=["feet", "muscles"])
    return article


def test_sample_is_the_full_article(sample):
    assert sample.status == Article.Status.PUBLISHED
    assert sample.article_causes.count() == 14
    assert sample.faq_entries.count() == 14
    assert sample.related_links.filter(target__isnull=False).count() == len(SEE_ALSO_TARGETS)


def test_article_page_html_is_under_30_kb(client, sample):
    response = client.get(sample.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    # The whole article is there: every cause and question, and the See-also callouts.
    assert len(re.findall(r'<li id="cause-', html)) == 14
    assert all(title in html for title in SEE_ALSO_TARGETS)
    assert len(response.content) < MAX_BYTES, f"{len(response.content):,} bytes"


def test_article_page_makes_at_most_5_queries(client, sample, django_assert_max_num_queries):
    client.get(sample.get_absolute_url())  # as a running server would be: warm
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(sample.get_absolute_url())
    assert response.status_code == 200
