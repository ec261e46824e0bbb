"""Two editors saving at once: on PostgreSQL, rows are locked in one order
(an article before its rows), so neither save fails with a deadlock."""

import threading
import time
from contextlib import contextmanager

import pytest
import reversion
from django.contrib.auth.models import Permission
from django.db import connection, connections, transaction
from django.db.models.signals import pre_delete
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version
from taggit.models import Tag

from articles import admin as article_admin
from articles.changes import batched
from articles.models import Article, TaggedArticle
from articles.topic_merge import merge_topics
from faq.models import FAQEntry
from healthsite import admin_revisions
from tests.factories import add_faq, add_link, make_article, make_draft, make_user
from tests.forms import admin_form

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


def first_holding(first):
    """Start `first` and wait until it holds its article and calls `pause()`.
    Returns its thread and the event that lets it go on."""
    reached, go_on = threading.Event(), threading.Event()

    def pause():
        reached.set()
        go_on.wait(10)

    one = Editor(lambda: first(pause))
    one.start()
    assert reached.wait(10)
    return one, go_on


def second_waits_for_first(first, second):
    """Run `first` until it holds its article and calls `pause()`, then `second`
    until it waits for that lock, then let `first` go on: neither may fail."""
    one, go_on = first_holding(first)
    two = Editor(second)
    two.start()
    two.started_transaction.wait(10)
    wait_until(lambda: two.pid and waits_for_a_lock(two.pid))  # on the article
    go_on.set()
    one.join(20)
    two.join(20)
    assert (one.error, two.error) == (None, None)


def second_finishes_while_first_holds(first, second):
    """Run `first` until it holds its article and calls `pause()`, then all of
    `second`, which must not wait for `first`; then let `first` go on."""
    one, go_on = first_holding(first)
    two = Editor(second)
    two.start()
    two.join(10)
    finished = not two.is_alive()
    go_on.set()
    one.join(20)
    two.join(20)
    assert finished, "the second waited for the first"
    assert (one.error, two.error) == (None, None)


@contextmanager
def pausing_at_first_delete(model, pause):
    """`pause()` this thread's delete at its first row of `model`, once the page
    cache's receiver (connected before) has locked what it locks."""
    paused = []

    def pause_at_first_row(sender, **kwargs):
        if not paused and threading.current_thread() is thread:
            paused.append(True)
            pause()

    thread = threading.current_thread()
    pre_delete.connect(pause_at_first_row, sender=model, dispatch_uid="pause")
    try:
        yield
    finally:
        pre_delete.disconnect(sender=model, dispatch_uid="pause")


@pytest.mark.parametrize("published", [False, True], ids=["draft", "published"])
@pytest.mark.parametrize("tagged", [False, True], ids=["answer", "answer and tags"])
def test_a_question_edited_while_its_article_is_saved_with_it(published, tagged):
    article = make_article() if published else make_draft()
    question = add_faq(article, answer="Old answer.")
    question.tags.set(["old"])

    def publish(pause):  # the article's change form: the article, then its questions
        saved = Article.objects.get(pk=article.pk)
        saved.status, saved.publish_at = Article.Status.PUBLISHED, timezone.now()
        saved.save()
        pause()
        row = FAQEntry.objects.get(pk=question.pk)
        row.position = 2
        row.save()

    def edit_question():  # the question's own change form
        row = FAQEntry.objects.get(pk=question.pk)
        row.answer = "New answer."
        row.save()
        if tagged:
            row.tags.set(["new"])

    second_waits_for_first(publish, edit_question)
    question.refresh_from_db()
    assert question.answer == "New answer."  # saved last, after waiting for the publisher
    assert Article.objects.published().filter(pk=article.pk).exists()
    assert list(question.tags.names()) == (["new"] if tagged else ["old"])


def test_a_topic_deleted_while_an_article_it_is_on_is_saved():
    first, second = make_article(tags=["legs"]), make_article(tags=["legs"])

    def edit_article(pause):  # the article's change form: the article, then its topics
        article = Article.objects.get(pk=second.pk)
        article.summary = "New summary."
        article.save()
        pause()
        article.tags.add("sleep")

    def delete_topic():  # the topic's delete page
        with batched():
            Tag.objects.get(name="legs").delete()

    second_waits_for_first(edit_article, delete_topic)
    assert list(first.tags.names()) == []
    assert list(second.tags.names()) == ["sleep"]


@pytest.mark.parametrize("delete", ["one", "queryset"], ids=["delete page", "delete action"])
def test_two_topics_deleted_at_once_from_the_same_articles(delete):
    first, second = make_article(), make_article()
    # Each topic's rows are read (and their articles locked) in the order they were added.
    second.tags.add("legs")
    first.tags.add("legs", "sleep")
    second.tags.add("sleep")

    def delete_topic(name):
        with batched():
            topics = Tag.objects.filter(name=name)
            topics.delete() if delete == "queryset" else topics.get().delete()

    def delete_legs(pause):
        with pausing_at_first_delete(TaggedArticle, pause):
            delete_topic("legs")

    second_waits_for_first(delete_legs, lambda: delete_topic("sleep"))
    assert not TaggedArticle.objects.filter(content_object__in=[first, second]).exists()


def test_saving_an_article_leaves_the_articles_pinning_it_unlocked():
    pinning, pinned = make_article(), make_article()
    add_link(pinning, pinned)

    def edit_pinning(pause):  # an editor saving the pinning article, before its rows
        with batched():
            article = Article.objects.get(pk=pinning.pk)
            article.summary = "Edited."
            article.save()
            pause()

    def rename_pinned():  # its See-also link shows the new title; its index needs nothing
        with batched():
            article = Article.objects.get(pk=pinned.pk)
            article.title = "Renamed"
            article.save()

    second_finishes_while_first_holds(edit_pinning, rename_pinned)
    pinning.refresh_from_db()
    assert pinning.summary == "Edited."


def test_two_selections_of_questions_deleted_at_once_from_the_same_articles():
    """The questions list's "Delete selected": each question locks its article
    as it goes, in the questions' order, unless all are locked first."""
    first, second = make_article(), make_article()
    mine = [add_faq(first).pk, add_faq(second).pk]
    theirs = [add_faq(second).pk, add_faq(first).pk]

    def delete(pks):
        with batched():
            FAQEntry.objects.filter(pk__in=pks).delete()

    def delete_mine(pause):
        with pausing_at_first_delete(FAQEntry, pause):
            delete(mine)

    second_waits_for_first(delete_mine, lambda: delete(theirs))
    assert not FAQEntry.objects.filter(article__in=[first, second]).exists()


def test_two_new_topics_making_one_slug_added_at_once():
    """taggit tries "topic", then the first free "topic_N" it sees; two editors
    adding such topics at once both saw "topic_1" free, and the second's save
    failed on the first's when it committed."""
    Tag.objects.create(name="Topic")  # holds the slug both names would have first
    mine, theirs = make_article(), make_article()

    def add_mine(pause):
        Article.objects.get(pk=mine.pk).tags.add("!!!")
        pause()

    def add_theirs():
        Article.objects.get(pk=theirs.pk).tags.add("???")

    second_waits_for_first(add_mine, add_theirs)
    slugs = {name: Tag.objects.get(name=name).slug for name in ["!!!", "???"]}
    assert len({*slugs.values(), "topic"}) == 3
    assert list(theirs.tags.names()) == ["???"]


def test_a_revision_restored_without_a_deleted_topic_while_another_editor_opens_it(monkeypatch):
    """Its tagging with the deleted topic is left out of the restore, not out of
    the history: taking its version out and back (as first written) made the
    second editor's page fail (a 500) once the first's restore was done. The
    page waits for the restore (which holds the article, as a save does: the
    page writes the revision in a transaction it rolls back), then shows."""
    article = make_draft(title="Knee", tags=["Gone", "Kept"])
    with reversion.create_revision():
        article.save()
    old = Version.objects.get_for_object(article).get()
    Tag.objects.get(name="Gone").delete()
    url = reverse("admin:articles_article_revision", args=[article.pk, old.pk])
    one, two = Client(), Client()
    for client in (one, two):
        client.force_login(make_user(is_staff=True, is_superuser=True))
    data = admin_form(one.get(url))
    leave_out, paused = admin_revisions.restored_without, []

    @contextmanager
    def pausing(versions, then=None):  # the first restore, paused once under way
        with leave_out(versions, then):
            if paused:
                paused.pop()()
            yield

    monkeypatch.setattr(admin_revisions, "restored_without", pausing)

    def restore(pause):
        paused.append(pause)
        assert one.post(url, data).status_code == 302

    def open_it():
        assert two.get(url).status_code == 200

    second_waits_for_first(restore, open_it)
    assert list(Article.objects.get().tags.names()) == ["Kept"]
    assert old.revision.version_set.filter(object_repr="Knee tagged with Gone").exists()


def test_topics_merged_while_an_article_with_them_is_saved():
    """The merge moves the article's tagging to the topic it is merged into,
    then refreshes the article's search index, which locks the article: unless
    it locks the article first, the editor's save, holding the article, waits
    for the tagging the merge moved while the merge waits for the article."""
    article = make_article(tags=["Sore legs"])

    def edit(pause):  # the article's change form: the article, then its topics
        saved = Article.objects.get(pk=article.pk)
        saved.summary = "Edited."
        saved.save()
        pause()
        saved.tags.set(["cramps"])  # the tagging that the merge moves, deleted

    def merge():  # the topics' merge page
        merge_topics(list(Tag.objects.filter(name="Sore legs")), "Aching legs")

    second_waits_for_first(edit, merge)
    assert list(Article.objects.get().tags.names()) == ["cramps"]


def test_topics_merged_into_another_spelling_while_an_article_is_saved():
    """The kept topic is renamed ("knee pain" to "Knee pain") after the articles
    are locked: renamed first, it was locked before them, and an editor adding
    it to an article the merge waited for deadlocked with the merge."""
    article = make_article(tags=["Sore knees"])
    Tag.objects.create(name="knee pain")

    def edit(pause):
        saved = Article.objects.get(pk=article.pk)
        saved.summary = "Edited."
        saved.save()
        pause()
        saved.tags.add("knee pain")

    def merge():
        merge_topics(list(Tag.objects.filter(name="Sore knees")), "Knee pain")

    second_waits_for_first(edit, merge)
    assert list(Article.objects.get().tags.names()) == ["Knee pain"]


def test_a_reviewer_publishing_while_an_editor_restores_the_article(monkeypatch):
    """The restore holds the article from the start, and reads its status under
    that lock: the publish waits for it, and is not written over by a draft
    revision the editor may restore only because it read the status before."""
    article = make_draft(title="Knee", summary="Old.")
    with reversion.create_revision():
        article.save()
    old = Version.objects.get_for_object(article).get()
    editor = make_user(is_staff=True)  # may edit, not publish (groups go with each flush)
    editor.user_permissions.set(
        Permission.objects.filter(codename__in=["view_article", "change_article"])
    )
    client = Client()
    client.force_login(editor)
    url = reverse("admin:articles_article_revision", args=[article.pk, old.pk])
    data = admin_form(client.get(url))
    park, paused = article_admin.park, []

    def pausing_park(rows):
        if paused:
            paused.pop()()
        return park(rows)

    monkeypatch.setattr(article_admin, "park", pausing_park)

    def restore(pause):
        paused.append(pause)
        assert client.post(url, data).status_code == 302

    def publish():
        live = Article.objects.get(pk=article.pk)
        live.status, live.publish_at = Article.Status.PUBLISHED, timezone.now()
        live.save()

    second_waits_for_first(restore, publish)
    assert Article.objects.get().status == Article.Status.PUBLISHED


def test_a_refused_restore_while_the_article_is_saved_leaves_its_rows_in_place(monkeypatch):
    """The restore reads the article's newest version under the article's lock:
    read before it, a save meanwhile made a refused restore look done, and the
    rows it had parked stayed out of their positions."""
    knee = make_draft(title="Knee pain", slug="knee")
    add_faq(knee, question="Is it serious?")
    with reversion.create_revision():
        knee.save()
    old = Version.objects.get_for_object(knee).get()
    Article.objects.filter(pk=knee.pk).update(slug="knee-2")
    client = Client()
    client.force_login(make_user(is_staff=True, is_superuser=True))
    url = reverse("admin:articles_article_revision", args=[knee.pk, old.pk])
    data = admin_form(client.get(url))
    make_draft(title="Another", slug="knee")  # the revision's address: it is refused
    newest, paused = article_admin.newest_version, []

    def pausing_newest(*args):
        found = newest(*args)
        if paused:
            paused.pop()()
        return found

    monkeypatch.setattr(article_admin, "newest_version", pausing_newest)

    def restore(pause):
        paused.append(pause)
        assert client.post(url, data).status_code == 302

    def save_meanwhile():
        with reversion.create_revision():
            Article.objects.get(pk=knee.pk).save()

    second_waits_for_first(restore, save_meanwhile)
    assert list(FAQEntry.objects.values_list("position", flat=True)) == [1]
