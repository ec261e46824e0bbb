"""Two editors saving at once: on PostgreSQL, rows are locked in one order
(an article before its rows), so neither save fails with a deadlock."""

import threading
import time

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone
from taggit.models import Tag

from articles.changes import batched
from articles.models import Article
from faq.models import FAQEntry
from tests.factories import add_faq, make_article, make_draft

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has one writer at a time"),
]


class Editor(threading.Thread):
    """Runs `work` in a transaction of its own, on its own connection."""

    def __init__(self, work):
        super().__init__(daemon=True)
        self.work, self.error, self.pid = work, None, None
        self.started_transaction = threading.Event()

    def run(self):
        try:
            self.pid = connection.cursor().connection.info.backend_pid
            with transaction.atomic():
                self.started_transaction.set()
                self.work()
        except Exception as error:  # reported by the test
            self.error = error
        finally:
            self.started_transaction.set()
            connections.close_all()


def waits_for_a_lock(pid):
    with connection.cursor() as cursor:
        cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return row is not None and row[0] == "Lock"


def wait_until(condition, seconds=10):
    """Poll `condition` until it holds (another connection's state: no event to wait on)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


@pytest.mark.parametrize("published", [False, True], ids=["draft", "published"])
@pytest.mark.parametrize("tagged", [False, True], ids=["answer", "answer and tags"])
def test_a_question_edited_while_its_article_is_saved_with_it(published, tagged):
    article = make_article() if published else make_draft()
    question = add_faq(article, answer="Old answer.")
    question.tags.set(["old"])
    publisher_has_the_article, publisher_may_go_on = threading.Event(), threading.Event()

    def publish():  # the article's change form: the article, then its questions
        saved = Article.objects.get(pk=article.pk)
        saved.status, saved.publish_at = Article.Status.PUBLISHED, timezone.now()
        saved.save()
        publisher_has_the_article.set()
        publisher_may_go_on.wait(10)
        row = FAQEntry.objects.get(pk=question.pk)
        row.position = 2
        row.save()

    def edit_question():  # the question's own change form
        row = FAQEntry.objects.get(pk=question.pk)
        row.answer = "New answer."
        row.save()
        if tagged:
            row.tags.set(["new"])

    publisher = Editor(publish)
    publisher.start()
    assert publisher_has_the_article.wait(10)
    editor = Editor(edit_question)
    editor.start()
    editor.started_transaction.wait(10)
    wait_until(lambda: editor.pid and waits_for_a_lock(editor.pid))  # on the article
    publisher_may_go_on.set()
    publisher.join(20)
    editor.join(20)
    assert (publisher.error, editor.error) == (None, None)
    question.refresh_from_db()
    assert question.answer == "New answer."  # saved last, after waiting for the publisher
    assert Article.objects.published().filter(pk=article.pk).exists()
    assert list(question.tags.names()) == (["new"] if tagged else ["old"])


def test_a_topic_deleted_while_an_article_it_is_on_is_saved():
    first, second = make_article(tags=["legs"]), make_article(tags=["legs"])
    editor_has_the_article, editor_may_go_on = threading.Event(), threading.Event()

    def edit_article():  # the article's change form: the article, then its topics
        article = Article.objects.get(pk=second.pk)
        article.summary = "New summary."
        article.save()
        editor_has_the_article.set()
        editor_may_go_on.wait(10)
        article.tags.add("sleep")

    def delete_topic():  # the topic's delete page
        with batched():
            Tag.objects.get(name="legs").delete()

    editor = Editor(edit_article)
    editor.start()
    assert editor_has_the_article.wait(10)
    deleter = Editor(delete_topic)
    deleter.start()
    deleter.started_transaction.wait(10)
    wait_until(lambda: deleter.pid and waits_for_a_lock(deleter.pid))  # on the article
    editor_may_go_on.set()
    editor.join(20)
    deleter.join(20)
    assert (editor.error, deleter.error) == (None, None)
    assert list(first.tags.names()) == []
    assert list(second.tags.names()) == ["sleep"]
