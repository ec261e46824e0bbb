"""Medical sign-off: a reviewer approves one revision of an article's content.

A sign-off records the reversion `Version` signed and a fingerprint of the
reader-visible content at that moment (`reviews.fingerprint`). The article is
signed off while its current content still has that fingerprint: any change
readers could see clears it, bookkeeping (status, review dates) does not, and
undoing a change restores it.
"""

from dataclasses import dataclass

import reversion
from django.conf import settings
from django.db import models, transaction
from django.db.models import Exists, F, Max, OuterRef
from django.utils import timezone
from reversion.models import Version

from articles.models import Article

from .fingerprint import content_fingerprint, content_fingerprints


class ReviewerProfile(models.Model):
    """How a medical reviewer is named to readers, on the page and in its structured data."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviewer_profile"
    )
    display_name = models.CharField(
        max_length=150, help_text='The name readers see, with any title: "Dr Asha Patel".'
    )
    credentials = models.CharField(
        max_length=150,
        blank=True,
        help_text='Qualifications shown after the name, e.g. "MBBS, MRCGP".',
    )
    profession = models.CharField(
        max_length=150, blank=True, help_text='For search engines, e.g. "General practitioner".'
    )

    class Meta:
        ordering = ["display_name"]

    def __str__(self):
        return self.public_name

    @property
    def public_name(self):
        return ", ".join(filter(None, [self.display_name, self.credentials]))


def public_name(user):
    """A reviewer as readers see them: from their profile, else from their account."""
    profile = getattr(user, "reviewer_profile", None)
    if profile is not None:
        return profile.public_name
    return user.get_full_name() or user.get_username()


class SignOffQuerySet(models.QuerySet):
    def for_display(self):
        return self.select_related("reviewer__reviewer_profile")


class SignOff(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="sign_offs")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sign_offs"
    )
    version = models.ForeignKey(
        Version,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The revision signed off.",
    )
    fingerprint = models.CharField(
        max_length=64, help_text="sha256 of the reader-visible content signed off."
    )
    signed_at = models.DateTimeField(auto_now_add=True)

    objects = SignOffQuerySet.as_manager()

    class Meta:
        ordering = ["-signed_at", "-pk"]
        indexes = [
            models.Index(fields=["article", "-signed_at"], name="signoff_article_latest_idx")
        ]

    def __str__(self):
        return f"{self.article} signed off by {self.reviewer_name}"

    @property
    def reviewer_name(self):
        return public_name(self.reviewer)

    @property
    def reviewer_profile(self):
        return getattr(self.reviewer, "reviewer_profile", None)


class ArticleReviewState(models.Model):
    """An article's current and signed-off fingerprints, for lists, filters and counts.

    `is_signed_off` answers for one article by fingerprinting it afresh (a few
    small queries). Lists, the sign-off filter, the dashboard and the admin
    index ask for many articles at once, so they compare two stored columns
    of one row instead. A row exists only for articles signed off at least
    once (an article never signed off needs no fingerprint to be "awaiting
    sign-off"). `reviews.receivers` refreshes `content_fingerprint` whenever
    anything it covers is saved or deleted; `record_sign_off` sets both.
    """

    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, primary_key=True, related_name="review_state"
    )
    content_fingerprint = models.CharField(max_length=64)
    signed_off_fingerprint = models.CharField(
        max_length=64, default="", help_text="The fingerprint of the latest sign-off."
    )

    def __str__(self):
        return f"Review state of {self.article_id}"


@dataclass
class SignOffState:
    latest: SignOff | None
    current: bool  # the latest sign-off covers the content as it is now
    fingerprint: str = ""  # of the content as it is now (`content_fingerprint`)


def latest_sign_off(article):
    """The article's latest sign-off with its reviewer's profile, in one query; None if unsaved."""
    if article.pk is None:
        return None
    return SignOff.objects.for_display().filter(article=article).first()


def sign_off_state(article):
    latest = latest_sign_off(article)
    fingerprint = content_fingerprint(article)
    current = latest is not None and latest.fingerprint == fingerprint
    return SignOffState(latest=latest, current=current, fingerprint=fingerprint)


def is_signed_off(article):
    return sign_off_state(article).current


def with_sign_off_state(articles):
    """Annotate `content_signed_off`: the latest sign-off covers the stored content.

    An EXISTS on one row by primary key, comparing two of its columns: the
    database answers "awaiting sign-off" for every published article with
    one anti-join, and a query that does not use the annotation (a count, a
    filter's choices) drops it.
    """
    signed_off = ArticleReviewState.objects.filter(
        article=OuterRef("pk"), content_fingerprint=F("signed_off_fingerprint")
    )
    return articles.annotate(content_signed_off=Exists(signed_off))


class ChangedSinceShown(Exception):
    """The content is no longer what the reviewer was shown: nothing was signed."""


def record_sign_off(article, reviewer, shown=None):
    """`reviewer` signs off the article's latest revision (`record_sign_offs`);
    if `shown` (the fingerprint of the content the reviewer was shown) is
    given, only if the content is still that, else `ChangedSinceShown`."""
    shown = None if shown is None else {article.pk: shown}
    return record_sign_offs([article], reviewer, shown=shown)[0]


def record_sign_offs(articles, reviewer, shown=None):
    """`reviewer` signs off each article's latest revision, as its content
    stands now; all of them or, if anything fails, none. Returns the sign-offs
    (none for an article deleted meanwhile).

    Only the review fields are written, with an UPDATE: a sign-off is not an
    edit, so it neither makes a revision of its own (unless the article has
    none yet: then one for it alone) nor invalidates the edit forms others
    have open. A handful of queries for any number of articles, besides
    those revisions.
    """
    from healthsite.page_cache import content_changed, lock_articles

    articles = sorted(articles, key=lambda article: article.pk)
    with transaction.atomic():
        # Locked as an editor's save locks them first: theirs waits for this.
        lock_articles(*(article.pk for article in articles))
        fingerprints = content_fingerprints([article.pk for article in articles])
        if shown is not None and any(fingerprints.get(pk) != seen for pk, seen in shown.items()):
            raise ChangedSinceShown
        articles = [article for article in articles if article.pk in fingerprints]  # not deleted
        ids = [article.pk for article in articles]
        latest = _latest_versions(ids)
        for article in articles:
            if article.pk not in latest:
                with reversion.create_revision():
                    reversion.set_user(reviewer)
                    reversion.set_comment("Signed off")
                    reversion.add_to_revision(article)
        if len(latest) < len(ids):
            latest = _latest_versions(ids)
        signed = SignOff.objects.bulk_create(
            SignOff(
                article=article,
                reviewer=reviewer,
                version=latest.get(article.pk),
                fingerprint=fingerprints[article.pk],
            )
            for article in articles
        )
        ArticleReviewState.objects.bulk_create(
            [
                ArticleReviewState(
                    article=article,
                    content_fingerprint=fingerprints[article.pk],
                    signed_off_fingerprint=fingerprints[article.pk],
                )
                for article in articles
            ],
            update_conflicts=True,
            unique_fields=["article"],
            update_fields=["content_fingerprint", "signed_off_fingerprint"],
        )
        today = timezone.localdate()
        for article in articles:
            article.record_review(reviewer, today)
        if articles:
            Article.objects.filter(pk__in=ids).update(
                medical_reviewer=reviewer,
                last_reviewed=articles[0].last_reviewed,
                next_review_due=articles[0].next_review_due,
            )
        # Their pages show who reviewed them and when (saved one by one, each
        # sign-off told the page cache; the bulk insert tells no one).
        if Article.objects.filter(pk__in=ids, status=Article.Status.PUBLISHED).exists():
            content_changed()
    return signed


def _latest_versions(article_ids):
    """{article id: its newest Version} for those of these articles that have one."""
    versions = Version.objects.get_for_model(Article).filter(
        object_id__in=[str(pk) for pk in article_ids]
    )
    newest = versions.values("object_id").annotate(newest=Max("pk")).values("newest")
    return {int(version.object_id): version for version in Version.objects.filter(pk__in=newest)}
