from django.views.generic import ListView

from .models import FAQEntry, group_by_topic


class SiteFAQView(ListView):
    template_name = "faq/faq_list.html"
    context_object_name = "entries"

    def get_queryset(self):
        return FAQEntry.objects.site_wide().prefetch_related("tags")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        return context | {"groups": group_by_topic(context["entries"])}
