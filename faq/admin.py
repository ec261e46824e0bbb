import uuid

import reversion
from django import forms
from django.contrib import admin
from django.db import transaction
from django.db.models import Max

from articles.admin import ArticleChooserMixin, TagListMixin
from articles.models import Article
from articles.ordering import MAX_POSITION
from healthsite.admin_autocomplete import ChosenAutocompleteMixin
from healthsite.admin_search import IndexedSearchMixin
from healthsite.pagination import IndexedPaginator

from .models import FAQEntry, TaggedFAQEntry


class FAQEntryForm(forms.ModelForm):
    """A question's own form: as in the article's, a blank position goes last
    (it was required here, though the field's help said so)."""

    class Meta:
        model = FAQEntry
        fields = ["question", "answer", "article", "position", "tags"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"].required = False

    def clean(self):
        cleaned_data = super().clean()
        if cleaned_data.get("position") is None and "article" not in self.errors:
            others = FAQEntry.objects.filter(article=cleaned_data.get("article"))
            if self.instance.pk:
                others = others.exclude(pk=self.instance.pk)
            last = others.aggregate(last=Max("position"))["last"] or 0
            if last >= MAX_POSITION:
                self.add_error("position", f"Positions go up to {MAX_POSITION}: give one.")
            else:
                cleaned_data["position"] = last + 1
        return cleaned_data


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
    form = FAQEntryForm
    fields = ["question", "answer", "article", "position", "tags"]

    # A question of an article changed here is a change to that article: its
    # edit forms open elsewhere are out of date (one saved after would write
    # the question back as it was, unseen), and its history says who changed
    # what (a sign-off names the revision holding what it signed).

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)  # its tags: in the revision too
        if change and not form.has_changed():
            return  # saved as it was: the article's open forms are still right
        articles = {form.instance.article_id, form.initial.get("article") if change else None}
        verb = "changed" if change else "added"
        _recorded_in(
            articles, request.user, f"Question “{form.instance}” {verb} in the questions' list."
        )

    def delete_model(self, request, obj):
        with transaction.atomic():
            super().delete_model(request, obj)
            _recorded_in(
                {obj.article_id}, request.user, f"Question “{obj}” deleted in the questions' list."
            )

    def delete_queryset(self, request, queryset):
        # Tokens only: a revision of each article (up to 900) took 43 s for 900
        # questions at 100,000 articles, past the server's timeout.
        with transaction.atomic():
            articles = set(queryset.values_list("article_id", flat=True))
            super().delete_queryset(request, queryset)
            Article.objects.filter(pk__in=articles - {None}).update(edit_token=uuid.uuid4())

    def search_elsewhere(self, word):
        titled = Article.objects.filter(title__icontains=word)
        tagged = TaggedFAQEntry.objects.filter(tag__name__icontains=word)
        return {
            "article__in": titled.values_list("pk", flat=True),
            "pk__in": tagged.values_list("content_object_id", flat=True),
        }


def _recorded_in(article_ids, user, comment):
    """A revision of each of these articles, credited to `user`, and their edit
    tokens renewed (`ArticleAdminForm` refuses a form loaded before)."""
    articles = Article.objects.filter(pk__in={pk for pk in article_ids if pk is not None})
    articles.update(edit_token=uuid.uuid4())
    with reversion.create_revision():
        reversion.set_user(user)
        reversion.set_comment(comment)
        for article in articles:
            reversion.add_to_revision(article)
