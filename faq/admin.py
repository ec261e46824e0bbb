from django.contrib import admin

from articles.admin import ArticleChooserMixin, TagListMixin
from articles.models import Article
from healthsite.admin_autocomplete import ChosenAutocompleteMixin
from healthsite.admin_search import IndexedSearchMixin
from healthsite.pagination import IndexedPaginator

from .models import FAQEntry, TaggedFAQEntry


@admin.register(FAQEntry)
class FAQEntryAdmin(
    ArticleChooserMixin,
    ChosenAutocompleteMixin,
    IndexedSearchMixin,
    TagListMixin,
    admin.ModelAdmin,
):
    list_display = ["question", "article", "position", "tag_list"]
    list_filter = [("article", admin.EmptyFieldListFilter), "tags"]
    list_select_related = ["article"]
    # And tag names and the article's title: see search_elsewhere. One word
    # in 1,000,000 questions took 1 to 2 s (every row read).
    search_fields = ["question", "answer"]
    # Newest first, along the primary key: ordered by position (the model's
    # order), the list sorted every question of every article (1 s at 100,000
    # articles).
    ordering = ["-pk"]
    # A page far down reads its ids from the primary key's index, not every row
    # before it: the last of 10,000 pages took 6 to 7 s at 1,000,000 questions.
    paginator = IndexedPaginator
    # Counted once a page, not twice: Django also counts every question for the
    # "(N total)" beside a filtered list (80 to 150 ms at 1,000,000 questions).
    show_full_result_count = False
    # The most questions one action takes (healthsite.admin_site): deleting
    # one locks its article and empties cached pages, about 10 ms a question
    # at 1,000,000 of them; "Select all" of a long filtered list ran past the
    # server's 30 s timeout. Below Django's 1,000 fields a request may send:
    # the delete confirmation sends one a question, and three more.
    action_limit = 900
    autocomplete_fields = ["article"]
    fields = ["question", "answer", "article", "position", "tags"]

    def search_elsewhere(self, word):
        titled = Article.objects.filter(title__icontains=word)
        tagged = TaggedFAQEntry.objects.filter(tag__name__icontains=word)
        return {
            "article__in": titled.values_list("pk", flat=True),
            "pk__in": tagged.values_list("content_object_id", flat=True),
        }
