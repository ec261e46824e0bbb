"""Import plain-text articles in the admin: upload, review a dry run, confirm.

The review writes nothing. The files that passed it travel to the confirm
step as their text in hidden fields, and are checked again there: anything
posted may have been changed on the way.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.text import slugify
from django.views import View

from .importer import ImportFormatError, import_article, parse, read_text

MAX_FILES = 20
# Room kept for the other fields of the confirm form (names, management form,
# CSRF token) within DATA_UPLOAD_MAX_MEMORY_SIZE.
CONFIRM_FORM_OVERHEAD = 16 * 1024


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def __init__(self, *, max_files, **kwargs):
        self.max_files = max_files
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        # Only the number of files is checked here: the view checks each file
        # on its own, so one empty or broken file does not hide the others' results.
        files = [file for file in (data if isinstance(data, list | tuple) else [data]) if file]
        if not files and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        if len(files) > self.max_files:
            raise forms.ValidationError(
                "Choose at most %(max)d files at a time; you chose %(count)d.",
                code="max_files",
                params={"max": self.max_files, "count": len(files)},
            )
        return files


class ArticleImportForm(forms.Form):
    files = MultipleFileField(
        max_files=MAX_FILES,
        label="Text files",
        widget=MultipleFileInput(attrs={"accept": ".txt,text/plain"}),
        error_messages={"required": "Choose one or more .txt files to import."},
    )
    publish = forms.BooleanField(
        required=False,
        label="Publish the imported articles",
        label_suffix="",
        help_text="Otherwise they are saved as drafts, and an article that is already on "
        "the site goes back to draft.",
    )

    def __init__(self, *args, can_publish=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_publish:
            del self.fields["publish"]  # editors submit drafts; reviewers publish
        self.fields["files"].help_text = (
            f"Up to {MAX_FILES} plain-text files in UTF-8, one article each, "
            f"of at most {settings.IMPORT_MAX_BYTES // 1024} KB. Nothing is saved "
            "before you have seen what each file would do and confirmed."
        )


class ConfirmImportForm(forms.Form):
    publish = forms.BooleanField(required=False, widget=forms.HiddenInput)


class ReviewedFileForm(forms.Form):
    name = forms.CharField(max_length=255, widget=forms.HiddenInput)
    text = forms.CharField(strip=False, widget=forms.HiddenInput)


ReviewedFileFormSet = forms.formset_factory(
    ReviewedFileForm,
    extra=0,
    min_num=1,
    validate_min=True,
    max_num=MAX_FILES,
    validate_max=True,
    absolute_max=MAX_FILES,
)


class ArticleImportView(View):
    """Mounted by ArticleAdmin.get_urls through admin_site.admin_view."""

    model_admin = None
    template_name = "admin/articles/article/import.html"

    def dispatch(self, request, *args, **kwargs):
        model_admin = self.model_admin
        if not (
            model_admin.has_add_permission(request) and model_admin.has_change_permission(request)
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self.render(request, form=self.upload_form(request))

    def post(self, request):
        if "confirm" in request.POST:
            return self.confirm(request)
        form = self.upload_form(request, request.POST, request.FILES)
        if not form.is_valid():
            return self.render(request, form=form)
        return self.review(request, form.cleaned_data["files"], form.cleaned_data.get("publish"))

    def upload_form(self, request, *args, **kwargs):
        can_publish = self.model_admin.has_publish_permission(request)
        return ArticleImportForm(*args, can_publish=can_publish, **kwargs)

    def review(self, request, uploads, publish):
        results, reviewed, titles = [], [], {}
        room = _confirm_form_room()
        for upload in uploads:
            try:
                text = read_text(_read_upload(upload))
                size = _posted_size(text)
                if room is not None and size > room:
                    raise ImportFormatError(
                        "too much text to confirm together with the files before it; "
                        "import this file in another batch"
                    )
                summary = _import(
                    upload.name, text, publish, titles, dry_run=True, user=request.user
                )
            except ImportFormatError as error:
                results.append({"name": upload.name, "error": error.describe(upload.name)})
            else:
                results.append({"name": upload.name, "summary": summary.line()})
                reviewed.append({"name": upload.name, "text": text})
                room = None if room is None else room - size
        context = {"results": results, "passed": len(reviewed)}
        if reviewed:
            context["confirm_form"] = ConfirmImportForm(initial={"publish": publish})
            context["formset"] = ReviewedFileFormSet(initial=reviewed, prefix="file")
        else:
            context["form"] = self.upload_form(request, initial={"publish": publish})
        return self.render(request, **context)

    def confirm(self, request):
        options = ConfirmImportForm(request.POST)
        formset = ReviewedFileFormSet(request.POST, prefix="file")
        if not (options.is_valid() and formset.is_valid()):
            return self.render(
                request,
                status=400,
                form=self.upload_form(request),
                error="The confirmation was incomplete or had been changed, so nothing was "
                "imported. Please upload the files again.",
            )
        publish = options.cleaned_data["publish"] and self.model_admin.has_publish_permission(
            request
        )
        titles = {}
        for reviewed in (form.cleaned_data for form in formset if form.cleaned_data):
            name = reviewed["name"]
            # Messages do not start with the file name: the admin capitalises them.
            try:
                # Browsers post line breaks as CRLF; count the file's own size.
                text = read_text(reviewed["text"].replace("\r\n", "\n").encode())
                summary = _import(name, text, publish, titles, dry_run=False, user=request.user)
            except ImportFormatError as error:
                message, level = f"Not imported: {error.describe(name)}", messages.ERROR
            else:
                message, level = f"Imported {name}: {summary.line()}", messages.SUCCESS
            self.model_admin.message_user(request, message, level)
        return redirect(self.changelist_url())

    def changelist_url(self):
        opts = self.model_admin.opts
        return reverse(
            f"admin:{opts.app_label}_{opts.model_name}_changelist",
            current_app=self.model_admin.admin_site.name,
        )

    def render(self, request, status=200, **context):
        model_admin = self.model_admin
        request.current_app = model_admin.admin_site.name
        context = {
            **model_admin.admin_site.each_context(request),
            "title": "Import articles from text files",
            "opts": model_admin.opts,
            "has_view_permission": model_admin.has_view_permission(request),
            **context,
        }
        return TemplateResponse(request, self.template_name, context, status=status)


def _read_upload(upload):
    limit = settings.IMPORT_MAX_BYTES
    if upload.size > limit:
        raise ImportFormatError(
            f"the file is {upload.size:,} bytes; the limit is {limit:,} bytes ({limit // 1024} KB)"
        )
    upload.seek(0)
    return upload.read(limit + 1)  # read_text refuses it if the size was wrong


def _import(name, text, publish, titles, dry_run, user=None):
    """Import one file, refusing a second file for an article already in this batch.

    Otherwise both would be reviewed as "would create", and the second would
    silently overwrite the first.
    """
    parsed = parse(text)
    key = slugify(parsed.title) or parsed.title.casefold()
    if key in titles:
        raise ImportFormatError(
            f"'{parsed.title}' is the same article as {titles[key]}; import only one of them"
        )
    summary = import_article(parsed, publish=publish, dry_run=dry_run, user=user)
    titles[key] = name
    return summary


def _confirm_form_room():
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return None if limit is None else max(limit - CONFIRM_FORM_OVERHEAD, 0)


def _posted_size(text):
    """Bytes the text takes in the confirm form, which browsers post with CRLF line breaks."""
    return len(text.encode()) + text.count("\n")
