"""Site search: PostgreSQL full-text search, with a plain fallback on SQLite.

On PostgreSQL each article keeps a weighted `search_vector` (title A; subtitle,
causes and tags B; questions C; everything else D) and, in the row, its "head"
`search_head` (the A and B parts), both refreshed whenever the article or anything
it shows is saved (see `articles.changes`) and searched through GIN indexes.
Results come in tiers, each newest first: every word in the title, then in the
head, then anywhere (`RankedMatches`); at most RESULTS_CAP are counted and listed
("1,000+"), so that a page costs about the same however many articles match.
Snippets are highlighted, and a query that finds nothing gets a "Did you mean"
from pg_trgm. On SQLite, where none of that exists, every word must appear
somewhere in the article, and matches in the title rank first: slower and
cruder, but `make run` works.
"""

import difflib
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from html import unescape

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
    SearchVectorExact,
    SearchVectorField,
)
from django.db import connection, transaction
from django.db.models import (
    Case,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Concat
from django.utils.html import escape
from django.utils.safestring import mark_safe
from taggit.models import Tag

from faq.models import FAQEntry

from .changes import on_articles_changed
from .models import LISTED_FIELDS, Article, ArticleCause, Cause, TaggedArticle

CONFIG = "english"
MAX_QUERY_LENGTH = 200  # longer queries are cut: nobody types more, and it bounds the cost
WORD = re.compile(r"\w+")
# Private-use characters mark highlights, so the snippet can be escaped first.
MARK_START, MARK_END = "\ue000", "\ue001"

# Each list in the order readers see it (tags by name), so that a vector
# rebuilt from the same rows is the same (a restored backup's, say).
# Title A; subtitle, cause names and tag names B: the "head" of an article, kept
# on its own too (`search_head`, small and in the row) to find title and head hits.
HEAD_SQL = """
    setweight(to_tsvector(%(config)s, a.title), 'A')
 || setweight(to_tsvector(%(config)s, concat_ws(' ', a.subtitle,
        (SELECT string_agg(c.name, ' ' ORDER BY ac.position, ac.id) FROM articles_articlecause ac
           JOIN articles_cause c ON c.id = ac.cause_id WHERE ac.article_id = a.id),
        (SELECT string_agg(t.name, ' ' ORDER BY t.name) FROM articles_taggedarticle ta
           JOIN taggit_tag t ON t.id = ta.tag_id WHERE ta.content_object_id = a.id))), 'B')"""

REFRESH_SQL = f"""
UPDATE articles_article AS a SET search_vector = {HEAD_SQL}
 || setweight(to_tsvector(%(config)s, coalesce(
        (SELECT string_agg(f.question, ' ' ORDER BY f.position, f.id) FROM faq_faqentry f
           WHERE f.article_id = a.id),
        '')), 'C')
 || setweight(to_tsvector(%(config)s, concat_ws(' ', a.summary, a.faq_intro, a.conclusion,
        (SELECT string_agg(ac.explanation, ' ' ORDER BY ac.position, ac.id)
           FROM articles_articlecause ac
           WHERE ac.article_id = a.id),
        (SELECT string_agg(f.answer, ' ' ORDER BY f.position, f.id) FROM faq_faqentry f
           WHERE f.article_id = a.id))), 'D'),
    search_head = {HEAD_SQL}
"""
# These articles only, locked in id order, as `healthsite.page_cache` locks
# articles: two batches refreshing the same articles (two topics renamed at
# once) each in the order of its own plan could each hold one the other waits for.
REFRESH_THESE_SQL = f"""{REFRESH_SQL}
  FROM (SELECT id FROM articles_article WHERE id = ANY(%(ids)s) ORDER BY id FOR UPDATE) AS locked
 WHERE a.id = locked.id"""


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
            cursor.execute(REFRESH_THESE_SQL, {"config": CONFIG, "ids": article_ids})
        else:
            return
    if not connection.in_atomic_block:
        # After the change committed (saved outside a transaction, or a batch
        # ending after its transaction), and after its own bump: search pages
        # rendered in between show the old index.
        from healthsite.page_cache import content_changed

        content_changed()


# Whenever an article or anything it shows changes (see articles.changes), but
# not the titles of the articles it pins in See also: those are not indexed,
# and the articles pinning a renamed one are not written (nor locked) for them.
on_articles_changed(refresh_search_vectors, see_also=False)


# -- searching -----------------------------------------------------------------

# Beyond this many matches the page says "1,000+" and has no further pages: counting
# or ordering every match of a common word would read every one of them.
RESULTS_CAP = 1000
# A "-" that websearch syntax may read as "not" ("leg -cramps"); "x-ray" is one word.
NEGATION = re.compile(r"(?:^|\W)-")


@dataclass
class SearchOutcome:
    query: str
    articles: object = None  # Matches, to paginate
    questions: list = field(default_factory=list)  # site-wide FAQ entries
    suggestion: str = ""


def clean_query(raw):
    # PostgreSQL refuses NUL characters in text; nothing else needs removing.
    return " ".join(raw.replace("\x00", " ").split())[:MAX_QUERY_LENGTH]


def search(raw_query):
    query = clean_query(raw_query)
    outcome = SearchOutcome(query=query)
    if not WORD.search(query):
        outcome.articles = QuerySetMatches(Article.objects.none())
        return outcome
    if uses_full_text():
        outcome.articles = full_text_matches(query)
        outcome.questions = list(full_text_questions(query))
    else:
        outcome.articles = fallback_matches(query)
        outcome.questions = list(fallback_questions(query))
    if not outcome.questions and not outcome.articles.exists():  # the (capped) count
        outcome.suggestion = suggest(query)
    return outcome


class Matches:
    """A search's articles as the paginator uses them: counted up to RESULTS_CAP + 1
    (once), and sliced lazily, like a queryset, within the first RESULTS_CAP."""

    model = Article

    def __init__(self):
        self._found = None

    def count(self):
        """How many match, at most RESULTS_CAP (see `capped`)."""
        if self._found is None:
            self._found = self._count_up_to(RESULTS_CAP + 1)
        return min(self._found, RESULTS_CAP)

    @property
    def capped(self):
        """More than RESULTS_CAP match: only the first RESULTS_CAP are listed."""
        return self.count() < self._found

    def exists(self):
        return self.count() > 0

    def __len__(self):
        return self.count()

    def __iter__(self):
        return iter(self[:RESULTS_CAP])

    def __getitem__(self, key):
        if isinstance(key, int):
            if key < 0:
                raise IndexError("Negative indexing is not supported.")
            rows = list(self[key : key + 1])
            if not rows:
                raise IndexError("Beyond the matches.")
            return rows[0]
        if key.step is not None or (key.start or 0) < 0 or (key.stop or 0) < 0:
            raise IndexError("Only slices of positive bounds, without a step, are supported.")
        start = key.start or 0
        stop = RESULTS_CAP if key.stop is None else min(key.stop, RESULTS_CAP)
        return MatchesSlice(self, start, max(start, stop))

    def _count_up_to(self, limit):
        raise NotImplementedError

    def _rows(self, start, stop):
        raise NotImplementedError

    def _explain(self, start, stop, **options):
        raise NotImplementedError


class MatchesSlice:
    """`matches[start:stop]`, read when first used."""

    def __init__(self, matches, start, stop):
        self.matches, self.start, self.stop = matches, start, stop
        self._rows = None

    def _fetch(self):
        if self._rows is None:
            self._rows = self.matches._rows(self.start, self.stop) if self.stop > self.start else []
        return self._rows

    def __iter__(self):
        return iter(self._fetch())

    def __len__(self):
        return len(self._fetch())

    def __getitem__(self, key):
        return self._fetch()[key]

    def explain(self, **options):
        """The plans of the queries reading this slice (for `manage.py bench`)."""
        return self.matches._explain(self.start, self.stop, **options)


class QuerySetMatches(Matches):
    """An ordered queryset, capped: the SQLite fallback, and "nothing to search"."""

    def __init__(self, queryset):
        super().__init__()
        self.queryset = queryset

    def _count_up_to(self, limit):
        return self.queryset.order_by()[:limit].count()  # any `limit` rows will do

    def _rows(self, start, stop):
        return list(self.queryset[start:stop])

    def _explain(self, start, stop, **options):
        return self.queryset[start:stop].explain(**options)


class RankedMatches(Matches):
    """Full-text matches on PostgreSQL, in three tiers, each newest first: the title
    has every word; else the title, subtitle, causes or tags together have them
    (`search_head`); else the article does, somewhere (`search_vector`).

    Counting reads the ids of at most RESULTS_CAP + 1 matches, through the GIN
    indexes. When there are fewer, that is all of them: one query orders them
    (checking only `search_head`, which is in the row). When there are more, each
    tier is one query with a LIMIT and an order an index gives (publish time), so
    PostgreSQL either walks the newest articles until it has enough, when many
    match, or reads the few that match through a GIN index; later tiers run only
    when the earlier ones have too few rows for the page. Either way what a page
    costs stays about the same however many articles match, unlike ranking every
    match with `ts_rank`, which reads each one's whole vector from TOAST.

    A quoted phrase is the exception to "GIN finds the matches": GIN finds articles
    with all its words, and each must then be read, vector and all, to check their
    order. Titles and heads are in the row, so cheap to check, and checked in full;
    the rest of the text only in RESULTS_CAP + 1 articles having the words.
    """

    def __init__(self, query):
        super().__init__()
        self.tsquery = _tsquery(query)
        self.negated = bool(NEGATION.search(query))
        self.phrase = '"' in query and not self.negated
        self.words = _tsquery(query.replace('"', " "))  # the phrase's words, in any order
        self._phrase_hits = None
        self._all_ids = None  # every match's id, when counting found them all

    def _published(self):
        published = Article.objects.published()
        if self.negated:
            # "leg -cramps": a title or head hit may still say "cramps" further down.
            published = published.filter(search_vector=self.tsquery)
        return published

    def _head(self):
        return self._published().filter(search_head=self.tsquery)

    def _everything(self):
        return Article.objects.published().filter(search_vector=self.tsquery)

    # -- counting

    def _count_up_to(self, limit):
        ids = self._ids_up_to(limit)
        self._all_ids = ids if len(ids) < limit else None
        return len(ids)

    def _ids_up_to(self, limit):
        """The ids of `limit` matches (any), or of all of them if fewer. Head hits
        first: they are matches too, and cheap to check, so a common word is settled
        there; the rest of the text is searched only when they fall short."""
        with _gin_only() as cursor:
            if self.phrase:
                cursor.execute(*_ids_sql(self._head(), limit, ordered=False))
                rows = [(pk, True) for (pk,) in cursor.fetchall()]
            else:
                cursor.execute(*self._ids_up_to_sql(limit))
                rows = cursor.fetchall()
        head = {pk for pk, in_head in rows if in_head}
        if len(head) >= limit:
            return head
        return head | set(self._phrase_found()) if self.phrase else {pk for pk, _ in rows}

    def _ids_up_to_sql(self, limit):
        """(id, is a head hit) of head hits up to `limit`, then of all matches up to
        `limit`, but only if the head hits fell short (a one-time filter)."""
        everything, params = _ids_sql(self._everything(), limit, ordered=False)
        everything = f"SELECT matches.*, false FROM ({everything}) AS matches"
        if self.negated:  # a head hit may not match at all: "leg -cramps"
            return everything, params
        head, head_params = _ids_sql(self._head(), limit, ordered=False)
        return (
            f"WITH head AS MATERIALIZED ({head}) SELECT head.*, true FROM head"
            f" UNION ALL {everything} WHERE (SELECT count(*) FROM head) < %s",
            (*head_params, *params, limit),
        )

    # -- the phrase in the text

    def _phrase_sql(self):
        """Which of RESULTS_CAP + 1 articles having the phrase's words have the phrase:
        any of them, not the newest (finding those would read every one)."""
        checked = (
            Article.objects.published()
            .filter(search_vector=self.words)
            .order_by()
            .annotate(hit=SearchVectorExact(F("search_vector"), self.tsquery))
            .values_list("pk", "publish_at", "hit")[: RESULTS_CAP + 1]
        )
        sql, params = checked.query.sql_with_params()
        return f"SELECT pk, publish_at FROM ({sql}) AS checked WHERE hit", params

    def _phrase_found(self):
        """The ids `_phrase_sql()` finds, newest first (read once)."""
        if self._phrase_hits is None:
            with _gin_only() as cursor:
                cursor.execute(*self._phrase_sql())
                rows = sorted(cursor.fetchall(), key=lambda row: (row[1], row[0]), reverse=True)
            self._phrase_hits = [pk for pk, _ in rows]
        return self._phrase_hits

    # -- a page

    def _rows(self, start, stop):
        if self._all_ids is not None:
            return list(self._ordered(self._all_ids)[start:stop])
        ids = self._ids(stop)[start:stop]
        if not ids:
            return []
        articles = Article.objects.only(*LISTED_FIELDS).in_bulk(ids)
        return [articles[pk] for pk in ids if pk in articles]

    def _ordered(self, ids):
        """These matching articles, in the tiers' order."""
        tier = Case(
            When(title_vector=self.tsquery, then=Value(0)),
            When(search_head=self.tsquery, then=Value(1)),
            default=Value(2),
        )
        return (
            Article.objects.filter(pk__in=ids)
            .alias(title_vector=title_vector())
            .alias(tier=tier)
            .order_by("tier", "-publish_at", "-pk")
            .only(*LISTED_FIELDS)
        )

    def _tiers(self, stop):
        """Each tier's first `stop` ids, newest first: (sql, params), or the ids."""
        titles = self._published().alias(title_vector=title_vector())
        yield _ids_sql(titles.filter(title_vector=self.tsquery), stop)
        yield _ids_sql(self._head(), stop)
        yield self._phrase_found()[:stop] if self.phrase else _ids_sql(self._everything(), stop)

    def _ids(self, stop, plans=None, **options):
        """The ids of the first `stop` matches, tier by tier (maybe a few more)."""
        ids = []
        with connection.cursor() as cursor:
            for tier, rows in enumerate(self._tiers(stop), 1):
                if len(ids) >= stop:
                    break
                if isinstance(rows, tuple):  # (sql, params)
                    if plans is not None:
                        plans += [f"-- tier {tier} of 3:", _plan(cursor, *rows, **options)]
                    cursor.execute(*rows)
                    rows = [pk for (pk,) in cursor.fetchall()]
                # The first `stop` rows of a tier hold at least `stop - len(ids)` new ones.
                seen = set(ids)
                ids.extend(pk for pk in rows if pk not in seen)
        return ids

    def _explain(self, start, stop, **options):
        limit = RESULTS_CAP + 1
        with _gin_only() as cursor:
            if self.phrase:
                head = _plan(cursor, *_ids_sql(self._head(), limit, ordered=False), **options)
                text = _plan(cursor, *self._phrase_sql(), **options)
                plans = [f"-- head hits, up to {limit}:", head, "-- the phrase in the text:", text]
            else:
                count = _plan(cursor, *self._ids_up_to_sql(limit), **options)
                plans = [f"-- matches, up to {limit}:", count]
        if self.count() and self._all_ids is not None:
            ordered = self._ordered(self._all_ids)[start:stop].explain(**options)
            return "\n".join([*plans, f"-- all {self.count()}, ordered:", ordered])
        self._ids(stop, plans, **options)
        return "\n".join(plans)


@contextmanager
def _gin_only():
    """A cursor with which PostgreSQL finds matches through GIN indexes only, not by
    scanning the table (or walking an index) and checking every vector on the way:
    the planner takes that check as nearly free, but each vector is read from TOAST
    first. Counting 1,001 matches of "feel warm" that way took 68 ms; through the
    GIN index, reading only the rows it finds, 10 ms."""
    outer = connection.in_atomic_block
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(f"SELECT {_SETTINGS}, {_SET}", ["off", "off"])
        settings = cursor.fetchone()[:2]
        yield cursor
        if outer:  # set_config(…, true) lasts to the end of the outer transaction
            cursor.execute(f"SELECT {_SET}", settings)


_SETTINGS = "current_setting('enable_seqscan'), current_setting('enable_indexscan')"
_SET = "set_config('enable_seqscan', %s, true), set_config('enable_indexscan', %s, true)"


def _ids_sql(queryset, limit, ordered=True):
    """(sql, params) of the ids of `queryset`, up to `limit`, newest first if `ordered`."""
    queryset = queryset.order_by("-publish_at", "-pk") if ordered else queryset.order_by()
    return queryset.values_list("pk")[:limit].query.sql_with_params()


def _plan(cursor, sql, params, **options):
    cursor.execute(f"{connection.ops.explain_query_prefix(**options)} {sql}", params)
    return "\n".join(row[0] for row in cursor.fetchall())


def title_vector():
    """The title's part (weight A) of `search_head`: the expression of the GIN index
    article_search_title_gin (migration 0009), exactly, so PostgreSQL can use it."""
    return Func(
        F("search_head"), Value("{a}"), function="ts_filter", output_field=SearchVectorField()
    )


def _tsquery(query):
    # websearch syntax: quotes, OR and -word work; any other input is just words.
    return SearchQuery(query, search_type="websearch", config=CONFIG)


def full_text_matches(query):
    return RankedMatches(query)


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
    ranked = articles.annotate(
        rank=Case(When(title_hits, then=Value(1)), default=Value(0), output_field=IntegerField())
    )
    return QuerySetMatches(ranked.order_by("-rank", "-publish_at", "-pk").only(*LISTED_FIELDS))


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
                _causes_readers_see()
                .filter(name__trigram_word_similar=query)
                .values_list("name", flat=True)[:limit]
            )
            tags = list(
                _tags_readers_see()
                .filter(name__trigram_word_similar=query)
                .values_list("name", flat=True)[:limit]
            )
    else:  # small databases only: read the whole vocabulary
        titles = Article.objects.published().values_list("title", flat=True)[:5000]
        causes = _causes_readers_see().values_list("name", flat=True)[:5000]
        tags = _tags_readers_see().values_list("name", flat=True)[:5000]
    text = " ".join([*titles, *causes, *tags]).lower()
    return sorted(set(WORD.findall(text)))


def _causes_readers_see():
    """Causes a published article lists: a draft's would suggest a word that
    finds nothing (and tell what is being written)."""
    listed = ArticleCause.objects.published().filter(cause=OuterRef("pk"))
    return _with_a_first(Cause.objects.all(), listed)


def _tags_readers_see():
    """Topics of published articles."""
    tagged = TaggedArticle.objects.published().filter(tag=OuterRef("pk"))
    return _with_a_first(Tag.objects.all(), tagged)


def _with_a_first(things, rows):
    """`things` with at least one of `rows`, found as the first of them in the
    index of published rows, as the sitemap finds causes: not EXISTS, which
    PostgreSQL may make a join reading every row of every thing."""
    first = Subquery(rows.order_by().values("pk")[:1])
    return things.alias(first_row=first).filter(first_row__isnull=False)
