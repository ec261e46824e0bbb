"""Staff previews: an article as readers will see it, before they can.

GET shows the saved article in any status. POST shows the unsaved changes
posted from the admin change (or add) form, validated by the admin itself and
built in memory, so nothing is written. Anyone else gets a 404, so these URLs
do not even reveal which articles exist.
"""

import dataclasses
from operator import attrgetter

from django.conf import settings
from django.contrib import admin
from django.db import transaction
from django.forms.formsets import DELETION_FIELD_NAME, all_valid
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.text import capfirst
from django.views import View
from django.views.decorators.cache import never_cache
from taggit.models import Tag

from faq.models import FAQEntry
from sources.models import ArticleSource

from .models import Article, ArticleCause, RelatedLink
from .page import ArticleContent, article_page_context

# An unsaved article may have no slug yet; its URL only feeds the structured data.
PLACEHOLDER_SLUG = "preview"


def can_preview(user):
    return user.is_active and user.is_staff and user.has_perm("articles.view_article")


@method_decorator(never_cache, name="dispatch")
class ArticlePreviewView(View):
    http_method_names = ["get", "post"]

    def dispatch(self, request, *args, **kwargs):
        # A 404, not a redirect to log in: nothing here is public, not even its existence.
        if not can_preview(request.user):
            raise Http404
        response = super().dispatch(request, *args, **kwargs)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    def get(self, request, pk=None):
        if pk is None:
            return HttpResponseNotAllowed(["POST"])
        article = get_object_or_404(Article.objects.for_detail(), pk=pk)
        return self.render_article(ArticleContent.from_saved(article))

    def post(self, request, pk=None):
        # Validating and rendering write nothing; the rollback guards against
        # anything (a signal, a future field) that would.
        with transaction.atomic():
            try:
                return self.preview_changes(pk)
            finally:
                transaction.set_rollback(True)

    def preview_changes(self, pk):
        request = self.request
        saved = saved_content(pk)
        obj, change = saved.article, saved.article is not None
        model_admin = admin.site.get_model_admin(Article)
        form_class = model_admin.get_form(request, obj, change=change)
        form = form_class(request.POST, request.FILES, instance=obj)
        # `_create_formsets` is private, but it is how the admin's own change view
        # builds its inlines (permissions, prefixes, view-only rows); stable for years.
        formsets, _ = model_admin._create_formsets(request, form.instance, change=change)
        form_valid = form.is_valid()  # first: the inlines validate against the changed article
        if not (all_valid(formsets) and form_valid):
            context = {"errors": error_messages(form, formsets), "preview": True}
            return render(request, "articles/preview_errors.html", context)
        by_model = {formset.model: formset for formset in formsets}
        return self.render_article(unsaved_content(form, by_model, saved))

    def render_article(self, content):
        context = article_page_context(content, self.request) | {"preview": True}
        return render(self.request, "articles/article_detail.html", context)


def saved_content(pk):
    """The saved article's page content; empty for a new article (`pk` None)."""
    if pk is None:
        return ArticleContent(article=None, causes=[], questions=[], tags=[], pinned=[])
    return ArticleContent.from_saved(get_object_or_404(Article.objects.for_detail(), pk=pk))


def unsaved_content(form, formsets, saved):
    """The page as saving `form` and its inline `formsets` (by model) would make it.

    What the editor's form does not hold (an inline they may not see, or every
    field of a view-only form) keeps its saved value, so it stays as in `saved`.
    """
    article = form.instance
    article.render_markdown()
    article.slug = article.slug or PLACEHOLDER_SLUG
    if article.publish_at is None:
        article.publish_at = timezone.now()
    content = dataclasses.replace(saved, article=article)
    if ArticleCause in formsets:
        content.causes = kept_rows(formsets[ArticleCause])
    if FAQEntry in formsets:
        content.questions = kept_rows(formsets[FAQEntry])
    if RelatedLink in formsets:
        content.pinned = [
            target.pk for target in visible_targets(kept_rows(formsets[RelatedLink]), article)
        ]
    if ArticleSource in formsets:
        content.sources = [cited.source for cited in kept_rows(formsets[ArticleSource])]
    if "tags" in form.cleaned_data:
        content.tags = tags_named(form.cleaned_data["tags"])
    for row in (*content.causes, *content.questions):
        row.render_markdown()
    return content


def kept_rows(formset):
    """The rows saving `formset` would keep: filled-in forms not marked for deletion, in order."""
    rows = [
        form.instance
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get(DELETION_FIELD_NAME)
    ]
    return sorted(rows, key=attrgetter("position"))


def tags_named(names):
    """Existing tags matched as taggit matches them; new ones unsaved."""
    lookup = "name__iexact" if getattr(settings, "TAGGIT_CASE_INSENSITIVE", False) else "name"
    tags = []
    for name in names:
        tag = Tag.objects.filter(**{lookup: name}).first()
        if tag is None:
            tag = Tag(name=name)
            tag.slug = tag.slugify(name)  # never empty: see articles.topics.slugify_tag
        tags.append(tag)
    return tags


def visible_targets(links, article):
    """The articles the See-also `links` would point to, where readers may follow them.

    A link without a chosen target resolves by title when saved (`RelatedLink.save`).
    """
    targets = []
    for link in links:
        target = link.target or (
            Article.objects.filter(title__iexact=link.target_title).exclude(pk=article.pk).first()
        )
        if target is not None and target.is_published:
            targets.append(target)
    return targets


def error_messages(form, formsets):
    """Every validation error, each saying where it is, for the editor to correct."""
    messages = list(field_errors(form))
    for formset in formsets:
        section = capfirst(formset.model._meta.verbose_name_plural)
        messages += [f"{section}: {error}" for error in formset.non_form_errors()]
        for number, row in enumerate(formset.forms, start=1):
            messages += field_errors(row, where=f"{section}, row {number}")
    return messages


def field_errors(form, where=None):
    for name, errors in form.errors.items():
        field = form.fields.get(name)  # None for errors about the whole form
        place = ", ".join(filter(None, [where, field and field.label]))
        for error in errors:
            yield f"{place}: {error}" if place else error
