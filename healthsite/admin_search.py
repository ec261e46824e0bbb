"""Admin search that the database's indexes can answer.

Django's admin search keeps the rows that hold every word in any of the
`search_fields`: for each word, an OR of `icontains` over the fields, with the
related tables (tags, an article) joined in, and then a DISTINCT or an EXISTS
against the duplicates the joins make. No index serves such an OR, so
PostgreSQL reads every row: 1 to 2 s a search over the million questions of
the benchmark, however rare the word.

Here each word is an OR over the model's own columns, as Django's, but what
matches in other tables (tag names, an article's title) is looked up first,
and comes in as a list of ids (`article_id IN (…)`, `id IN (…)`). The OR then
names only columns of one table, each with an index (a trigram index on
`UPPER(column)` for text, as `icontains` is `UPPER(column) LIKE UPPER(%s)`;
see the migrations that make them), so PostgreSQL combines the indexes for a
rare word (a BitmapOr), and reads the table once for a common one, by its
own estimate. A lookup that finds more than `SEARCH_IDS_LIMIT` ids stays a
subquery: that word is common, and the table is read anyway.

The rows found are the same as Django's, each once, so no DISTINCT is needed.
They are counted up to `CappedIndexedPaginator.cap`: past it, the editor is
told that there are more, and adds a word.
"""

from itertools import islice

from django.contrib import messages
from django.contrib.admin.views.main import SEARCH_VAR
from django.db import connections
from django.db.models import Q
from django.utils.text import smart_split, unescape_string_literal

from .admin_site import chosen_rows
from .pagination import CappedIndexedPaginator

SEARCH_IDS_LIMIT = 10_000
# Words of one search beyond these are not searched for: a query of about a
# thousand words (pasted text) was past what SQLite takes ("Expression tree is
# too large", a 500), and no one looks for 33 words at once.
SEARCH_WORDS_LIMIT = 32


def search_words(search_term):
    """The words of a search, as Django's admin splits them ("quoted words" kept
    together), up to `SEARCH_WORDS_LIMIT`."""
    for word in islice(smart_split(search_term), SEARCH_WORDS_LIMIT):
        if word[0] in "\"'" and word[-1] == word[0]:
            word = unescape_string_literal(word)
        yield word


class IndexedSearchMixin:
    """`search_fields` are the model's own text columns; `search_elsewhere`
    looks the word up in other tables."""

    def get_search_results(self, request, queryset, search_term):
        # Lists of ids take at most half the parameters a query may have (SQLite's
        # limit), whatever the number of words: the rest is for the rest of the query.
        most = connections[queryset.db].features.max_query_params
        room = most // 2 if most else None
        for word in search_words(search_term):
            found = Q()
            for name in self.search_fields:
                found |= Q(**{f"{name}__icontains": word})
            for lookup, ids in self.search_elsewhere(word).items():
                listed = list(ids.order_by()[: SEARCH_IDS_LIMIT + 1])
                if len(listed) <= SEARCH_IDS_LIMIT and (room is None or len(listed) <= room):
                    found |= Q(**{lookup: listed})
                    room = None if room is None else room - len(listed)
                else:
                    found |= Q(**{lookup: ids})
            queryset = queryset.filter(found)
        return queryset, False  # each row once: no DISTINCT needed

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        if request.GET.get(SEARCH_VAR, "").strip():
            return CappedIndexedPaginator(queryset, per_page, orphans, allow_empty_first_page)
        return super().get_paginator(request, queryset, per_page, orphans, allow_empty_first_page)

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if getattr(changelist and changelist.paginator, "more_than_counted", False):
            cap, rows = changelist.paginator.cap, self.model._meta.verbose_name_plural
            message = (
                f"More than {cap:,} {rows} match: the first {cap:,} are listed. "
                "Add a word to narrow the search."
            )
            self.message_user(request, message, messages.INFO)
        return response

    def response_action(self, request, queryset):
        """An action on "all" of a search's matches, when more matched than it
        counted, is refused: Django offered "Select all 1,000" and then changed
        every match. As when nothing is ticked, nothing changes."""
        if request.GET.get(SEARCH_VAR, "").strip():
            counted = CappedIndexedPaginator(
                chosen_rows(self, request, queryset), self.list_per_page
            )
            if counted.more_than_counted:
                rows = self.model._meta.verbose_name_plural
                message = (
                    f"More than {counted.cap:,} {rows} match this search, more than were "
                    "listed: no items have been changed. Tick the rows to change, or add a "
                    "word to narrow the search."
                )
                self.message_user(request, message, messages.WARNING)
                return None  # Django's changelist_view redirects back to the list
        return super().response_action(request, queryset)

    def search_elsewhere(self, word):
        """{lookup: a flat `values_list` of ids} for the rows matching `word` outside
        the model's own columns, e.g. {"pk__in": ids of rows with a tag that matches}."""
        return {}
