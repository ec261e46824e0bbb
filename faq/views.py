from django.views.generic import ListView

from .models import FAQEntry


class SiteFAQView(ListView):
    template_name = "faq/faq_list.html"
    context_object_name = "entries"

    def get_queryset(self):
        return FAQEntry.objects.site_wide()
