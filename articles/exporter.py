"""Write an article back in the plain-text form that `articles.importer` reads.

Importing the result gives the same article. See-also lines are spread
between causes and questions as the page shows them; any that do not fit
there follow the conclusion, so their order is kept.
"""

from .related import spread_callouts

HELP_HEADINGS_BY_FIELD = {
    "seek_help_non_urgent": "See a GP if",
    "seek_help_urgent": "Get advice now if",
    "seek_help_emergency": "Call emergency services if",
}


def export_text(article):
    causes = list(article.article_causes.select_related("cause"))
    questions = list(article.faq_entries.all())
    links = [link.target_title for link in article.related_links.all()]
    cause_rows, question_rows = spread_callouts(causes, questions, links, limit=len(links))
    placed = [title for _, title in cause_rows + question_rows if title]

    blocks = [article.title]
    if article.subtitle:
        blocks.append(f"{article.title}: {article.subtitle}")
    blocks += _paragraphs(article.summary)
    for n, (item, see_also) in enumerate(cause_rows, start=1):
        blocks.append(f"{n}. {item.cause.name}: {item.explanation}".rstrip())
        blocks += _see_also(see_also)
    if questions:
        blocks += _paragraphs(article.faq_intro)
    for n, (entry, see_also) in enumerate(question_rows, start=1):
        blocks.append(f"Q{n}. {entry.question}\nA{n}. {entry.answer}")
        blocks += _see_also(see_also)
    for name, heading in HELP_HEADINGS_BY_FIELD.items():
        if text := getattr(article, name).strip():
            blocks.append(f"{heading}:\n{text}")
    blocks += _paragraphs(article.conclusion)
    blocks += [f"See also  {title}" for title in links[len(placed) :]]
    return "\n\n".join(block for block in blocks if block) + "\n"


def _paragraphs(text):
    return [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]


def _see_also(title):
    return [f"See also  {title}"] if title else []
