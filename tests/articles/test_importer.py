import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import IntegrityError

from articles.importer import ImportFormatError, parse, read_text
from articles.models import Article, ArticleCause, Cause, RelatedLink
from faq.models import FAQEntry
from tests.factories import make_article, make_cause

# A copy of ../shared/sample-article.txt, so a clone can run its tests anywhere.
SAMPLE = Path(settings.BASE_DIR) / "tests" / "articles" / "samples" / "sample-article.txt"
SAMPLES = Path(__file__).parent / "samples"
EARS = SAMPLES / "ringing-ears.txt"
DIZZY = SAMPLES / "dizzy.txt"

SAMPLE_CAUSES = [
    "Muscle fatigue",
    "Nutritional deficiencies",
    "Dehydration",
    "Neurological conditions",
    "Nerve impingement",
    "Medication side effects",
    "Stress and anxiety",
    "Caffeine or alcohol consumption",
    "Fatigue or lack of sleep",
    "Electrolyte imbalance",
    "Vitamin B12 deficiency",
    "Hormonal changes",
    "Injury or trauma",
    "Idiopathic causes",
]

MINIMAL = "Title\n\nIntro.\n\n1. First: One.\n2. Second: Two.\n\nQ1. Why?\nA1. Because.\n"


def parse_bytes(data):
    return parse(read_text(data))


def body_texts(parsed):
    """Everything that would reach a reader as body text."""
    return [
        *parsed.intro,
        *parsed.lead_in,
        *parsed.conclusion,
        *(c.description for c in parsed.causes),
        *(q.answer for q in parsed.questions),
        *(q.question for q in parsed.questions),
    ]


@pytest.fixture(scope="module")
def parsed():
    return parse_bytes(SAMPLE.read_bytes())


class TestParseSample:
    def test_title_subtitle_intro(self, parsed):
        assert parsed.title == "Why Does My Toes Twitch"
        assert parsed.subtitle == "Understanding the Causes and Remedies"
        assert len(parsed.intro) == 2
        assert parsed.intro[0].startswith("Have you ever experienced")
        assert parsed.intro[1].endswith("Here are some potential causes for toe twitching:")

    def test_fourteen_causes(self, parsed):
        assert [c.name for c in parsed.causes] == SAMPLE_CAUSES
        assert parsed.causes[2].description == (
            "Insufficient fluid intake can cause muscle irritability, including twitching "
            "in the toes."
        )

    def test_fourteen_questions(self, parsed):
        assert len(parsed.questions) == 14
        first, last = parsed.questions[0], parsed.questions[-1]
        assert first.question == "Can toe twitching be a sign of a serious medical condition?"
        assert first.answer.startswith("In most cases, toe twitches are harmless")
        assert last.question == "Can toe twitches occur during sleep?"
        assert last.answer.startswith("Yes, toe twitches can occur during sleep")

    def test_see_also_titles_and_where_they_stood(self, parsed):
        assert [(s.title, s.section, s.after) for s in parsed.see_also] == [
            ("What Is a Strong Arm Robbery", "causes", 6),
            ("How to Make Leg Warmers", "questions", 1),
            ("Why Do My Knees Crack When I Bend Them", "questions", 9),
        ]
        assert [s.line for s in parsed.see_also] == [21, 44, 70]

    def test_lead_in_and_conclusion(self, parsed):
        # Curly quotes are straightened, so titles and names match however typed.
        assert parsed.lead_in == [
            "Now, let's address some common questions related to toe twitches:"
        ]
        assert len(parsed.conclusion) == 1
        assert parsed.conclusion[0].startswith("Toe twitches can be puzzling")

    def test_no_furniture_in_the_body(self, parsed):
        for text in body_texts(parsed):
            assert "Scroll to Top" not in text
            assert "See also" not in text


class TestParseVariations:
    def canonical(self):
        return parse_bytes(EARS.read_bytes())

    def test_own_sample_with_q_colon_and_n_paren(self):
        parsed = self.canonical()
        assert parsed.title == "Why do my ears ring?"
        assert parsed.subtitle == "Common reasons and what helps"
        assert [c.name for c in parsed.causes] == [
            "Loud noise",
            "Earwax build-up",
            "Ear infection",
            "Getting older",
        ]
        assert parsed.causes[2].description == (
            "Fluid behind the eardrum can cause muffled hearing, pain and ringing.\n"
            "It usually clears up within a week or two."
        )
        assert [q.question for q in parsed.questions] == [
            "Can tinnitus go away on its own?",
            "Should I clean my ears with cotton buds?",
            "Does stress make it worse?",
        ]
        assert [s.title for s in parsed.see_also] == [
            "Why do I feel dizzy when I stand up?",
            "Why do my ears feel blocked?",
        ]
        assert parsed.lead_in == ["Here are some questions people often ask."]
        assert parsed.conclusion[0].startswith("Most ringing in the ears is harmless")

    @pytest.mark.parametrize(
        "transform",
        [
            lambda t: t.replace("\n", "\r\n"),
            lambda t: t.replace("\n", "\r"),
            lambda t: "\ufeff" + t,
            lambda t: t.replace("\n\n", "\n\n\n\n"),
            lambda t: t.replace("\n\n", "\n  \n"),
            lambda t: t.replace("1) ", "1. ").replace("2) ", "2. "),
            lambda t: t.replace("See also  ", "See also ").replace("See also W", "See also:  W"),
            lambda t: t.replace("'", "\u2019"),
            lambda t: t.rstrip("\n") + "\n\n\n",
        ],
    )
    def test_real_file_differences_parse_the_same(self, transform):
        text = EARS.read_text(encoding="utf-8")
        assert content(parse_bytes(transform(text).encode())) == content(parse(text))

    def test_paragraphs_between_items_belong_to_the_item_before(self):
        text = (
            "Title\n\n1. First: One.\n\nMore about the first.\n\n2. Second: Two.\n\n"
            "Q1. Why?\nA1. Because.\n\nAnd another paragraph.\n\nQ2. How?\nA2. Like this.\n\n"
            "The end.\n"
        )
        parsed = parse(text)
        assert parsed.causes[0].description == "One.\n\nMore about the first."
        assert parsed.questions[0].answer == "Because.\n\nAnd another paragraph."
        assert parsed.conclusion == ["The end."]

    def test_question_over_two_lines(self):
        parsed = parse("Title\n\nQ1. Is it\nserious?\nA1. No.\n")
        assert parsed.questions[0].question == "Is it serious?"


class TestBadInput:
    @pytest.mark.parametrize(
        ("data", "message", "line"),
        [
            (b"", "the file is empty", None),
            (b"  \n\n \t \r\n", "the file is empty", None),
            (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file", None),
            ("Café\n\n1. Thé: Hot.\n".encode("latin-1"), "not UTF-8", 1),
            (b"Title\n\n1. A: a\n\nQ1. Why?\n\nQ2. How?\nA2. So.\n", "Q1 has no answer", 5),
            (b"Title\n\n1. A: a\n\nQ1. Why?\n", "Q1 has no answer", 5),
            (b"Title\n\n1. A: a\n\nA1. Because.\n", "A1 has no question", 5),
            (b"Title\n\nQ1. Why?\nA2. Because.\n", "A2 follows question Q1", 4),
            (b"Title\n\n1. A: a\n2. B: b\n4. C: c\n", "4 where 3 was expected", 5),
            (b"Title\n\n1. A: a\n2. B: b\n2. C: c\n", "numbering repeats", 5),
            (b"Title\n\nQ1. A?\nA1. a\nQ3. C?\nA3. c\n", "Q3 where Q2 was expected", 5),
            (b"Title\n\n1. Dry skin: a\n2. dry skin: b\n", "listed twice", 4),
            (b"1. Cause: first line is not a title\n", "must be the article's title", 1),
            (b"Just a title\n\nAnd a paragraph.\n", "no numbered causes", None),
            (("T" * 201 + "\n\n1. A: a\n").encode(), "title is 201 characters", 1),
        ],
    )
    def test_refused_with_a_clear_message(self, data, message, line):
        with pytest.raises(ImportFormatError) as caught:
            parse_bytes(data)
        assert message in caught.value.message
        assert caught.value.line == line

    def test_over_the_size_limit(self, settings):
        settings.IMPORT_MAX_BYTES = 100
        with pytest.raises(ImportFormatError, match="limit is 100 bytes"):
            read_text(b"x" * 101)
        assert read_text(b"x" * 100)


def import_files(*paths, **options):
    return call_command("import_article", *map(str, paths), **options)


def snapshot():
    return {
        "articles": sorted(Article.objects.values_list("title", "status")),
        "causes": sorted(Cause.objects.values_list("name", flat=True)),
        "article_causes": sorted(
            ArticleCause.objects.values_list("article__title", "position", "cause__name")
        ),
        "questions": sorted(FAQEntry.objects.values_list("pk", "question", "answer")),
        "links": sorted(RelatedLink.objects.values_list("target_title", "position", "target")),
    }


@pytest.mark.django_db
class TestImportCommand:
    def test_imports_a_draft_with_causes_questions_and_pending_links(self, capsys):
        import_files(SAMPLE)
        article = Article.objects.get()
        assert article.status == Article.Status.DRAFT
        assert article.slug == "why-does-my-toes-twitch"
        assert article.subtitle == "Understanding the Causes and Remedies"
        assert list(article.article_causes.values_list("cause__name", flat=True)) == (SAMPLE_CAUSES)
        assert article.faq_entries.count() == 14
        assert article.faq_intro.startswith("Now, let's address")
        assert [link.target_title for link in article.related_links.all()] == [
            "What Is a Strong Arm Robbery",
            "How to Make Leg Warmers",
            "Why Do My Knees Crack When I Bend Them",
        ]
        assert RelatedLink.objects.pending().count() == 3
        out = capsys.readouterr().out
        assert out.count("\n") == 1
        assert "created 'Why Does My Toes Twitch' as draft; 14 causes (14 new)" in out

    def test_publish(self):
        import_files(EARS, publish=True)
        assert Article.objects.get().is_published

    def test_dry_run_prints_and_writes_nothing(self, capsys):
        import_files(SAMPLE, EARS, dry_run=True)
        assert snapshot() == {
            "articles": [],
            "causes": [],
            "article_causes": [],
            "questions": [],
            "links": [],
        }
        out = capsys.readouterr().out
        assert out.count("would create") == 2

    def test_re_import_updates_without_duplicates(self, capsys):
        import_files(SAMPLE, EARS)
        first = snapshot()
        import_files(SAMPLE, EARS)
        assert snapshot() == first
        assert capsys.readouterr().out.count("updated") == 2

    def test_an_edited_file_updates_the_article(self, tmp_path):
        import_files(EARS)
        edited = tmp_path / "ears.txt"
        text = EARS.read_text().replace("4) Getting older", "4) Age").replace("Q: Does", "Q: Do")
        edited.write_text(text)
        import_files(edited)
        article = Article.objects.get()
        assert article.article_causes.last().cause.name == "Age"
        assert article.faq_entries.last().question == "Do stress make it worse?"

    def test_causes_match_existing_ones_ignoring_case(self):
        existing = make_cause(name="EARWAX BUILD-UP", description="Kept.")
        import_files(EARS)
        article = Article.objects.get()
        assert article.article_causes.get(position=2).cause == existing
        assert Cause.objects.count() == 4
        existing.refresh_from_db()
        assert existing.description == "Kept."

    def test_publishing_is_explicit_even_for_updates(self, capsys):
        import_files(EARS, publish=True)
        import_files(EARS)
        assert Article.objects.get().status == Article.Status.DRAFT
        assert "as draft (was published)" in capsys.readouterr().out

    @pytest.mark.parametrize("order", [(EARS, DIZZY), (DIZZY, EARS)])
    def test_links_resolve_across_imports_in_either_order(self, order):
        for path in order:
            import_files(path)
        ears = Article.objects.get(title="Why do my ears ring?")
        dizzy = Article.objects.get(title="Why do I feel dizzy when I stand up?")
        assert ears.related_links.get(position=1).target == dizzy
        assert dizzy.related_links.get().target == ears
        assert ears.related_links.get(position=2).is_pending  # "ears feel blocked" not written

    def test_a_link_to_itself_is_skipped(self, tmp_path, capsys):
        path = tmp_path / "self.txt"
        path.write_text(MINIMAL + "\nSee also  title\n")
        import_files(path)
        assert not RelatedLink.objects.exists()
        assert "skipped See also 'title'" in capsys.readouterr().out

    def test_one_bad_file_does_not_stop_the_others(self, tmp_path, capsys):
        bad = tmp_path / "bad.txt"
        bad.write_text("Title\n\n1. A: a\n\nQ1. Why?\n")
        missing = tmp_path / "missing.txt"
        with pytest.raises(CommandError, match="2 of 4 files could not be imported"):
            import_files(EARS, bad, missing, DIZZY)
        assert Article.objects.count() == 2
        err = capsys.readouterr().err
        assert f"{bad}, line 5: question Q1 has no answer" in err
        assert f"{missing}: No such file or directory" in err
        assert "Traceback" not in err

    def test_a_failure_while_writing_leaves_nothing_behind(self, monkeypatch):
        def refuse(*args, **kwargs):
            raise IntegrityError("refused")

        monkeypatch.setattr(RelatedLink.objects, "create", refuse)
        with pytest.raises(CommandError):
            import_files(EARS)
        assert snapshot()["articles"] == []
        assert snapshot()["causes"] == []

    def test_an_article_found_by_title_is_updated_not_duplicated(self):
        make_article(title="why do my ears ring?", slug="ears-something-else")
        import_files(EARS)  # found by title: updated, not duplicated
        assert Article.objects.count() == 1
        assert Article.objects.get().slug == "ears-something-else"

    def test_non_utf8_file_from_the_command_line(self, tmp_path, capsys):
        path = tmp_path / "latin1.txt"
        path.write_bytes("Café\n\n1. Thé: Hot.\n".encode("latin-1"))
        with pytest.raises(CommandError):
            import_files(path)
        assert "latin1.txt, line 1: the file is not UTF-8 text" in capsys.readouterr().err

    def test_oversize_file_from_the_command_line(self, tmp_path, settings, capsys):
        settings.IMPORT_MAX_BYTES = 50
        path = tmp_path / "big.txt"
        path.write_text(MINIMAL * 10)
        with pytest.raises(CommandError):
            import_files(path)
        assert "over the limit of 50 bytes" in capsys.readouterr().err
        assert not Article.objects.exists()


@pytest.mark.django_db
class TestExport:
    @pytest.mark.parametrize("path", [SAMPLE, EARS, DIZZY])
    def test_round_trip(self, path, tmp_path):
        import_files(path)
        article = Article.objects.get()
        exported = tmp_path / "export.txt"
        call_command("export_article", article.slug, output=str(exported))
        original = content(parse_bytes(path.read_bytes()))
        again = content(parse_bytes(exported.read_bytes()))
        # Everything but where the See-also lines stood, which the export chooses.
        titles = [link["title"] for link in original.pop("see_also")]
        assert [link["title"] for link in again.pop("see_also")] == titles
        assert again == original

        before = snapshot()
        import_files(exported)
        assert snapshot() == before

    def test_export_to_stdout(self, capsys):
        import_files(EARS)
        capsys.readouterr()
        call_command("export_article", "why-do-my-ears-ring")
        out = capsys.readouterr().out
        assert out.startswith("Why do my ears ring?\n\nWhy do my ears ring?: Common reasons")
        assert "1. Loud noise: A concert" in out
        assert "Q1. Can tinnitus go away on its own?\nA1. Yes." in out

    def test_unknown_slug(self):
        with pytest.raises(CommandError, match="No article has the slug 'nope'"):
            call_command("export_article", "nope")


def content(parsed):
    return {name: _without_lines(value) for name, value in vars(parsed).items()}


def _without_lines(value):
    """Parsed items compared without their line numbers, which an export moves."""
    if isinstance(value, list):
        return [_without_lines(item) for item in value]
    if hasattr(value, "line"):
        return {k: v for k, v in vars(value).items() if k != "line"}
    return value


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Title\n\n1. A: a\n\nA: Because.\n", "the answer ('A: …') has no question before it"),
        ("Title\n\n1. A: a\n\nQ: Why?\n", "the question ('Q: …') has no answer"),
    ],
)
def test_unnumbered_questions_and_answers_are_named_plainly(text, message):
    with pytest.raises(ImportFormatError, match=re.escape(message)):
        parse(text)


@pytest.mark.django_db
def test_summary_counts_read_naturally(tmp_path, capsys):
    path = tmp_path / "one.txt"
    path.write_text("One\n\n1. Only: one.\n\nQ1. Why?\nA1. So.\n\nSee also  Elsewhere\n")
    import_files(path)
    assert "1 cause (1 new); 1 question; 1 See-also link (1 waiting" in capsys.readouterr().out
