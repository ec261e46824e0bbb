from django.conf import settings
from django.views.generic import DetailView, ListView

from .models import Article, Cause


class ArticleListView(ListView):
    paginate_by = settings.ARTICLES_PER_PAGE

    def get_queryset(self):
        return Article.objects.published().for_listing()


class ArticleDetailView(DetailView):
    def get_queryset(self):
        return Article.objects.published().for_detail()


class CauseDetailView(DetailView):
    model = Cause

    def get_context_data(self, **kwargs):
        articles = Article.objects.published().listing_cause(self.object).for_listing()
        return super().get_context_data(articles=articles, **kwargs)
