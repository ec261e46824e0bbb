import json

import pytest
from django.template.loader import render_to_string

from sources.structured_data import citations
from tests.sources.factories import make_source

pytestmark = pytest.mark.django_db

HOSTILE = "Itchy <script>alert(1)</script> skin & more"


def render(sources):
    return render_to_string("includes/references.html", {"sources": sources})


class TestTemplate:
    def test_a_numbered_list_under_a_heading(self):
        first = make_source(title="Headaches", publisher="NHS")
        second = make_source(title="Migraine", publisher="NICE")

        html = render([first, second])

        assert '<section aria-labelledby="references">' in html
        assert '<h2 id="references">References</h2>' in html
        assert '<ol class="references">' in html
        assert html.index("Headaches") < html.index("Migraine")

    def test_each_citation(self):
        source = make_source(
            title="Headaches",
            publisher="NHS",
            url="https://www.nhs.uk/conditions/headaches/",
            doi="10.1136/bmj.m1234",
            pmid="31452104",
        )

        html = render([source])

        assert (
            'NHS. <a href="https://www.nhs.uk/conditions/headaches/" '
            'rel="noopener noreferrer">Headaches</a>.'
        ) in html
        assert (
            'DOI: <a href="https://doi.org/10.1136/bmj.m1234" '
            'rel="noopener noreferrer">10.1136/bmj.m1234</a>.'
        ) in html
        assert (
            'PubMed ID: <a href="https://pubmed.ncbi.nlm.nih.gov/31452104/" '
            'rel="noopener noreferrer">31452104</a>.'
        ) in html
        assert 'Accessed <time datetime="2024-01-15">15 January 2024</time>.' in html

    def test_no_identifiers_no_identifier_links(self):
        html = render([make_source()])

        assert "DOI" not in html
        assert "PubMed" not in html

    def test_content_is_escaped(self):
        html = render([make_source(title=HOSTILE, publisher=HOSTILE)])

        assert "<script>" not in html
        assert "Itchy &lt;script&gt;alert(1)&lt;/script&gt; skin &amp; more" in html

    def test_nothing_without_sources(self):
        assert render([]).strip() == ""


class TestCitations:
    def test_a_creative_work_per_source_in_order(self):
        first = make_source(title="Headaches", publisher="NHS", url="https://www.nhs.uk/h/")
        second = make_source(title="Migraine", publisher="NICE")

        works = citations([first, second])

        assert works[0] == {
            "@type": "CreativeWork",
            "name": "Headaches",
            "url": "https://www.nhs.uk/h/",
            "publisher": {"@type": "Organization", "name": "NHS"},
        }
        assert works[1]["name"] == "Migraine"
        json.dumps(works)  # ready for JSON-LD as it is

    def test_doi_and_pubmed_id(self):
        source = make_source(doi="10.1136/bmj.m1234", pmid="31452104")

        (work,) = citations([source])

        assert work["sameAs"] == "https://doi.org/10.1136/bmj.m1234"
        assert work["identifier"] == {
            "@type": "PropertyValue",
            "propertyID": "PMID",
            "value": "31452104",
        }

    def test_none(self):
        assert citations([]) == []
