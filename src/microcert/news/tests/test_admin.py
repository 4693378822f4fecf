"""The admin shows news: tags and articles can be corrected (with an event), images are only
shown, cases and their review steps are read-only."""

import pytest

from microcert.accounts.models import User
from microcert.core.models import Event

from .builders import case, draft

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, network):
    User.objects.filter(pk=network.editor.pk).update(is_staff=True, is_superuser=True)
    client.force_login(network.editor)
    return client


def test_every_news_page_of_the_admin_opens(staff, network):
    article = draft(network.editor)
    submitted = case(network)
    for url in (
        "/en/admin/news/",
        "/en/admin/news/article/",
        f"/en/admin/news/article/{article.pk}/change/",
        "/en/admin/news/tag/add/",
        "/en/admin/news/case/",
        f"/en/admin/news/case/{submitted.pk}/change/",
    ):
        assert staff.get(url).status_code == 200, url
    assert staff.get("/en/admin/news/case/add/").status_code == 403


def test_a_tag_made_in_the_admin_writes_an_event(staff):
    response = staff.post(
        "/en/admin/news/tag/add/", {"slug": "workshops", "name_en": "Workshops", "name_vi": ""}
    )
    assert response.status_code == 302
    assert Event.objects.filter(verb="admin.created", object_type="news.tag").exists()
