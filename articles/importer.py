"""Articles in their plain-text form (see ../shared/sample-article.txt): read, parse, import.

The form: a title line; often a `Title: Subtitle` line; introduction
paragraphs; numbered causes `N. Name: description`; a lead-in paragraph;
questions `Q1. …` / `A1. …` (or `Q: …` / `A: …`); `See also  Title` lines
anywhere between items; optionally "when to get help" lists under the
headings `See a GP if:`, `Get advice now if:` and `Call emergency services
if:`; a conclusion; page furniture such as `Scroll to Top`.

`read_text` turns bytes into normalised text, `parse` turns text into a
`ParsedArticle`, and `import_article` writes one to the database in a
transaction (rolled back for a dry run). Every problem with a file raises
`ImportFormatError`, naming the line where there is one.
"""

import re
from dataclasses import dataclass, field

import reversion
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils.text import slugify

from faq.models import FAQEntry

from .changes import batched
from .models import Article, ArticleCause, Cause, RelatedLink, status_change_refusal

FURNITURE = re.compile(
    r"^(scroll to top|back to top|share this( article)?|print this page|advertisement)\W*$", re.I
)
SEE_ALSO = re.compile(r"^see also(?::\s*|\s+)(?P<title>\S.*)$", re.I)
NUMBERED = re.compile(r"^(?P<number>\d{1,4})[.)]\s+(?P<text>\S.*)$")
QUESTION = re.compile(r"^Q(?P<number>\d{0,4})\s*[.):]\s*(?P<text>\S.*)$")
ANSWER = re.compile(r"^A(?P<number>\d{0,4})\s*[.):]\s*(?P<text>\S.*)$")
# "When to get help", at its three levels: a heading line, then a list.
HELP_HEADINGS = {
    "see a gp if": "seek_help_non_urgent",
    "get advice now if": "seek_help_urgent",
    "call emergency services if": "seek_help_emergency",
}
# ASCII-only case folding: a long s (U+017F) must not match "s" and then miss the table.
HELP_HEADING = re.compile(rf"^(?P<heading>{'|'.join(HELP_HEADINGS)})\s*:?$", re.I | re.A)
LIST_ITEM = re.compile(r"^[-*]\s+\S")

# Typographic characters that would stop titles and names matching.
NORMALISE = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " ", "\ufeff": ""}
)


class ImportFormatError(Exception):
    def __init__(self, message, line=None):
        super().__init__(message)
        self.message, self.line = message, line

    def describe(self, name):
        where = f"{name}, line {self.line}" if self.line else name
        return f"{where}: {self.message}"


@dataclass
class ParsedCause:
    name: str
    description: str
    line: int


@dataclass
class ParsedQuestion:
    question: str
    answer: str
    line: int


@dataclass
class SeeAlso:
    title: str
    section: str  # "intro", "causes" or "questions"
    after: int  # how many causes or questions stood before it in that section
    line: int


@dataclass
class ParsedArticle:
    title: str
    subtitle: str = ""
    intro: list = field(default_factory=list)
    causes: list = field(default_factory=list)
    lead_in: list = field(default_factory=list)
    questions: list = field(default_factory=list)
    see_also: list = field(default_factory=list)
    conclusion: list = field(default_factory=list)
    seek_help: dict = field(default_factory=dict)  # Article field name -> Markdown list


def read_text(data, limit=None):
    """Decode an uploaded or read file: UTF-8 only (a BOM is fine); refuse anything else."""
    limit = settings.IMPORT_MAX_BYTES if limit is None else limit
    if len(data) > limit:
        raise ImportFormatError(
            f"the file is {len(data):,} bytes; the limit is {limit:,} bytes ({limit // 1024} KB)"
        )
    if b"\x00" in data:
        raise ImportFormatError("this is a binary file, not plain text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ImportFormatError(
            f"the file is not UTF-8 text (byte 0x{data[error.start]:02x} cannot be read); "
            "save it as UTF-8 and import it again",
            line,
        ) from None
    if not text.strip():
        raise ImportFormatError("the file is empty")
    return text


def parse(text):
    return _Parser(text).parse()


class _Parser:
    """A single pass over the lines, as a small state machine.

    Paragraphs that follow a cause or an answer belong to it if another
    cause or question comes later; otherwise they are the lead-in to the
    questions (after the causes) or the conclusion (after the questions).
    """

    def __init__(self, text):
        text = text.replace("\r\n", "\n").replace("\r", "\n").translate(NORMALISE)
        self.lines = [line.strip() for line in text.split("\n")]
        self.section = "intro"
        self.paragraph = []  # lines of the paragraph being read
        self.pending = []  # paragraphs not yet known to be body or lead-in/conclusion
        self.open_question = None  # (number, text, line) waiting for its answer
        self.help = None  # the "when to get help" list being read: [field, lines, line, gap]

    def parse(self):
        start = self._read_title()
        for number, line in enumerate(self.lines[start:], start=start + 1):
            self._read_line(line, number)
        self._end_paragraph()
        self._end_help()
        if self.open_question:
            self._unanswered()
        self._close_section(at_end=True)
        if not (self.article.causes or self.article.questions):
            raise ImportFormatError(
                "no numbered causes ('1. Name: description') and no questions ('Q1. …'): "
                "is this an article in the plain-text form?"
            )
        self._check_lengths()
        return self.article

    def _read_title(self):
        content = [
            (i, line) for i, line in enumerate(self.lines) if line and not FURNITURE.match(line)
        ]
        if not content:
            raise ImportFormatError("the file has no text")
        index, title = content[0]
        if NUMBERED.match(title) or QUESTION.match(title) or SEE_ALSO.match(title):
            raise ImportFormatError("the first line must be the article's title", index + 1)
        self.article = ParsedArticle(title=title)
        self.title_line = index + 1
        if len(content) > 1:
            next_index, line = content[1]
            prefix = f"{title}:"
            if line.casefold().startswith(prefix.casefold()) and line[len(prefix) :].strip():
                self.article.subtitle = line[len(prefix) :].strip()
                return next_index + 1
        return index + 1

    def _read_line(self, line, number):
        if self.help is not None and self._help_line(line):
            return
        if match := HELP_HEADING.match(line):
            self._end_paragraph()
            self._start_help(match["heading"], number)
        elif not line or FURNITURE.match(line):
            self._end_paragraph()
        elif match := SEE_ALSO.match(line):
            self._end_paragraph()
            self._see_also(match["title"].strip(), number)
        elif self.section != "questions" and (match := NUMBERED.match(line)):
            self._cause(int(match["number"]), match["text"], number)
        elif match := QUESTION.match(line):
            self._question(match["number"], match["text"], number)
        elif match := ANSWER.match(line):
            self._answer(match["number"], match["text"], number)
        else:
            self._text(line, number)

    # -- items ---------------------------------------------------------------

    def _cause(self, number, text, line):
        self._end_paragraph()
        causes = self.article.causes
        if self.section == "intro":
            self.article.intro, self.pending = self.pending, []
            self.section = "causes"
        else:
            self._attach_pending()
        expected = len(causes) + 1
        if number != expected:
            problem = "repeats" if number < expected else "jumps"
            raise ImportFormatError(
                f"cause numbered {number} where {expected} was expected: the numbering {problem}",
                line,
            )
        name, _, description = text.partition(":")
        name = name.strip()
        if len(name) > Cause._meta.get_field("name").max_length:
            raise ImportFormatError(
                f"cause {number} should read '{number}. Name: description'; "
                "the name before the colon is too long",
                line,
            )
        if any(cause.name.casefold() == name.casefold() for cause in causes):
            raise ImportFormatError(f"cause {number} ({name}) is listed twice", line)
        causes.append(ParsedCause(name, description.strip(), line))
        self.paragraph = [causes[-1]]

    def _question(self, number, text, line):
        self._end_paragraph()
        if self.open_question:
            self._unanswered()
        if self.section != "questions":
            self._close_section()
            self.section = "questions"
        else:
            self._attach_pending()
        expected = len(self.article.questions) + 1
        if number and int(number) != expected:
            problem = "repeats" if int(number) < expected else "jumps"
            raise ImportFormatError(
                f"question numbered Q{number} where Q{expected} was expected: "
                f"the numbering {problem}",
                line,
            )
        self.open_question = (number, text, line)

    def _answer(self, number, text, line):
        self._end_paragraph()
        if not self.open_question:
            raise ImportFormatError(f"{_label('A', number)} has no question before it", line)
        q_number, question, q_line = self.open_question
        if number and q_number and number != q_number:
            raise ImportFormatError(f"answer A{number} follows question Q{q_number}", line)
        self.open_question = None
        self.article.questions.append(ParsedQuestion(question, text, q_line))
        self.paragraph = [self.article.questions[-1]]

    def _unanswered(self):
        number, _, line = self.open_question
        raise ImportFormatError(f"{_label('Q', number)} has no answer", line)

    def _see_also(self, title, line):
        counts = {"causes": len(self.article.causes), "questions": len(self.article.questions)}
        after = counts.get(self.section, 0)
        self.article.see_also.append(SeeAlso(title, self.section, after, line))

    # -- when to get help ----------------------------------------------------

    def _start_help(self, heading, line):
        name = HELP_HEADINGS[heading.lower()]
        if name in self.article.seek_help:
            raise ImportFormatError(f"'{heading}' appears twice", line)
        self.help = [name, [], line, False]

    def _help_line(self, line):
        """Take `line` into the help list if it belongs there; say whether it did."""
        lines, gap = self.help[1], self.help[3]
        if not line:
            self.help[3] = True  # a blank line: only another list item continues the list
            return True
        if (gap and not LIST_ITEM.match(line)) or HELP_HEADING.match(line):
            self._end_help()
            return False
        lines.append(line)
        self.help[3] = False
        return True

    def _end_help(self):
        if self.help is None:
            return
        name, lines, start, _ = self.help
        if not lines:
            raise ImportFormatError("the list under this heading is empty", start)
        self.article.seek_help[name] = "\n".join(lines)
        self.help = None

    # -- running text --------------------------------------------------------

    def _text(self, line, number):
        if self.open_question:
            # A question running onto a second line.
            q_number, question, q_line = self.open_question
            self.open_question = (q_number, f"{question} {line}", q_line)
            return
        self.paragraph.append(line)

    def _end_paragraph(self):
        """Finish the paragraph: an item's continuation lines go to the item."""
        if not self.paragraph:
            return
        head, *rest = self.paragraph
        if isinstance(head, ParsedCause | ParsedQuestion):
            if rest:
                _append(head, "\n".join(rest), separator="\n")
        else:
            self.pending.append("\n".join(self.paragraph))
        self.paragraph = []

    def _attach_pending(self):
        """Paragraphs between two items belong to the item before them."""
        items = self.article.causes if self.section == "causes" else self.article.questions
        for paragraph in self.pending:
            _append(items[-1], paragraph, separator="\n\n")
        self.pending = []

    def _close_section(self, at_end=False):
        if self.section == "intro":
            self.article.intro, self.pending = self.pending, []
        elif self.section == "causes" and not at_end:
            self.article.lead_in, self.pending = self.pending, []
        else:
            self.article.conclusion, self.pending = self.pending, []

    def _check_lengths(self):
        limits = [
            (self.article.title, Article, "title", "title", self.title_line),
            (self.article.subtitle, Article, "subtitle", "subtitle", self.title_line + 1),
        ]
        limits += [
            (q.question, FAQEntry, "question", "question", q.line) for q in self.article.questions
        ]
        limits += [
            (s.title, RelatedLink, "target_title", "See-also title", s.line)
            for s in self.article.see_also
        ]
        for value, model, name, label, line in limits:
            limit = model._meta.get_field(name).max_length
            if len(value) > limit:
                raise ImportFormatError(
                    f"the {label} is {len(value)} characters; the limit is {limit}", line
                )


def _label(letter, number):
    kind = "question" if letter == "Q" else "answer"
    return f"{kind} {letter}{number}" if number else f"the {kind} ('{letter}: …')"


def _append(item, text, separator):
    attribute = "description" if isinstance(item, ParsedCause) else "answer"
    current = getattr(item, attribute)
    setattr(item, attribute, f"{current}{separator}{text}" if current else text)


# -- writing -------------------------------------------------------------------


@dataclass
class ImportSummary:
    title: str
    created: bool
    status: str
    previous_status: str | None
    causes: int
    new_causes: int
    questions: int
    links: int
    pending_links: int
    skipped_links: list
    dry_run: bool

    def line(self):
        verb = (
            ("would create" if self.dry_run else "created")
            if self.created
            else ("would update" if self.dry_run else "updated")
        )
        status = Article.Status(self.status).label.lower()
        if self.previous_status and self.previous_status != self.status:
            status += f" (was {Article.Status(self.previous_status).label.lower()})"
        parts = [
            f"{verb} '{self.title}' as {status}",
            f"{_count(self.causes, 'cause')} ({self.new_causes} new)",
            _count(self.questions, "question"),
            f"{_count(self.links, 'See-also link')} "
            f"({self.pending_links} waiting for their article)",
        ]
        if self.skipped_links:
            parts.append("skipped See also " + ", ".join(f"'{t}'" for t in self.skipped_links))
        return "; ".join(parts)


def _count(n, noun):
    return f"{n} {noun}{'' if n == 1 else 's'}"


def import_article(parsed, *, publish=False, dry_run=False, user=None):
    """Create or update the article `parsed` describes; all or nothing.

    The article is found by the slug its title makes (then by its title), so
    importing a file again updates it. It becomes a draft unless `publish`.
    A dry run does all the work, reports it, and rolls it back. Each import
    is a revision in the article's history, credited to `user`, who must be
    allowed the status change it makes (`status_change_refusal`): an editor's
    import took a published article off the site. (Without a user, from the
    command line, the operator may.)
    """
    try:
        with batched(), transaction.atomic(), reversion.create_revision():
            reversion.set_comment("Imported from a plain-text file.")
            reversion.set_user(user)
            summary = _write(parsed, publish, dry_run, user)
            if dry_run:
                transaction.set_rollback(True)
    except ValidationError as error:
        raise ImportFormatError(" ".join(error.messages)) from None
    except DatabaseError as error:
        raise ImportFormatError(f"the database refused the article: {error}") from None
    return summary


def _write(parsed, publish, dry_run, user=None):
    article = (
        Article.objects.select_for_update().filter(slug=slugify(parsed.title)).first()
        or Article.objects.select_for_update().filter(title__iexact=parsed.title).first()
    )
    created = article is None
    previous_status = None if created else article.status
    status = Article.Status.PUBLISHED if publish else Article.Status.DRAFT
    if user is not None and not created:
        _check_status_change(user, article, status)
    article = article or Article()
    article.title = parsed.title
    article.subtitle = parsed.subtitle
    article.summary = "\n\n".join(parsed.intro)
    article.faq_intro = "\n\n".join(parsed.lead_in)
    article.conclusion = "\n\n".join(parsed.conclusion)
    for name in HELP_HEADINGS.values():
        setattr(article, name, parsed.seek_help.get(name, ""))
    article.status = status
    article.full_clean()
    article.save()

    new_causes = _write_causes(article, parsed.causes)
    _write_questions(article, parsed.questions)
    links, skipped = _write_links(article, parsed.see_also)
    return ImportSummary(
        title=article.title,
        created=created,
        status=article.status,
        previous_status=previous_status,
        causes=len(parsed.causes),
        new_causes=new_causes,
        questions=len(parsed.questions),
        links=len(links),
        pending_links=sum(link.is_pending for link in links),
        skipped_links=skipped,
        dry_run=dry_run,
    )


def _check_status_change(user, article, status):
    """Refuse to import `article` as `status` if `user` may not move it there
    (an editor's import made a published article a draft)."""
    if refusal := status_change_refusal(user, article.status, status):
        now, then = article.get_status_display().lower(), status.label.lower()
        raise ImportFormatError(
            f"“{article.title}” is {now}; imported, it would be a {then}. {refusal}"
        )


def _write_causes(article, parsed_causes):
    article.article_causes.all().delete()
    new = 0
    for position, parsed in enumerate(parsed_causes, start=1):
        cause = Cause.objects.filter(name__iexact=parsed.name).first()
        if cause is None:
            cause = Cause(name=parsed.name)
            cause.full_clean()
            cause.save()
            new += 1
        ArticleCause.objects.create(
            article=article, cause=cause, position=position, explanation=parsed.description
        )
    return new


def _write_questions(article, parsed_questions):
    # Updated in place by position, so their anchors (#faq-<id>) and tags survive.
    for position, parsed in enumerate(parsed_questions, start=1):
        FAQEntry.objects.update_or_create(
            article=article,
            position=position,
            defaults={"question": parsed.question, "answer": parsed.answer},
        )
    article.faq_entries.filter(position__gt=len(parsed_questions)).delete()


def _write_links(article, see_also):
    # Titles resolve case-insensitively and article titles are unique that
    # way, so distinct titles never reach one article twice.
    article.related_links.all().delete()
    links, skipped, seen = [], [], {article.title.casefold()}
    for item in see_also:
        if item.title.casefold() in seen:  # itself, or a repeat
            skipped.append(item.title)
            continue
        seen.add(item.title.casefold())
        links.append(
            RelatedLink.objects.create(
                article=article, target_title=item.title, position=len(links) + 1
            )
        )
    return links, skipped
