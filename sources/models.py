import uuid
from urllib.parse import quote

import reversion
from django.core.validators import RegexValidator, URLValidator
from django.db import models
from django.db.models import Q

from articles.models import Article, Cause, renew_edit_token
from articles.ordering import position_validators

# Crossref's shape for a DOI: "10.", a registrant code of 4 to 9 digits, "/", a suffix.
doi_validator = RegexValidator(
    r"^10\.[0-9]{4,9}/\S+$",
    "Enter the DOI itself, like 10.1000/xyz123, without “https://doi.org/” or “doi:”.",
)
pmid_validator = RegexValidator(r"^[0-9]+$", "A PubMed ID is digits only, like 31452104.")

# What `Source.is_broken` says in SQL: checked, and the check failed.
BROKEN = Q(last_checked__isnull=False) & (~Q(last_error="") | Q(last_status__gte=400))


class SourceQuerySet(models.QuerySet):
    def broken(self):
        """Sources whose last check failed: a network error or an HTTP error status."""
        return self.filter(BROKEN)

    def ok(self):
        return self.filter(last_checked__isnull=False).exclude(BROKEN)

    def unchecked(self):
        return self.filter(last_checked__isnull=True)


class Source(models.Model):
    """A cited publication or web page; one row per URL, so each is checked once."""

    title = models.CharField(
        max_length=300, help_text="The title of the page, paper or guideline, as published."
    )
    publisher = models.CharField(
        max_length=200,
        help_text="Who published it: an organisation (NHS, NICE) or a journal (The BMJ).",
    )
    url = models.URLField(
        "URL",
        max_length=500,
        unique=True,
        # The link checker fetches these: web addresses only, never file: or ftp:.
        validators=[URLValidator(schemes=["http", "https"])],
        help_text="The address readers follow. One source per address: "
        "if it is already here, choose it rather than adding it again.",
    )
    doi = models.CharField(
        "DOI",
        max_length=200,
        blank=True,
        validators=[doi_validator],
        help_text="For journal articles: the DOI, like 10.1136/bmj.m1234. Optional.",
    )
    pmid = models.CharField(
        "PubMed ID",
        max_length=10,
        blank=True,
        validators=[pmid_validator],
        help_text="For papers indexed in PubMed: the PMID, digits only. Optional.",
    )
    accessed = models.DateField(
        "date accessed", help_text="When an editor last read it to check what it says."
    )
    last_checked = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When the link checker last ran on it."
    )
    last_status = models.PositiveSmallIntegerField(
        "last HTTP status",
        null=True,
        blank=True,
        editable=False,
        help_text="The answer at the last check: 200 is fine; 404 means the page has gone.",
    )
    last_error = models.CharField(
        max_length=200,
        blank=True,
        editable=False,
        help_text="Why the last check failed when no page answered, e.g. “timed out”.",
    )
    final_url = models.URLField(
        "final URL",
        max_length=500,
        blank=True,
        editable=False,
        help_text="Where the address led at the last check, after any redirects. "
        "If it differs, consider citing it instead.",
    )

    # Renewed on every save (not the link checker's): a form opened before is
    # refused, as an article's or a cause's (`articles.admin_forms.EditTokenForm`).
    edit_token = models.UUIDField(default=uuid.uuid4, editable=False)

    objects = SourceQuerySet.as_manager()

    class Meta:
        ordering = ["publisher", "title"]

    def __str__(self):
        return f"{self.publisher}: {self.title}"

    def save(self, *args, **kwargs):
        renew_edit_token(self, kwargs)
        super().save(*args, **kwargs)

    @property
    def is_broken(self):
        """The per-object twin of `Source.objects.broken()`."""
        return self.last_checked is not None and (
            bool(self.last_error) or (self.last_status or 0) >= 400
        )

    @property
    def doi_url(self):
        return f"https://doi.org/{quote(self.doi, safe='/')}" if self.doi else ""

    @property
    def pubmed_url(self):
        return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/" if self.pmid else ""


class ArticleSource(models.Model):
    """One numbered entry in an article's references."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="article_sources")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="article_links")
    position = models.PositiveSmallIntegerField(
        validators=position_validators, help_text="Order in the list; left blank, it goes last."
    )

    class Meta:
        ordering = ["position"]
        verbose_name = "article reference"
        constraints = [
            models.UniqueConstraint(
                fields=["article", "position"],
                name="articlesource_unique_position",
                violation_error_message="Two references cannot share a position in one article.",
            ),
            models.UniqueConstraint(
                fields=["article", "source"],
                name="articlesource_unique_source",
                violation_error_message="This source is already cited in the article.",
            ),
        ]

    def __str__(self):
        return f"{self.position}. {self.source}"


class CauseSource(models.Model):
    """A source cited for a cause in general, on the cause's own page."""

    cause = models.ForeignKey(Cause, on_delete=models.CASCADE, related_name="cause_sources")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="cause_links")

    class Meta:
        ordering = ["pk"]
        verbose_name = "cause reference"
        constraints = [
            models.UniqueConstraint(
                fields=["cause", "source"],
                name="causesource_unique_source",
                violation_error_message="This source is already cited for the cause.",
            ),
        ]

    def __str__(self):
        return str(self.source)


reversion.register(ArticleSource)
reversion.register(CauseSource)
