from django.contrib import admin

from articles.admin import ArticleChooserMixin, TagListMixin
from healthsite.pagination import IndexedPaginator

from .models import FAQEntry


@admin.register(FAQEntry)
class FAQEntryAdmin(ArticleChooserMixin, TagListMixin, admin.ModelAdmin):
    list_display = ["question", "article", "position", "tag_list"]
    list_filter = [("article", admin.EmptyFieldListFilter), "tags"]
    list_select_related = ["article"]
    search_fields = ["question", "answer", "tags__name", "article__title"]
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
    autocomplete_fields = ["article"]
    fields = ["question", "answer", "article", "position", "tags"]
