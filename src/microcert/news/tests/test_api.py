"""The news API read as its specification: anyone reads what is public without a token;
editors write, publish and schedule articles and decide on cases; institution admins submit
and resubmit their cases. Refusals are JSON with a ``detail`` and a 4xx status."""

import datetime
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from microcert.accounts import services as account_services
from microcert.accounts.models import User
from microcert.news import services
from microcert.news.models import Article, Case

from .builders import case, draft, png, public, published_case, scheduled

pytestmark = pytest.mark.django_db

API = "/api/v1/news"


class Caller:
    def __init__(self, person: User | None, language: str = "en"):
        self.headers = {"HTTP_ACCEPT_LANGUAGE": language}
        if person is not None:
            _token, token = account_services.personal_token_create(
                person=person, name="tests", actor=None
            )
            self.headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        self.client = Client()

    def get(self, path: str, **params: Any):
        return self.client.get(API + path, params, **self.headers)

    def send(self, method: str, path: str, body: Any = None, raw: str | None = None):
        data = raw if raw is not None else json.dumps(body or {})
        return getattr(self.client, method)(
            API + path, data=data, content_type="application/json", **self.headers
        )

    def post(self, path: str, body: Any = None, raw: str | None = None):
        return self.send("post", path, body, raw)

    def patch(self, path: str, body: Any = None):
        return self.send("patch", path, body)


def ok(response, status: int = 200) -> Any:
    assert response.status_code == status, (response.status_code, response.content[:500])
    return response.json()


def refused(response, status: int) -> str:
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/json")
    detail = response.json()["detail"]
    assert detail
    return detail


# --- Public reading ---------------------------------------------------------------------------


def test_anyone_lists_public_articles_in_their_language(network):
    public(network.editor, "visit", countries=["VN"], partners=[network.hust])
    draft(network.editor, "draft")
    scheduled(network.editor, "later")
    page = ok(Caller(None, "vi").get("/articles"))
    assert page["count"] == 1
    item = page["items"][0]
    assert item["slug"] == "visit" and item["url"] == "/vi/news/visit/"
    assert item["title"] == {"text": "Chuyến thăm Hà Nội", "language": "vi"}
    assert item["countries"] == ["VN"] and item["partners"][0]["slug"] == "hust"
    assert ok(Caller(None).get("/articles", country="FR"))["count"] == 0
    assert ok(Caller(None).get("/articles", partner="hust"))["count"] == 1


def test_a_missing_translation_says_which_language_is_shown(network):
    public(network.editor, "visit")
    article = ok(Caller(None, "zh-hans").get("/articles/visit"))
    assert article["title"]["language"] == "en"
    assert article["body"]["text"] == "First paragraph.\n\nSecond paragraph."


def test_what_is_not_public_answers_404_even_to_its_editor(network):
    draft(network.editor, "draft")
    scheduled(network.editor, "later")
    for slug in ("draft", "later", "nothing"):
        refused(Caller(None).get(f"/articles/{slug}"), 404)
        refused(Caller(network.editor).get(f"/articles/{slug}"), 404)


def test_bad_query_parameters_are_422(network):
    response = Caller(None).get("/articles", kind="poem", limit=1000)
    assert response.status_code == 422
    assert isinstance(response.json()["detail"], list)


def test_anyone_reads_published_cases_only(network):
    published = published_case(network, award="winner", award_year=2025)
    waiting = case(network)
    page = ok(Caller(None).get("/cases"))
    assert [c["slug"] for c in page["items"]] == [published.slug]
    assert page["items"][0]["title"]["language"] == "vi"
    assert ok(Caller(None).get("/cases", award="winner"))["count"] == 1
    assert ok(Caller(None).get("/cases", country="ID"))["count"] == 0
    refused(Caller(None).get(f"/cases/{waiting.slug}"), 404)
    assert ok(Caller(None).get(f"/cases/{published.slug}"))["body"]["language"] == "vi"


# --- Editors ----------------------------------------------------------------------------------


ARTICLE = {
    "slug": "from-the-api",
    "kind": "event",
    "title": {"en": "A workshop", "fr": "Un atelier"},
    "summary": {"en": "What it is about."},
    "body": {"en": "<script>alert(1)</script> is shown as text."},
    "event_type": "workshop",
    "starts_at": "2030-03-01T09:00:00+07:00",
    "time_zone": "Asia/Ho_Chi_Minh",
    "countries": ["VN"],
    "partners": ["hust"],
}


def test_an_editor_writes_then_schedules_then_publishes(network):
    services.tag_ensure(slug="workshops", name="Workshops")
    editor = Caller(network.editor)
    created = ok(editor.post("/manage/articles", {**ARTICLE, "tags": ["workshops"]}), 201)
    assert created["state"] == "draft"
    assert created["translations"]["title"] == {"en": "A workshop", "fr": "Un atelier"}
    assert created["event"]["starts_at"].startswith("2030-03-01T02:00:00")
    uuid = created["uuid"]

    later = (timezone.now() + datetime.timedelta(days=3)).isoformat()
    assert (
        ok(editor.post(f"/manage/articles/{uuid}/publish", {"publish_at": later}))["state"]
        == "scheduled"
    )
    refused(Caller(None).get("/articles/from-the-api"), 404)
    assert ok(editor.post(f"/manage/articles/{uuid}/publish"))["state"] == "published"
    detail = refused(editor.post(f"/manage/articles/{uuid}/publish"), 409)
    assert "already public" in detail
    assert ok(Caller(None).get("/articles/from-the-api"))["body"]["text"].startswith("<script>")

    assert (
        ok(editor.post(f"/manage/articles/{uuid}/unpublish", {"reason": "typo"}))["state"]
        == "draft"
    )
    refused(editor.post(f"/manage/articles/{uuid}/unpublish"), 409)


def test_an_editor_changes_only_what_is_sent(network):
    editor = Caller(network.editor)
    article = draft(network.editor)
    changed = ok(
        editor.patch(f"/manage/articles/{article.uuid}", {"title": {"zh-hans": "河内之行"}})
    )
    assert changed["translations"]["title"]["en"] == "A visit to Hanoi"
    assert changed["translations"]["title"]["zh-hans"] == "河内之行"
    refused(editor.patch(f"/manage/articles/{article.uuid}", {"title": {"en": ""}}), 400)


@pytest.mark.parametrize(
    ("changes", "status"),
    [
        ({"title": {"vi": "Chỉ tiếng Việt"}}, 400),
        ({"countries": ["ZZ"]}, 400),
        ({"partners": ["nobody"]}, 400),
        ({"tags": ["nothing"]}, 400),
        ({"time_zone": "Nowhere/City"}, 400),
        ({"starts_at": None}, 400),
        ({"title": {"de": "Besuch"}}, 422),
        ({"kind": "poem"}, 422),
        ({"starts_at": "next tuesday"}, 422),
    ],
)
def test_an_article_the_editor_cannot_write_is_refused(network, changes, status):
    refused(Caller(network.editor).post("/manage/articles", {**ARTICLE, **changes}), status)
    assert not Article.objects.exists()


def test_a_taken_slug_is_a_conflict(network):
    draft(network.editor, "from-the-api")
    refused(Caller(network.editor).post("/manage/articles", ARTICLE), 409)


def test_a_body_that_is_not_json_is_400(network):
    refused(Caller(network.editor).post("/manage/articles", raw="{not json"), 400)


def test_scheduling_in_the_past_is_refused(network):
    article = draft(network.editor)
    past = (timezone.now() - datetime.timedelta(hours=1)).isoformat()
    detail = refused(
        Caller(network.editor).post(
            f"/manage/articles/{article.uuid}/publish", {"publish_at": past}
        ),
        400,
    )
    assert "future" in detail


def test_only_editors_manage_and_nobody_without_a_token(network):
    article = draft(network.editor)
    for person in (network.hust_admin, network.teacher):
        caller = Caller(person)
        refused(caller.get("/manage/articles"), 403)
        refused(caller.post("/manage/articles", ARTICLE), 403)
        refused(caller.post(f"/manage/articles/{article.uuid}/publish"), 403)
    refused(Caller(None).get("/manage/articles"), 401)
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT


def test_editors_list_drafts_and_scheduled_articles(network):
    draft(network.editor, "a-draft")
    scheduled(network.editor, "a-later")
    public(network.editor, "a-public")
    editor = Caller(network.editor)
    assert ok(editor.get("/manage/articles"))["count"] == 3
    assert [a["slug"] for a in ok(editor.get("/manage/articles", state="scheduled"))["items"]] == [
        "a-later"
    ]
    import uuid

    refused(editor.get(f"/manage/articles/{uuid.uuid4()}"), 404)


def test_images_are_uploaded_as_multipart_and_judged_from_their_bytes(network):
    article = draft(network.editor)
    editor = Caller(network.editor)
    url = f"{API}/manage/articles/{article.uuid}/images"
    response = editor.client.post(
        url,
        {"file": SimpleUploadedFile("a.png", png()), "alt_en": "A red square"},
        **editor.headers,
    )
    image = ok(response, 201)
    assert image["content_type"] == "image/png" and image["alt"]["text"] == "A red square"
    response = editor.client.post(
        url,
        {"file": SimpleUploadedFile("a.png", b"<html>no</html>"), "alt_en": "x"},
        **editor.headers,
    )
    assert "not an image" in refused(response, 400)
    assert article.images.count() == 1


# --- Cases ------------------------------------------------------------------------------------


CASE = {
    "organisation": "hust",
    "title": {"vi": "Học tập cộng tác"},
    "summary": {"vi": "Tóm tắt."},
    "body": {"vi": "Nội dung."},
    "award": "nominee",
    "award_year": 2025,
}


def test_an_admin_submits_and_the_editor_returns_then_publishes(network):
    admin, editor = Caller(network.hust_admin), Caller(network.editor)
    submitted = ok(admin.post("/my/cases", CASE), 201)
    assert submitted["status"] == "submitted"
    uuid = submitted["uuid"]
    waiting = ok(editor.get("/manage/cases"))
    assert [c["uuid"] for c in waiting["items"]] == [uuid]

    refused(editor.post(f"/manage/cases/{uuid}/decision", {"outcome": "reject"}), 400)
    returned = ok(
        editor.post(
            f"/manage/cases/{uuid}/decision",
            {"outcome": "request_changes", "comment": "Add the results."},
        )
    )
    assert returned["status"] == "changes_requested"
    assert returned["history"][-1]["text"] == "Add the results."

    resubmitted = ok(admin.post(f"/my/cases/{uuid}/resubmit", {"body": {"vi": "Kết quả."}}))
    assert resubmitted["status"] == "resubmitted"
    refused(admin.post(f"/my/cases/{uuid}/resubmit", {}), 409)

    published = ok(
        editor.post(
            f"/manage/cases/{uuid}/decision",
            {"outcome": "publish", "award": "winner", "award_year": 2025},
        )
    )
    assert (published["status"], published["award"]) == ("published", "winner")
    refused(editor.post(f"/manage/cases/{uuid}/decision", {"outcome": "publish"}), 409)
    assert ok(Caller(None).get("/cases"))["count"] == 1


def test_who_may_submit_for_which_organisation(network):
    refused(Caller(network.hust_admin).post("/my/cases", {**CASE, "organisation": "ut"}), 403)
    refused(Caller(network.teacher).post("/my/cases", CASE), 403)
    refused(
        Caller(network.outsider_admin).post("/my/cases", {**CASE, "organisation": "outsider"}),
        403,
    )
    refused(Caller(network.hust_admin).post("/my/cases", {**CASE, "organisation": "nope"}), 404)
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("changes", "status"),
    [
        ({"title": {}, "summary": {}, "body": {}}, 400),
        ({"award_year": 1999}, 400),
        ({"competences": ["00000000-0000-0000-0000-000000000000"]}, 400),
        ({"award": "winner"}, 422),
        ({"title": {"xx": "?"}}, 422),
    ],
)
def test_a_case_that_cannot_be_taken_is_refused(network, changes, status):
    refused(Caller(network.hust_admin).post("/my/cases", {**CASE, **changes}), status)
    assert not Case.objects.exists()


def test_an_admin_sees_only_their_organisations_cases(network):
    mine = case(network)
    ut_case = case(network, organisation=network.ut, actor=network.ut_admin)
    admin = Caller(network.hust_admin)
    assert [c["uuid"] for c in ok(admin.get("/my/cases"))["items"]] == [str(mine.uuid)]
    refused(admin.get(f"/my/cases/{ut_case.uuid}"), 404)
    refused(admin.post(f"/my/cases/{ut_case.uuid}/resubmit", {}), 404)
    refused(Caller(network.teacher).get("/my/cases"), 403)
    refused(Caller(network.hust_admin).get("/manage/cases"), 403)


def test_the_operations_are_in_the_openapi_document(network):
    document = Client().get("/api/v1/openapi.json").json()
    paths = {p for p in document["paths"] if p.startswith("/api/v1/news/")}
    assert {
        "/api/v1/news/articles",
        "/api/v1/news/articles/{slug}",
        "/api/v1/news/manage/articles",
        "/api/v1/news/my/cases",
        "/api/v1/news/manage/cases/{case_id}/decision",
    } <= paths
