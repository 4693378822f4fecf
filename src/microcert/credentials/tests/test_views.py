"""The credentials pages as people meet them: verification for anyone, a credential's public
page, the holder's list and downloads, and the issuer's list and status changes."""

import copy
import json

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from microcert.accounts.models import User
from microcert.core.selectors import events_for
from microcert.credentials import services
from microcert.credentials.models import IssuedCredential

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _default_language_afterwards():
    # A request to a /vi/ page leaves Vietnamese active in this thread; later tests expect
    # the default language.
    yield
    translation.activate(settings.LANGUAGE_CODE)


COLLABORATIVE = "organise-and-facilitate-online-collaborative-learning"


def person(email: str) -> User:
    return User.objects.get(email=email)


def logged_in(client: Client, email: str) -> Client:
    client.force_login(person(email))
    return client


@pytest.fixture
def hust_credential(world) -> IssuedCredential:
    """Lan's micro-credential, issued by HUST in English."""
    return world.issue(COLLABORATIVE, issuer=world.hust, language="en")


def page(response) -> str:
    return response.content.decode()


# --- the verification page ---------------------------------------------------------------


def test_the_verify_page_is_open_to_anyone_and_linked_from_the_navigation(client, world):
    response = client.get(reverse("credentials:verify"))
    assert response.status_code == 200
    assert 'name="credential_text"' in page(response)
    home = page(client.get("/en/"))
    assert reverse("credentials:verify") in home
    assert reverse("credentials:mine") not in home  # only for people who are signed in
    assert reverse("credentials:mine") in page(
        logged_in(client, "lan.pham@hust.example").get("/en/")
    )


def test_a_pasted_credential_verifies_with_every_check_shown(client, hust_credential):
    response = client.post(
        reverse("credentials:verify"), {"credential_text": json.dumps(hust_credential.document)}
    )
    html = page(response)
    assert response.status_code == 200
    assert "Verified" in html and "Not verified" not in html
    for label in ("Signature", "Issuer", "Validity period", "Revocation"):
        assert label in html
    assert "The eddsa-rdfc-2022 signature is valid." in html
    assert "Failed" not in html
    # Its own page is offered, since it is public.
    assert reverse("credentials:detail", args=[hust_credential.uuid]) in html


def test_an_uploaded_credential_file_verifies(client, hust_credential):
    upload = SimpleUploadedFile(
        "credential.json",
        json.dumps(hust_credential.document).encode(),
        content_type="application/json",
    )
    response = client.post(reverse("credentials:verify"), {"credential_file": upload})
    assert response.status_code == 200
    assert "The eddsa-rdfc-2022 signature is valid." in page(response)


def test_a_tampered_credential_does_not_verify_and_says_which_check_failed(client, hust_credential):
    tampered = copy.deepcopy(hust_credential.document)
    tampered["credentialSubject"]["achievement"]["name"] = "Doctor of Everything"
    response = client.post(reverse("credentials:verify"), {"credential_text": json.dumps(tampered)})
    html = page(response)
    assert response.status_code == 200
    assert "Not verified" in html
    assert "Failed" in html
    assert "Doctor of Everything" in html  # what the file claims is shown, marked unverified


def test_a_revoked_credential_is_reported_as_revoked(client, hust_credential):
    services.credential_revoke(credential=hust_credential, actor=None, reason="Plagiarism")
    response = client.post(
        reverse("credentials:verify"), {"credential_text": json.dumps(hust_credential.document)}
    )
    assert "The issuer has revoked this credential" in page(response)
    assert "Revoked by the issuer." in page(response)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "This is not valid JSON"),
        ("[1, 2, 3]", "A credential is a JSON object"),
        ("", "Paste a credential or choose a file to verify."),
        ("   ", "Paste a credential or choose a file to verify."),
        ("[" * 5000 + "]" * 5000, "The JSON is nested too deeply."),
        ('{"a":' * 100 + "1" + "}" * 100, "The JSON is nested too deeply."),
    ],
)
def test_garbage_gets_a_clear_error_and_never_a_server_error(client, world, text, message):
    response = client.post(reverse("credentials:verify"), {"credential_text": text})
    assert response.status_code == 400
    assert escape(message) in page(response)


def test_an_empty_form_gets_a_clear_error(client, world):
    response = client.post(reverse("credentials:verify"), {})
    assert response.status_code == 400
    assert "Paste a credential or choose a file to verify." in page(response)


def test_odd_json_objects_fail_their_checks_without_a_server_error(client, world):
    for document in ({}, {"@context": 5, "type": "x"}, {"proof": [1], "issuer": {"id": []}}):
        response = client.post(
            reverse("credentials:verify"), {"credential_text": json.dumps(document)}
        )
        assert response.status_code == 200
        assert "Not verified" in page(response)


def test_an_oversize_or_binary_upload_is_refused(client, world):
    big = SimpleUploadedFile("big.json", b'{"a": "' + b"x" * 1_000_001 + b'"}')
    response = client.post(reverse("credentials:verify"), {"credential_file": big})
    assert response.status_code == 400
    assert "larger than 1 MB" in page(response)
    binary = SimpleUploadedFile("c.json", b"\xff\xfe\x00\x01")
    response = client.post(reverse("credentials:verify"), {"credential_file": binary})
    assert response.status_code == 400
    assert "not UTF-8" in page(response)


# --- a credential's public page ----------------------------------------------------------


def test_the_public_page_shows_who_what_issuer_dates_and_a_live_verification(
    client, world, hust_credential
):
    response = client.get(reverse("credentials:detail", args=[hust_credential.uuid]))
    html = page(response)
    assert response.status_code == 200
    assert escape(world.lan.legal_name) in html
    assert escape(hust_credential.document["name"]) in html
    assert escape(hust_credential.document["issuer"]["name"]) in html
    assert "Verified" in html and "Within its validity period." in html
    assert "Learning outcomes" in html and "Standard elements" in html
    assert "Type of assessment" in html
    assert "Competences" in html
    # The holder's buttons are not there for a visitor.
    assert reverse("credentials:pdf", args=[hust_credential.uuid]) not in html


def test_the_title_follows_the_page_language_when_the_credential_carries_it(
    client, hust_credential
):
    version = hust_credential.specification_version
    url_vi = reverse("credentials:detail", args=[hust_credential.uuid]).replace("/en/", "/vi/")
    html = page(client.get(url_vi))
    assert escape(version.title_vi) in html
    assert f'lang="vi">{escape(version.title_vi)}' in html


def test_competences_show_the_level_achieved(client, world):
    version = world.version(COLLABORATIVE)
    alignment = version.alignments.select_related("competence__framework").first()
    level = alignment.competence.framework.levels.order_by("-position").first()
    credential = world.issue(
        COLLABORATIVE, issuer=world.hust, results={alignment.competence_id: level}
    )
    html = page(client.get(reverse("credentials:detail", args=[credential.uuid])))
    assert level.code in html and "achieved" in html


def test_only_web_addresses_in_a_document_become_links(client, hust_credential):
    document = copy.deepcopy(hust_credential.document)
    document["issuer"]["url"] = "javascript:alert(1)"
    document["credentialSubject"]["achievement"]["resultDescription"][0]["alignment"][0][
        "targetUrl"
    ] = "javascript:alert(2)"
    document["evidence"] = [{"id": "javascript:alert(3)", "type": ["Evidence"], "name": "x"}]
    IssuedCredential.objects.filter(pk=hust_credential.pk).update(document=document)
    html = page(client.get(reverse("credentials:detail", args=[hust_credential.uuid])))
    assert "javascript:" not in html


def test_a_revoked_credential_page_says_so_prominently_with_the_reason(client, hust_credential):
    services.credential_revoke(
        credential=hust_credential, actor=None, reason="Evidence was not the holder's own."
    )
    html = page(client.get(reverse("credentials:detail", args=[hust_credential.uuid])))
    assert "This credential has been revoked" in html
    assert "Evidence was not the holder" in html
    assert 'class="banner revoked"' in html


def test_a_suspended_credential_page_says_so_with_the_reason(client, world):
    world.allow_suspension(world.hust)
    credential = world.issue(COLLABORATIVE, issuer=world.hust)
    services.credential_suspend(credential=credential, actor=None, reason="Under investigation")
    html = page(client.get(reverse("credentials:detail", args=[credential.uuid])))
    assert "This credential is suspended" in html and "Under investigation" in html


def test_a_certificate_page_lists_its_parts(client, world):
    for version in world.members()[: world.pathway.required_count]:
        world.issue(version.micro_credential.slug)
    certificate = IssuedCredential.objects.get(pathway=world.pathway)
    html = page(client.get(reverse("credentials:detail", args=[certificate.uuid])))
    assert "Parts of this certificate" in html
    for part in certificate.components.all():
        assert reverse("credentials:detail", args=[part.uuid]) in html


@pytest.mark.parametrize(
    ("email", "status"),
    [
        (None, 404),  # anonymous
        ("hung.le@hust.example", 404),  # another teacher
        ("admin@ut.example", 404),  # another institution's admin
        ("manager@centre.example", 404),  # a programme manager of another issuer
        ("lan.pham@hust.example", 200),  # the holder
        ("admin@hust.example", 200),  # the issuing organisation's admin
    ],
)
def test_a_private_credential_is_not_found_except_by_its_holder_and_issuer(
    client, hust_credential, email, status
):
    services.credential_set_visibility(credential=hust_credential, actor=None, is_public=False)
    if email:
        logged_in(client, email)
    for name in ("detail", "json"):
        response = client.get(reverse(f"credentials:{name}", args=[hust_credential.uuid]))
        assert response.status_code == status, (name, email)


def test_programme_managers_see_private_credentials_their_organisation_issued(client, world):
    credential = world.issue(COLLABORATIVE, issuer=world.centre)
    services.credential_set_visibility(credential=credential, actor=None, is_public=False)
    logged_in(client, "manager@centre.example")
    assert client.get(reverse("credentials:detail", args=[credential.uuid])).status_code == 200


def test_an_unknown_credential_is_not_found(client, world):
    url = reverse("credentials:detail", args=["6f1c2a8e-3b7d-4e52-9a10-5c8d2e7f4b31"])
    assert client.get(url).status_code == 404


# --- downloads ---------------------------------------------------------------------------


def test_the_json_download_is_the_signed_document_as_an_attachment(client, hust_credential):
    response = client.get(reverse("credentials:json", args=[hust_credential.uuid]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"] == (
        f'attachment; filename="credential-{hust_credential.uuid}.json"'
    )
    assert json.loads(response.content) == hust_credential.document


def test_the_pdf_certificate_is_for_the_holder_and_is_a_pdf(client, hust_credential):
    url = reverse("credentials:pdf", args=[hust_credential.uuid])
    assert client.get(url).status_code == 302  # sign in first
    assert logged_in(client, "hung.le@hust.example").get(url).status_code == 403
    response = logged_in(client, "lan.pham@hust.example").get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")


# --- the holder's list -------------------------------------------------------------------


def test_my_credentials_needs_a_sign_in_and_lists_only_my_own(client, world, hust_credential):
    url = reverse("credentials:mine")
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    others = world.issue(COLLABORATIVE, issuer=world.hust, recipient=world.hung)
    html = page(logged_in(client, "lan.pham@hust.example").get(url))
    assert reverse("credentials:detail", args=[hust_credential.uuid]) in html
    assert reverse("credentials:detail", args=[others.uuid]) not in html
    for name in ("json", "pdf", "wallet"):
        assert reverse(f"credentials:{name}", args=[hust_credential.uuid]) in html
    assert "https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME" in html
    assert reverse("credentials:transcript") in html


def test_the_holder_makes_a_credential_private_and_public_again(client, hust_credential):
    url = reverse("credentials:visibility", args=[hust_credential.uuid])
    logged_in(client, "lan.pham@hust.example")
    assert client.get(url).status_code == 405
    response = client.post(url, {"is_public": "0"})
    assert response.status_code == 302
    hust_credential.refresh_from_db()
    assert hust_credential.is_public is False
    assert events_for(hust_credential).filter(verb="credential.made_private").exists()
    client.post(url, {"is_public": "1"})
    hust_credential.refresh_from_db()
    assert hust_credential.is_public is True


def test_only_the_holder_changes_visibility(client, hust_credential):
    url = reverse("credentials:visibility", args=[hust_credential.uuid])
    assert logged_in(client, "admin@hust.example").post(url, {"is_public": "0"}).status_code == 403
    hust_credential.refresh_from_db()
    assert hust_credential.is_public is True


def test_the_visibility_toggle_needs_the_csrf_token(hust_credential):
    client = Client(enforce_csrf_checks=True)
    client.force_login(hust_credential.recipient)
    url = reverse("credentials:visibility", args=[hust_credential.uuid])
    assert client.post(url, {"is_public": "0"}).status_code == 403
    hust_credential.refresh_from_db()
    assert hust_credential.is_public is True


# --- the issuer --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("email", "status"),
    [
        ("lan.pham@hust.example", 403),
        ("admin@ut.example", 403),
        ("manager@centre.example", 403),
        ("admin@hust.example", 200),
    ],
)
def test_the_issuer_list_is_for_the_organisations_admins(client, hust_credential, email, status):
    url = reverse("credentials:organisation", args=["hust"])
    assert logged_in(client, email).get(url).status_code == status


def test_the_issuer_list_needs_a_sign_in(client, world):
    response = client.get(reverse("credentials:organisation", args=["hust"]))
    assert response.status_code == 302


def test_programme_managers_manage_the_programme_owners_credentials(client, world):
    world.issue(COLLABORATIVE, issuer=world.centre)
    url = reverse("credentials:organisation", args=["centre"])
    assert logged_in(client, "manager@centre.example").get(url).status_code == 200


def test_the_issuer_list_filters_by_status(client, world, hust_credential):
    revoked = world.issue(COLLABORATIVE, issuer=world.hust, recipient=world.hung)
    services.credential_revoke(credential=revoked, actor=None, reason="Duplicate")
    logged_in(client, "admin@hust.example")
    url = reverse("credentials:organisation", args=["hust"])
    all_html = page(client.get(url))
    active_html = page(client.get(url, {"status": "active"}))
    revoked_html = page(client.get(url, {"status": "revoked"}))
    active_link = reverse("credentials:detail", args=[hust_credential.uuid])
    revoked_link = reverse("credentials:detail", args=[revoked.uuid])
    assert active_link in all_html and revoked_link in all_html
    assert active_link in active_html and revoked_link not in active_html
    assert revoked_link in revoked_html and active_link not in revoked_html
    assert client.get(url, {"status": "bogus"}).status_code == 200


def test_revoking_needs_a_reason_and_writes_an_event(client, hust_credential):
    url = reverse("credentials:status", args=[hust_credential.uuid])
    logged_in(client, "admin@hust.example")
    response = client.post(url, {"action": "revoke", "revoke-reason": "  "})
    assert response.status_code == 400
    assert "a reason is required" in page(response)
    hust_credential.refresh_from_db()
    assert hust_credential.status == "active"

    response = client.post(url, {"action": "revoke", "revoke-reason": "Evidence was copied."})
    assert response.status_code == 302
    hust_credential.refresh_from_db()
    assert hust_credential.status == "revoked"
    assert hust_credential.status_reason == "Evidence was copied."
    event = events_for(hust_credential).get(verb="credential.revoked")
    assert event.actor == person("admin@hust.example")
    assert event.reason == "Evidence was copied."
    # Revoked is final: no more forms, and another attempt is refused with a message.
    response = client.post(url, {"action": "revoke", "revoke-reason": "again"})
    assert response.status_code == 400
    assert "not possible" in page(response)


def test_suspending_and_reinstating(client, world):
    world.allow_suspension(world.hust)
    credential = world.issue(COLLABORATIVE, issuer=world.hust)
    url = reverse("credentials:status", args=[credential.uuid])
    logged_in(client, "admin@hust.example")
    assert 'value="suspend"' in page(client.get(url))
    client.post(url, {"action": "suspend", "suspend-reason": "Appeal pending"})
    credential.refresh_from_db()
    assert credential.status == "suspended"
    assert 'value="reinstate"' in page(client.get(url))
    client.post(url, {"action": "reinstate", "reinstate-reason": "Appeal upheld"})
    credential.refresh_from_db()
    assert credential.status == "active"
    verbs = set(events_for(credential).values_list("verb", flat=True))
    assert {"credential.suspended", "credential.reinstated"} <= verbs


def test_suspension_is_not_offered_without_a_suspension_entry(client, hust_credential):
    url = reverse("credentials:status", args=[hust_credential.uuid])
    logged_in(client, "admin@hust.example")
    assert 'value="suspend"' not in page(client.get(url))
    response = client.post(url, {"action": "suspend", "suspend-reason": "x"})
    assert response.status_code == 400
    hust_credential.refresh_from_db()
    assert hust_credential.status == "active"


@pytest.mark.parametrize(
    ("email", "status"),
    [
        ("lan.pham@hust.example", 403),  # the holder cannot revoke
        ("hung.le@hust.example", 403),
        ("admin@ut.example", 403),
        ("manager@centre.example", 403),
    ],
)
def test_others_cannot_change_a_status(client, hust_credential, email, status):
    url = reverse("credentials:status", args=[hust_credential.uuid])
    logged_in(client, email)
    assert client.get(url).status_code == status
    assert client.post(url, {"action": "revoke", "revoke-reason": "x"}).status_code == status
    hust_credential.refresh_from_db()
    assert hust_credential.status == "active"


def test_status_changes_of_a_private_credential_are_not_found_for_others(client, hust_credential):
    services.credential_set_visibility(credential=hust_credential, actor=None, is_public=False)
    url = reverse("credentials:status", args=[hust_credential.uuid])
    assert logged_in(client, "admin@ut.example").get(url).status_code == 404
    assert logged_in(client, "admin@hust.example").get(url).status_code == 200
