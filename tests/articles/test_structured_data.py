import json
import re
from datetime import date

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from articles.models import Article
from articles.page import ArticleContent
from articles.structured_data import article_structured_data
from healthsite.templatetags.jsonld import jsonld_scripts
from tests.factories import add_cause, add_faq, make_article, make_cause, make_user

pytestmark = pytest.mark.django_db

HOST = "http://testserver"
SCRIPT = re.compile(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', re.DOTALL)
HOSTILE = "Itchy </script><script>alert(1)</script> skin <!-- & more"


def fetch(article):
    return Article.objects.published().for_detail().get(pk=article.pk)


def build(article):
    return article_structured_data(
        ArticleContent.from_saved(fetch(article)), RequestFactory().get("/")
    )


def by_type(objects):
    return {obj["@type"]: obj for obj in objects}


def test_web_page_describes_the_article():
    article = make_article(
        title="Dry skin", meta_description="Why skin gets dry.", tags=["skin", "winter"]
    )

    page = by_type(build(article))["MedicalWebPage"]

    assert page["@context"] == "https://schema.org"
    assert page["headline"] == page["name"] == "Dry skin"
    assert page["description"] == "Why skin gets dry."
    assert page["url"] == f"{HOST}/articles/{article.slug}/"
    assert page["datePublished"] == article.publish_at.isoformat()
    assert page["inLanguage"] == "en-GB"
    assert page["keywords"] == "skin, winter"
    assert page["publisher"] == {"@type": "Organization", "name": "Healthsite", "url": f"{HOST}/"}
    assert page["about"] == {"@type": "MedicalCondition", "name": "Dry skin"}


def test_description_falls_back_to_the_subtitle():
    article = make_article(subtitle="Causes and remedies")

    assert by_type(build(article))["MedicalWebPage"]["description"] == "Causes and remedies"


def test_causes_are_medical_causes_with_absolute_urls():
    article = make_article()
    dehydration = make_cause(name="Dehydration", description="Not *enough* water & salt.")
    add_cause(article, dehydration)
    eczema = make_cause(name="Eczema")
    add_cause(article, eczema, explanation="Here:\n\n- red\n- itchy")

    causes = by_type(build(article))["MedicalWebPage"]["about"]["cause"]

    assert causes == [
        {
            "@type": "MedicalCause",
            "name": "Dehydration",
            "url": f"{HOST}/causes/{dehydration.slug}/",
            "description": "Not enough water & salt.",
        },
        {
            "@type": "MedicalCause",
            "name": "Eczema",
            "url": f"{HOST}/causes/{eczema.slug}/",
            "description": "Here: red itchy",
        },
    ]


def test_descriptions_are_the_plain_text_of_the_markdown():
    article = make_article()
    add_faq(
        article,
        question="Where can I read more?",
        answer='Read [the guide](https://x.org/?a=1&b=2 "Guide > more") & `<b>`, since 1 < 2.\n\n'
        "*Then* see a GP.  \nSoon.",
    )
    add_cause(article, make_cause(description="Unused"), explanation="Low **iron** &amp; B12")

    data = by_type(build(article))

    answer = data["FAQPage"]["mainEntity"][0]["acceptedAnswer"]["text"]
    # The link's title holds a ">": stored escaped, it cannot end the tag early.
    assert 'title="Guide &gt; more"' in article.faq_entries.get().answer_html
    assert answer == "Read the guide & <b>, since 1 < 2. Then see a GP. Soon."
    cause = data["MedicalWebPage"]["about"]["cause"][0]["description"]
    assert cause == "Low iron & B12"  # CommonMark reads `&amp;` as &


def test_review_and_people_are_given_when_set():
    reviewer = make_user(first_name="Asha", last_name="Patel")
    author = make_user(username="jdoe")
    article = make_article(medical_reviewer=reviewer, author=author, last_reviewed=date(2024, 3, 1))

    page = by_type(build(article))["MedicalWebPage"]

    assert page["lastReviewed"] == "2024-03-01"
    assert page["reviewedBy"] == {"@type": "Person", "name": "Asha Patel"}
    assert page["author"] == {"@type": "Person", "name": "jdoe"}


def test_unset_review_people_and_keywords_are_left_out():
    page = by_type(build(make_article()))["MedicalWebPage"]

    for key in ("lastReviewed", "reviewedBy", "author", "keywords", "description"):
        assert key not in page


def test_faq_page_lists_every_question_in_order():
    article = make_article()
    first = add_faq(article, question="Is it serious?", answer="Rarely.\n\nSee a *GP* if unsure.")
    second = add_faq(article, question="Can I prevent it?", answer="Drink water.")

    faq = by_type(build(article))["FAQPage"]

    assert [q["name"] for q in faq["mainEntity"]] == ["Is it serious?", "Can I prevent it?"]
    assert faq["mainEntity"][0] == {
        "@type": "Question",
        "name": "Is it serious?",
        "url": f"{HOST}/articles/{article.slug}/#{first.anchor}",
        "acceptedAnswer": {"@type": "Answer", "text": "Rarely. See a GP if unsure."},
    }
    assert faq["mainEntity"][1]["url"].endswith(f"#{second.anchor}")


def test_no_faq_page_without_questions():
    add_faq(question="A site-wide question?")  # not the article's

    types = [obj["@type"] for obj in build(make_article())]

    assert types == ["MedicalWebPage", "BreadcrumbList"]


def test_breadcrumbs_lead_from_home_to_the_article():
    article = make_article(title="Sore feet")

    crumbs = by_type(build(article))["BreadcrumbList"]["itemListElement"]

    assert [(c["@type"], c["position"], c["name"], c["item"]) for c in crumbs] == [
        ("ListItem", 1, "Home", f"{HOST}/"),
        ("ListItem", 2, "Health A to Z", f"{HOST}/articles/"),
        ("ListItem", 3, "Sore feet", f"{HOST}/articles/{article.slug}/"),
    ]


def test_builder_makes_no_queries_on_a_prefetched_article(django_assert_num_queries):
    article = make_article(
        tags=["skin"], author=make_user(), medical_reviewer=make_user(), last_reviewed=date.today()
    )
    add_cause(article)
    add_faq(article)
    article = fetch(article)
    request = RequestFactory().get("/")

    with django_assert_num_queries(0):
        article_structured_data(ArticleContent.from_saved(article), request)


def scripts(markup):
    return SCRIPT.findall(markup)


def test_jsonld_writes_one_script_per_object_that_round_trips():
    article = make_article(tags=["skin"])
    add_cause(article)
    add_faq(article)
    objects = build(article)

    bodies = scripts(jsonld_scripts(objects))

    assert [json.loads(body) for body in bodies] == objects


def test_jsonld_takes_a_single_object():
    assert [json.loads(body) for body in scripts(jsonld_scripts({"a": "é"}))] == [{"a": "é"}]


def test_jsonld_output_cannot_break_out_of_the_script():
    article = make_article(title=HOSTILE)
    add_faq(article, answer=HOSTILE)

    markup = jsonld_scripts(build(article))

    bodies = scripts(markup)
    assert len(bodies) == markup.count("</script") == 3
    for body in bodies:
        assert "<" not in body
        assert ">" not in body
    page, faq, _ = (json.loads(body) for body in bodies)
    assert page["name"] == HOSTILE
    assert faq["mainEntity"][0]["acceptedAnswer"]["text"] == HOSTILE


def test_jsonld_tag_in_a_template_without_a_request():
    rendered = Template("{% load jsonld %}{% jsonld data %}").render(
        Context({"data": [{"name": "</script>"}]})
    )

    assert rendered == (
        '<script type="application/ld+json">{"name": "\\u003C/script\\u003E"}</script>'
    )


def test_jsonld_tag_carries_the_requests_csp_nonce():
    request = RequestFactory().get("/")
    request.csp_nonce = "abc+/="

    rendered = Template("{% load jsonld %}{% jsonld data %}").render(
        Context({"data": [{"a": 1}, {"b": 2}], "request": request})
    )

    assert rendered == (
        '<script type="application/ld+json" nonce="abc+/=">{"a": 1}</script>\n'
        '<script type="application/ld+json" nonce="abc+/=">{"b": 2}</script>'
    )


def test_jsonld_tag_writes_nothing_for_no_data():
    assert Template("{% load jsonld %}{% jsonld data %}").render(Context({"data": []})) == ""
