"""The verification page for anyone: a pasted credential, an uploaded file or a link (the
address in a certificate's QR code), with a verdict a person understands at once: verified,
revoked, suspended, expired or altered."""

import copy
import datetime
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from microcert.accounts.models import User
from microcert.catalog.models import SpecificationVersion
from microcert.credentials import services, sharing
from microcert.credentials.models import IssuedCredential, Issuer

pytestmark = pytest.mark.django_db

VERIFY = "/en/verify/"
LINK = "/en/verify/link/"
COLLABORATIVE = "organise-and-facilitate-online-collaborative-learning"


def page(response) -> str:
    return response.content.decode()


@pytest.fixture
def credential(demo) -> IssuedCredential:
    return IssuedCredential.objects.filter(pathway__isnull=True, is_public=True).first()


def issue(*, valid_from=None, suspendable: bool = False) -> IssuedCredential:
    issuer = Issuer.objects.get(organisation__slug="centre")
    if suspendable:
        Issuer.objects.filter(pk=issuer.pk).update(offers_suspension=True)
        issuer.refresh_from_db()
    return services.credential_issue(
        issuer=issuer,
        recipient=User.objects.get(email="hung.le@hust.example"),
        version=SpecificationVersion.objects.get(
            micro_credential__slug=COLLABORATIVE, status="published"
        ),
        actor=None,
        valid_from=valid_from,
        stack=False,
    )


def paste(client, document: dict, language: str = "en"):
    return client.post(f"/{language}/verify/", {"credential_text": json.dumps(document)})


def test_the_page_offers_paste_upload_and_link(client, demo):
    html = page(client.get(VERIFY))
    assert 'name="credential_text"' in html and 'name="credential_file"' in html
    assert f'action="{LINK}"' in html and 'name="link"' in html
    assert '<label for="id_link">' in html


def test_a_genuine_credential_is_verified_in_every_language(client, credential):
    for language in ("en", "vi", "zh-hans", "fr"):
        html = page(paste(client, credential.document, language))
        assert 'class="verdict ok"' in html, language


def test_an_uploaded_file_is_verified(client, credential):
    upload = SimpleUploadedFile("c.json", json.dumps(credential.document).encode())
    assert 'class="verdict ok"' in page(client.post(VERIFY, {"credential_file": upload}))


def test_an_altered_credential_says_the_signature_does_not_match(client, credential):
    altered = copy.deepcopy(credential.document)
    altered["credentialSubject"]["achievement"]["name"] = "Doctor of Everything"
    html = page(paste(client, altered))
    assert 'class="verdict bad"' in html and "Not verified" in html
    assert "The signature does not match the content" in html


def test_a_revoked_credential_says_so(client, credential):
    services.credential_revoke(credential=credential, actor=None, reason="Plagiarism")
    html = page(paste(client, credential.document))
    assert "Revoked" in html and "The issuer has revoked this credential" in html


def test_a_suspended_credential_says_so(client, demo):
    suspended = issue(suspendable=True)
    services.credential_suspend(credential=suspended, actor=None, reason="Under review")
    html = page(paste(client, suspended.document))
    assert 'class="verdict warn"' in html and "Suspended" in html


def test_an_expired_credential_says_it_expired(client, demo):
    SpecificationVersion.objects.filter(
        micro_credential__slug=COLLABORATIVE, status="published"
    ).update(validity_months=12)
    expired = issue(valid_from=timezone.now() - datetime.timedelta(days=800))
    assert expired.document["validUntil"] < timezone.now().isoformat()
    html = page(paste(client, expired.document))
    assert "Expired" in html and "its validity period has ended" in html
    # Its public page says the same.
    detail = page(client.get(reverse("credentials:detail", args=[expired.uuid])))
    assert "its validity period has ended" in detail


@pytest.mark.parametrize(
    "make_link",
    [
        lambda c: sharing.page_url(c, "vi"),  # what the QR code of a Vietnamese certificate holds
        lambda c: sharing.page_url(c, "en") + "credential.json",
        lambda c: f"https://microcert.test/credentials/{c.uuid}",  # the VC-API address
        lambda c: f"http://testserver/fr/credentials/{c.uuid}/",  # the host it was asked on
        lambda c: f"urn:uuid:{c.uuid}",
        lambda c: f"  {str(c.uuid).upper()}  ",
    ],
)
def test_a_link_to_a_public_credential_opens_its_page_which_verifies_it(
    client, credential, make_link
):
    response = client.get(LINK, {"link": make_link(credential)})
    assert response.status_code == 302
    assert response["Location"] == reverse("credentials:detail", args=[credential.uuid])
    assert 'class="verdict ok"' in page(client.get(response["Location"]))


def test_a_link_in_another_language_keeps_the_visitors_language(client, credential):
    response = client.get("/vi/verify/link/", {"link": sharing.page_url(credential, "fr")})
    assert response["Location"] == f"/vi/credentials/{credential.uuid}/"


def test_a_link_to_a_revoked_credential_leads_to_its_revoked_page(client, credential):
    services.credential_revoke(credential=credential, actor=None, reason="Plagiarism")
    response = client.get(LINK, {"link": sharing.page_url(credential)}, follow=True)
    assert "This credential has been revoked" in page(response)


def test_private_and_unknown_credentials_get_the_same_answer(client, credential):
    unknown = client.get(LINK, {"link": "urn:uuid:00000000-0000-4000-8000-000000000000"})
    services.credential_set_visibility(credential=credential, actor=None, is_public=False)
    private = client.get(LINK, {"link": sharing.page_url(credential)})
    assert unknown.status_code == private.status_code == 400
    assert "No public credential has this link." in page(private)
    assert "No public credential has this link." in page(unknown)
    # The holder, signed in, is taken to her own private credential.
    client.force_login(credential.recipient)
    assert client.get(LINK, {"link": sharing.page_url(credential)}).status_code == 302


@pytest.mark.parametrize(
    ("link", "message"),
    [
        ("", "Enter a link to a credential to check it."),
        (
            "https://elsewhere.example/credentials/0b9b1d7e-6b7f-4f47-9c55-3a0b3c1c8d11/",
            "This link points to another site (elsewhere.example).",
        ),
        ("http://169.254.169.254/latest/meta-data/", "This link points to another site"),
        ("https://microcert.test/en/catalogue/", "This is not the link of a credential"),
        ("just some words", "This is not the link of a credential"),
        ("x" * 3000, "Ensure this value has at most 2000 characters"),
    ],
)
def test_bad_links_get_a_clear_message_and_nothing_is_fetched(client, demo, link, message):
    response = client.get(LINK, {"link": link})
    assert response.status_code == 400
    assert message in page(response)
    # The page still offers every way to verify.
    assert 'name="credential_text"' in page(response)
    assert 'aria-invalid="true"' in page(response)
