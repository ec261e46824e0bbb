from django.contrib import admin

from articles.admin import TagListMixin

from .models import FAQEntry


@admin.register(FAQEntry)
class FAQEntryAdmin(TagListMixin, admin.ModelAdmin):
    list_display = ["question", "article", "position", "tag_list"]
    list_filter = [("article", admin.EmptyFieldListFilter), "tags"]
    list_select_related = ["article"]
    search_fields = ["question", "answer", "tags__name", "article__title"]
    autocomplete_fields = ["article"]
    fields = ["question", "answer", "article", "position", "tags"]
