"""The editors' pages: write, publish, schedule and unpublish articles, add and remove
images, review cases. Only editors come in (403 for other roles, sign-in for nobody); bad
input is said next to its field, changes nothing and never answers 500."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from microcert.news.models import Article, ArticleImage, Case

from .builders import case, draft, png, public

pytestmark = pytest.mark.django_db


def article_form(**changes) -> dict:
    data = {
        "kind": "news",
        "slug": "new-article",
        "title_en": "A new article",
        "summary_en": "What it is about.",
        "body_en": "A paragraph.\n\nAnother one.",
        "title_vi": "Bài viết mới",
        "time_zone": "UTC",
    }
    data.update(changes)
    return data


@pytest.fixture
def editor(client, network):
    client.force_login(network.editor)
    return client


def test_only_editors_come_in(client, network):
    article = draft(network.editor)
    urls = [
        "/en/news/manage/",
        "/en/news/manage/new/",
        f"/en/news/manage/{article.uuid}/",
        f"/en/news/manage/cases/{case(network).uuid}/",
    ]
    for url in urls:
        assert client.get(url).status_code == 302  # to sign in
    for person in (network.hust_admin, network.teacher, network.reviewer):
        client.force_login(person)
        for url in urls:
            assert client.get(url).status_code == 403, (person, url)
        assert client.post(f"/en/news/manage/{article.uuid}/publish/").status_code == 403
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT


def test_an_editor_writes_a_draft_and_publishes_it(editor, network):
    response = editor.post("/en/news/manage/new/", article_form())
    article = Article.objects.get(slug="new-article")
    assert response.status_code == 302 and response["Location"].endswith(f"/{article.uuid}/")
    assert (article.title_en, article.title_vi, article.author) == (
        "A new article",
        "Bài viết mới",
        network.editor,
    )
    editor.post(f"/en/news/manage/{article.uuid}/publish/")
    article.refresh_from_db()
    assert article.is_public()


def test_an_event_is_entered_in_its_own_time_zone(editor, network):
    editor.post(
        "/en/news/manage/new/",
        article_form(
            kind="event",
            event_type="partnership_meeting",
            time_zone="Asia/Shanghai",
            starts_at="2030-01-14T09:00",
            ends_at="2030-01-14T17:30",
        ),
    )
    article = Article.objects.get()
    assert article.starts_at == datetime.datetime(2030, 1, 14, 1, 0, tzinfo=datetime.UTC)
    html = editor.get(f"/en/news/manage/{article.uuid}/").content.decode()
    assert 'value="2030-01-14T09:00"' in html


@pytest.mark.parametrize(
    ("changes", "field_message"),
    [
        ({"title_en": ""}, "This field is required"),
        ({"slug": "not a slug!"}, "Enter a valid"),
        ({"kind": "poem"}, "Select a valid choice"),
        ({"kind": "event", "event_type": "visit"}, "needs the date and time it starts"),
        ({"kind": "event", "event_type": "visit", "starts_at": "tomorrow"}, "Enter a valid"),
        (
            {
                "kind": "event",
                "event_type": "visit",
                "starts_at": "2030-01-02T10:00",
                "ends_at": "2030-01-01T10:00",
            },
            "cannot end before it starts",
        ),
        ({"countries": ["ZZ"]}, "Select a valid choice"),
        ({"partners": ["999999"]}, "Select a valid choice"),
        ({"time_zone": "Nowhere/City"}, "Select a valid choice"),
        ({"slug": "manage"}, "reserved"),
        ({"title_fr": "x" * 300}, "at most 200 characters"),
    ],
)
def test_bad_input_is_said_and_nothing_is_stored(editor, network, changes, field_message):
    response = editor.post("/en/news/manage/new/", article_form(**changes))
    assert response.status_code == 400
    assert field_message in response.content.decode()
    assert not Article.objects.exists()


def test_a_taken_address_is_said(editor, network):
    draft(network.editor, "new-article")
    response = editor.post("/en/news/manage/new/", article_form())
    assert response.status_code == 400
    assert "already has the address" in response.content.decode()


def test_editing_keeps_what_the_form_holds(editor, network):
    article = draft(network.editor)
    response = editor.post(
        f"/en/news/manage/{article.uuid}/",
        article_form(slug=article.slug, title_en="A better title", title_vi=""),
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.title_en, article.title_vi) == ("A better title", "")


def test_scheduling_from_the_page_and_refusing_a_past_moment(editor, network):
    article = draft(network.editor)
    past = (timezone.now() - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = editor.post(f"/en/news/manage/{article.uuid}/schedule/", {"publish_at": past})
    assert response.status_code == 400
    assert "moment in the future" in response.content.decode()
    response = editor.post(f"/en/news/manage/{article.uuid}/schedule/", {"publish_at": "soon"})
    assert response.status_code == 400
    later = (timezone.now() + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = editor.post(f"/en/news/manage/{article.uuid}/schedule/", {"publish_at": later})
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.state == "scheduled"


def test_refused_transitions_come_back_as_messages(editor, network):
    article = draft(network.editor)
    response = editor.post(f"/en/news/manage/{article.uuid}/unpublish/", follow=True)
    assert "draft already" in response.content.decode()
    published = public(network.editor, "public-one")
    response = editor.post(f"/en/news/manage/{published.uuid}/publish/", follow=True)
    assert "already public" in response.content.decode()


def test_adding_and_removing_an_image(editor, network):
    article = draft(network.editor)
    response = editor.post(
        f"/en/news/manage/{article.uuid}/images/",
        {"file": SimpleUploadedFile("x.png", png()), "alt_en": "A red square", "alt_vi": "Hình"},
    )
    assert response.status_code == 302
    image = ArticleImage.objects.get()
    assert (image.alt_en, image.alt_vi) == ("A red square", "Hình")
    editor.post(f"/en/news/manage/images/{image.uuid}/remove/")
    assert not ArticleImage.objects.exists()


@pytest.mark.parametrize(
    ("upload", "alt", "message"),
    [
        (SimpleUploadedFile("x.png", b"<html>not a picture</html>"), "Alt", "not an image"),
        (SimpleUploadedFile("x.exe", b"MZ" + b"\x00" * 100), "Alt", "whatever its name says"),
        (SimpleUploadedFile("x.png", png()), "", "This field is required"),
        (None, "Alt", "This field is required"),
    ],
)
def test_an_image_that_cannot_be_taken_is_said(editor, network, upload, alt, message):
    article = draft(network.editor)
    data = {"alt_en": alt}
    if upload is not None:
        data["file"] = upload
    response = editor.post(f"/en/news/manage/{article.uuid}/images/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ArticleImage.objects.exists()


def test_unknown_articles_and_images_answer_404(editor, network):
    import uuid

    assert editor.get(f"/en/news/manage/{uuid.uuid4()}/").status_code == 404
    assert editor.post(f"/en/news/manage/images/{uuid.uuid4()}/remove/").status_code == 404
    assert editor.get("/en/news/manage/not-a-uuid/").status_code == 404


def test_reviewing_a_case(editor, network):
    submitted = case(network)
    url = f"/en/news/manage/cases/{submitted.uuid}/"
    html = editor.get(url).content.decode()
    assert 'lang="vi"' in html and "Nhóm hỗ trợ đồng nghiệp" in html

    response = editor.post(url, {"outcome": "request_changes", "comment": "", "award": "none"})
    assert response.status_code == 400
    assert "Say what to change" in response.content.decode()
    response = editor.post(url, {"outcome": "publish", "award": "winner", "award_year": ""})
    assert response.status_code == 400

    response = editor.post(
        url, {"outcome": "publish", "award": "winner", "award_year": "2025", "comment": ""}
    )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert (submitted.status, submitted.award, submitted.award_year) == (
        "published",
        "winner",
        2025,
    )

    # Decided: the page has no form any more, and a late post changes nothing.
    response = editor.post(url, {"outcome": "reject", "comment": "Late", "award": "none"})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Case.Status.PUBLISHED


def test_the_dashboard_lists_drafts_scheduled_articles_and_cases_waiting(editor, network):
    draft(network.editor, "a-draft", title={"en": "The draft"})
    case(network)
    html = editor.get("/en/news/manage/").content.decode()
    assert "The draft" in html and "Nhóm hỗ trợ đồng nghiệp" in html
