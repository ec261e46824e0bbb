from django.views.generic import ListView

from articles.integrity import unlink_broken

from .models import FAQEntry, group_by_topic


class SiteFAQView(ListView):
    template_name = "faq/faq_list.html"
    context_object_name = "entries"

    def get_queryset(self):
        return FAQEntry.objects.site_wide().prefetch_related("tags")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entries = list(context["entries"])
        # Readers never follow a link to a missing or unpublished page (as on an
        # article's): for this page only, nothing is saved.
        answers = unlink_broken([entry.answer_html for entry in entries])
        for entry, html in zip(entries, answers, strict=True):
            entry.answer_html = html
        return context | {"entries": entries, "groups": group_by_topic(entries)}
