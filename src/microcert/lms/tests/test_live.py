"""End to end over real HTTP: a browser (requests), the tool (Django's live server) and the
platform (its own server), each calling the others. The platform checks the tool's client
assertion against the JWKS it fetches from the tool's /lti/jwks.json."""

from __future__ import annotations

import pytest
import requests

from microcert.learning.models import EvidenceItem

from .conftest import login_params
from .platform import AutoPostForm

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_launch_over_http_records_evidence(live_server, platform, live_world):
    world = live_world
    launch_url = f"{live_server.url}/lti/launch/"
    platform.redirect_uris.add(launch_url)
    platform.tool_jwks = None
    platform.tool_jwks_url = f"{live_server.url}/lti/jwks.json"
    lineitem = platform.lineitem("final-project")
    platform.set_result(lineitem, "moodle-user-42", resultScore=48, resultMaximum=50)
    world.registration.resource_links.create(
        resource_link_id="resource-link-77",
        micro_credential=world.version.micro_credential,
        completion_threshold=90,
    )
    platform.prepare("lan", lineitem=lineitem)
    browser = requests.Session()

    # The platform sends the browser to the tool's login initiation…
    login = browser.post(
        f"{live_server.url}/lti/login/",
        data=login_params(platform, "lan") | {"target_link_uri": launch_url},
        allow_redirects=False,
        timeout=10,
    )
    assert login.status_code == 302
    # …the tool sends it back to the platform, which answers with the id_token form…
    auth = browser.get(login.headers["Location"], timeout=10)
    assert auth.status_code == 200, auth.text
    form = AutoPostForm(auth.text)
    assert form.action == launch_url
    # …which the browser posts to the tool, state cookie and all.
    page = browser.post(form.action, data=form.fields, timeout=30)

    assert page.status_code == 200, page.text
    assert "Your result is recorded as evidence" in page.text
    assert platform.seen.token_errors == []
    assert len(platform.seen.token_requests) == 1
    item = EvidenceItem.objects.get(source=EvidenceItem.Source.LMS)
    assert item.submission_id == world.submission.pk
    assert item.details["score"] == 48
    assert item.details["threshold"] == 90
