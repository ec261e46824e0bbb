"""Site search: PostgreSQL full-text search, with a plain fallback on SQLite.

On PostgreSQL each article keeps a weighted `search_vector` (title A; subtitle,
causes and tags B; questions C; everything else D), refreshed whenever the
article or anything it shows is saved (see `articles.changes`), and
searched through a GIN index; results are ranked, snippets highlighted, and a
query that finds nothing gets a "Did you mean" from pg_trgm. On SQLite, where
none of that exists, every word must appear somewhere in the article, and
matches in the title rank first: slower and cruder, but `make run` works.
"""

import difflib
import re
from dataclasses import dataclass, field
from html import unescape

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connection, transaction
from django.db.models import Case, F, Func, IntegerField, Q, TextField, Value, When
from django.db.models.functions import Concat
from django.utils.html import escape
from django.utils.safestring import mark_safe
from taggit.models import Tag

from faq.models import FAQEntry

from .changes import on_articles_changed
from .models import Article, ArticleCause, Cause, TaggedArticle

CONFIG = "english"
MAX_QUERY_LENGTH = 200  # longer queries are cut: nobody types more, and it bounds the cost
WORD = re.compile(r"\w+")
# Private-use characters mark highlights, so the snippet can be escaped first.
MARK_START, MARK_END = "\ue000", "\ue001"

REFRESH_SQL = """
UPDATE articles_article AS a SET search_vector =
    setweight(to_tsvector(%(config)s, a.title), 'A')
 || setweight(to_tsvector(%(config)s, concat_ws(' ', a.subtitle,
        (SELECT string_agg(c.name, ' ') FROM articles_articlecause ac
           JOIN articles_cause c ON c.id = ac.cause_id WHERE ac.article_id = a.id),
        (SELECT string_agg(t.name, ' ') FROM articles_taggedarticle ta
           JOIN taggit_tag t ON t.id = ta.tag_id WHERE ta.content_object_id = a.id))), 'B')
 || setweight(to_tsvector(%(config)s, coalesce(
        (SELECT string_agg(f.question, ' ') FROM faq_faqentry f WHERE f.article_id = a.id),
        '')), 'C')
 || setweight(to_tsvector(%(config)s, concat_ws(' ', a.summary, a.faq_intro, a.conclusion,
        (SELECT string_agg(ac.explanation, ' ') FROM articles_articlecause ac
           WHERE ac.article_id = a.id),
        (SELECT string_agg(f.answer, ' ') FROM faq_faqentry f WHERE f.article_id = a.id))), 'D')
"""


def uses_full_text():
    return connection.vendor == "postgresql"


# -- keeping the index current --------------------------------------------------


def refresh_search_vectors(article_ids=None):
    """Recompute the search vectors of these articles (all of them when None)."""
    if not uses_full_text():
        return
    with connection.cursor() as cursor:
        if article_ids is None:
            cursor.execute(REFRESH_SQL, {"config": CONFIG})
        elif article_ids := [pk for pk in article_ids if pk is not None]:
            cursor.execute(
                REFRESH_SQL + " WHERE a.id = ANY(%(ids)s)", {"config": CONFIG, "ids": article_ids}
            )


# Whenever an article or anything it shows changes (see articles.changes).
on_articles_changed(refresh_search_vectors)


# -- searching -----------------------------------------------------------------


@dataclass
class SearchOutcome:
    query: str
    articles: object = None  # a queryset, to paginate
    questions: list = field(default_factory=list)  # site-wide FAQ entries
    suggestion: str = ""


def clean_query(raw):
    # PostgreSQL refuses NUL characters in text; nothing else needs removing.
    return " ".join(raw.replace("\x00", " ").split())[:MAX_QUERY_LENGTH]


def search(raw_query):
    query = clean_query(raw_query)
    outcome = SearchOutcome(query=query)
    if not WORD.search(query):
        outcome.articles = Article.objects.none()
        return outcome
    if uses_full_text():
        outcome.articles = full_text_matches(query)
        outcome.questions = list(full_text_questions(query))
    else:
        outcome.articles = fallback_matches(query)
        outcome.questions = list(fallback_questions(query))
    if not outcome.questions and not outcome.articles.exists():
        outcome.suggestion = suggest(query)
    return outcome


def _tsquery(query):
    # websearch syntax: quotes, OR and -word work; any other input is just words.
    return SearchQuery(query, search_type="websearch", config=CONFIG)


def full_text_matches(query):
    tsquery = _tsquery(query)
    return (
        Article.objects.published()
        .filter(search_vector=tsquery)
        .annotate(rank=SearchRank(F("search_vector"), tsquery))
        .order_by("-rank", "-publish_at", "-pk")
        .only("title", "slug", "subtitle", "meta_description", "publish_at")
    )


def full_text_questions(query):
    tsquery = _tsquery(query)
    vector = SearchVector("question", weight="A", config=CONFIG) + SearchVector(
        "answer", weight="D", config=CONFIG
    )
    return (
        FAQEntry.objects.site_wide()
        .annotate(vector=vector)
        .filter(vector=tsquery)
        .annotate(rank=SearchRank(F("vector"), tsquery))
        .order_by("-rank", "position")[:10]
    )


def snippets(articles, query):
    """{article id: highlighted HTML snippet} for one page of results."""
    if not articles:
        return {}
    if not uses_full_text():
        return {a.pk: _fallback_snippet(a, query) for a in _with_body(articles)}
    headline = SearchHeadline(
        "body",
        _tsquery(query),
        config=CONFIG,
        start_sel=MARK_START,
        stop_sel=MARK_END,
        max_words=30,
        min_words=12,
        max_fragments=2,
        fragment_delimiter=" … ",
    )
    rows = (
        Article.objects.filter(pk__in=[a.pk for a in articles])
        .annotate(body=_body_expression())
        .annotate(snippet=headline)
        .values_list("pk", "snippet")
    )
    return {pk: _marked(text) for pk, text in rows}


def _body_expression():
    """The introduction and conclusion as readers see them: rendered, tags removed."""
    html = Concat("summary_html", Value(" "), "conclusion_html", output_field=TextField())
    return Func(html, Value("<[^>]+>"), Value(" "), Value("g"), function="regexp_replace")


def _marked(text):
    """Escape everything, then turn the highlight markers into <mark> elements."""
    html = escape(unescape(text)).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    return mark_safe(html)


# -- SQLite fallback -----------------------------------------------------------

SUFFIXES = ("ing", "es", "ed", "s")


def _stem(word):
    """Crude English stemming for the fallback: "twitching" → "twitch"."""
    for suffix in SUFFIXES:
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _terms(query):
    return [_stem(word.lower()) for word in WORD.findall(query)][:10]


def fallback_matches(query):
    articles = Article.objects.published()
    title_hits = Q()
    for term in _terms(query):
        in_article = (
            Q(title__icontains=term)
            | Q(subtitle__icontains=term)
            | Q(summary__icontains=term)
            | Q(conclusion__icontains=term)
            | Q(faq_intro__icontains=term)
            | Q(pk__in=ArticleCause.objects.filter(
                Q(cause__name__icontains=term) | Q(explanation__icontains=term)
            ).values("article_id"))
            | Q(pk__in=FAQEntry.objects.filter(
                Q(question__icontains=term) | Q(answer__icontains=term)
            ).values("article_id"))
            | Q(pk__in=TaggedArticle.objects.filter(tag__name__icontains=term).values(
                "content_object_id"
            ))
        )  # fmt: skip
        articles = articles.filter(in_article)
        title_hits |= Q(title__icontains=term)
    return (
        articles.annotate(
            rank=Case(
                When(title_hits, then=Value(1)), default=Value(0), output_field=IntegerField()
            )
        )
        .order_by("-rank", "-publish_at", "-pk")
        .only("title", "slug", "subtitle", "meta_description", "publish_at")
    )


def fallback_questions(query):
    entries = FAQEntry.objects.site_wide()
    for term in _terms(query):
        entries = entries.filter(Q(question__icontains=term) | Q(answer__icontains=term))
    return entries.order_by("position")[:10]


def _with_body(articles):
    articles = Article.objects.filter(pk__in=[a.pk for a in articles])
    return articles.only("summary_html", "conclusion_html")


def _fallback_snippet(article, query, width=160):
    html = f"{article.summary_html} {article.conclusion_html}"
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())
    lowered, terms = text.lower(), _terms(query)
    first = min((i for i in (lowered.find(t) for t in terms) if i >= 0), default=0)
    start = max(0, first - width // 3)
    excerpt = text[start : start + width]
    pattern = re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)
    marked = pattern.sub(lambda m: f"{MARK_START}{m.group(0)}{MARK_END}", excerpt)
    prefix, suffix = ("… " if start else ""), (" …" if start + width < len(text) else "")
    return _marked(f"{prefix}{marked}{suffix}")


# -- "Did you mean" ------------------------------------------------------------


def suggest(query):
    """A spelling of `query` closer to words the site uses, or "" if none is better."""
    vocabulary = _vocabulary_near(query)
    words = WORD.findall(query.lower())
    corrected = [
        (difflib.get_close_matches(word, vocabulary, n=1, cutoff=0.7) or [word])[0]
        for word in words
    ]
    return " ".join(corrected) if corrected != words else ""


def _vocabulary_near(query, limit=20):
    """Words from titles, causes and tags that look like the query's words."""
    if uses_full_text():
        with transaction.atomic(), connection.cursor() as cursor:
            # The default (0.6) misses one-letter slips in short words ("eylid").
            cursor.execute("SET LOCAL pg_trgm.word_similarity_threshold = 0.3")
            titles = list(
                Article.objects.published()
                .filter(title__trigram_word_similar=query)
                .values_list("title", flat=True)[:limit]
            )
            causes = list(
                Cause.objects.filter(name__trigram_word_similar=query).values_list(
                    "name", flat=True
                )[:limit]
            )
            tags = list(
                Tag.objects.filter(name__trigram_word_similar=query).values_list("name", flat=True)[
                    :limit
                ]
            )
    else:  # small databases only: read the whole vocabulary
        titles = Article.objects.published().values_list("title", flat=True)[:5000]
        causes = Cause.objects.values_list("name", flat=True)[:5000]
        tags = Tag.objects.values_list("name", flat=True)[:5000]
    text = " ".join([*titles, *causes, *tags]).lower()
    return sorted(set(WORD.findall(text)))
