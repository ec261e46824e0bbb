"""The article change form: the workflow's rules and the edit-conflict check."""

import reversion
from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from reversion.models import Version

from healthsite.admin_revisions import in_a_restore

from .models import Article, Cause, RelatedLink, status_change_refusal
from .ordering import PositionedInlineFormSet


class EditTokenForm(forms.ModelForm):
    """A change form refused if its object has been saved since it was opened:
    the model renews an `edit_token` on each save, which the form carries."""

    loaded_token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["loaded_token"].initial = self.instance.edit_token

    def clean(self):
        cleaned_data = super().clean()
        # A restore's form shows the revision, token included, as written back
        # (a version from before the token was kept gets a new one each time).
        if self.instance.pk and not in_a_restore():
            self._check_not_stale(cleaned_data.get("loaded_token"))
        return cleaned_data

    def _check_not_stale(self, loaded_token):
        # Locked until the admin's transaction ends, so two saves cannot both pass.
        model = self._meta.model
        current = (
            model.objects.select_for_update()
            .filter(pk=self.instance.pk)
            .values_list("edit_token", flat=True)
            .first()
        )
        if current is None or loaded_token == current:
            return
        latest = reversion.is_registered(model) and (
            Version.objects.get_for_object(self.instance)
            .select_related("revision__user")
            .order_by("-pk")
            .first()
        )
        who = "Someone else"  # a source keeps no history to name them
        if latest and latest.revision.user:
            user = latest.revision.user
            when = timezone.localtime(latest.revision.date_created)
            who = f"{user.get_full_name() or user.get_username()} (at {when:%H:%M on %d %B})"
        opts = model._meta
        raise ValidationError(
            format_html(
                "{} saved this {} after you opened it, so your changes were not saved, "
                "to keep theirs. Open the <a href='{}'>latest version</a> in a new tab, "
                "copy your changes across, and save there.",
                who,
                opts.verbose_name,
                reverse(
                    f"admin:{opts.app_label}_{opts.model_name}_change", args=[self.instance.pk]
                ),
            ),
            code="stale",
        )


class CauseAdminForm(EditTokenForm):
    """A cause is shared by many articles: two editors' forms open at once, the
    second save wrote the first's changes back unseen."""

    class Meta:
        model = Cause
        fields = "__all__"  # noqa: DJ007 (the admin's `fields` choose them)


class ArticleAdminForm(EditTokenForm):
    # The review fields as loaded: a sign-off writes them without renewing the
    # token (it is no edit), and a reviewer's form opened before it wrote the
    # old ones back, undoing the review unseen.
    loaded_review = forms.JSONField(widget=forms.HiddenInput, required=False)
    user = None  # set for each request by ArticleAdmin.get_form

    class Meta:
        model = Article
        fields = "__all__"  # noqa: DJ007 (the admin's fieldsets choose them)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["loaded_review"].initial = self._review(self.instance)
        if status := self.fields.get("status"):
            current = self.current_status()
            status.choices = [
                (value, label)
                for value, label in status.choices
                if status_change_refusal(self.user, current, value) is None
            ]
            status.error_messages["invalid_choice"] = (
                "Only medical reviewers can publish, unpublish or archive articles."
                if not self.user.has_perm("articles.publish_article")
                else "The article cannot move to that status from where it is."
            )

    def current_status(self):
        return self.instance.status if self.instance.pk else Article.Status.DRAFT

    def clean(self):
        cleaned_data = super().clean()
        if self.instance.pk:
            self._keep_review_signed_since(cleaned_data.get("loaded_review"))
        return cleaned_data

    def _review(self, article):
        """The review fields, as the hidden `loaded_review` keeps them."""
        return {
            "medical_reviewer": _text(article.medical_reviewer_id),
            "last_reviewed": _text(article.last_reviewed),
            "next_review_due": _text(article.next_review_due),
        }

    def _keep_review_signed_since(self, loaded):
        """A review field left as it was loaded keeps what a sign-off wrote since."""
        if not isinstance(loaded, dict):
            return
        stored = self._review(self.instance)  # as read for this request
        for name, value in stored.items():
            if name not in self.fields or name not in self.cleaned_data:
                continue  # not the reviewer's to edit: not written
            submitted = self.cleaned_data[name]
            submitted = _text(getattr(submitted, "pk", submitted))
            if value != loaded.get(name) and submitted == loaded.get(name):
                self.cleaned_data[name] = getattr(self.instance, name)
                if name in self.changed_data:  # not changed by this form: not logged so
                    self.changed_data.remove(name)


class RelatedLinkFormSet(PositionedInlineFormSet):
    """Pinned See-also links. A waiting title is resolved when the link is
    saved: one naming an article that another row links to already (or names
    too), or a title another row waits for too, is refused here, as choosing
    that article twice is."""

    def clean(self):
        super().clean()
        live = [
            form
            for form in self.forms
            if getattr(form, "cleaned_data", None) and not self._should_delete_form(form)
        ]
        # A view-only row's cleaned data is its initial data: ids, not articles.
        targets = {form: form.cleaned_data.get("target") for form in live}
        linked = {getattr(target, "pk", target) for target in targets.values() if target}
        waited = set()
        for form in live:
            title = (form.cleaned_data.get("target_title") or "").strip()
            if targets[form] or not title:
                continue
            article, refusal = self._titled(title), None
            if article is None:  # waits for it
                if title.casefold() in waited:
                    refusal = f"“{title}” is waited for in another row."
                waited.add(title.casefold())
            else:
                if article.pk in linked:
                    refusal = f"“{article.title}” is linked in another row already."
                linked.add(article.pk)
            if refusal and form.has_changed():  # a row left as it is is not saved
                form.add_error("target_title", refusal)

    def _titled(self, title):
        """The article a waiting title resolves to when saved, by `RelatedLink.save`'s
        rule; None if it waits, or names the article itself (which the row refuses)."""
        return RelatedLink.articles_titled(title, self.instance.pk).only("title").first()


def _text(value):
    return None if value is None else str(value)
