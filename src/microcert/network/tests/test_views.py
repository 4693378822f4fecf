"""The network's pages as each role sees them, with their refusals."""

import datetime
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from microcert.network import services
from microcert.network.models import AccessionApplication, AgreementDocument, NetworkPosition

from .conftest import submit
from .test_governance import PDF

pytestmark = pytest.mark.django_db

JOIN = "/en/network/join/"


def join_data(**overrides) -> dict:
    data = {
        "organisation": "",
        "name": "Université Nouvelle",
        "kind": "hei",
        "country": "SN",
        "subregion": "sub_saharan_africa",
        "membership_kind": "partner_hei",
        "intended_cooperation": ["network_accession", "pd_recognition"],
        "motivation": "Nous voulons certifier nos enseignants.",
        "language": "fr",
        "contact0_name": "Awa Diop",
        "contact0_email": "awa@nouvelle.example",
    }
    data.update(overrides)
    return data


# --- Public pages -----------------------------------------------------------------------------


def test_the_network_page_shows_the_years_positions_and_centres(client, office):
    services.position_appoint(year=2026, kind="presidency", organisation=office.a)
    response = client.get("/en/network/?year=2026")
    assert response.status_code == 200
    assert "University A" in response.text
    assert client.get("/en/network/?year=banana").status_code == 200


def test_anyone_may_apply_and_is_sent_the_status_link(
    client, office, django_capture_on_commit_callbacks
):
    assert client.get(JOIN).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(JOIN, join_data())
    assert response.status_code == 302 and response.url.endswith("/network/join/thanks/")
    application = AccessionApplication.objects.get()
    assert application.proposed_name == "Université Nouvelle" and application.language == "fr"
    assert "awa@nouvelle.example" in client.get(response.url).text
    link = next(m for m in mail.outbox if m.to == ["awa@nouvelle.example"])
    status_path = re.search(r"/fr/network/join/status/[^/\s]+/", link.body).group(0)
    page = client.get(status_path)
    assert page.status_code == 200 and "Université Nouvelle" in page.text
    assert page["Referrer-Policy"] == "no-referrer"


def test_the_join_form_shows_every_problem_and_keeps_the_input(client, office):
    response = client.post(JOIN, join_data(name="", contact0_email="nope", organisation="zzz"))
    assert response.status_code == 400
    assert "Choose one of the institutions listed." in response.text
    assert "Nous voulons certifier" in response.text
    assert not AccessionApplication.objects.exists()


def test_a_member_cannot_apply_again_through_the_form(client, office):
    response = client.post(JOIN, join_data(organisation="uni-a", name="", kind="", country=""))
    assert response.status_code == 400  # not offered: members are not in the list
    assert not AccessionApplication.objects.exists()


def test_an_unknown_status_link_is_404(client, office):
    assert client.get("/en/network/join/status/nothing-here/").status_code == 404


def test_the_applicant_answers_a_request_on_the_status_page(client, office):
    application, key = submit()
    services.accession_request_information(
        application=application, message="Tell us more", actor=office.manager
    )
    url = f"/en/network/join/status/{key}/"
    assert "Your answer" in client.get(url).text
    empty = client.post(url, {"step": "reply", "message": ""})
    assert empty.status_code == 400
    response = client.post(url, {"step": "reply", "message": "Here is more."})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == "submitted"


# --- The office -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/en/network/accessions/",
        "/en/network/centres/",
        "/en/network/positions/",
        "/en/network/agreements/new/",
    ],
)
def test_office_pages_refuse_everyone_but_the_managers(client, office, url):
    assert client.get(url).status_code == 302  # to sign in
    for person in (office.admin_a, office.teacher_a):
        client.force_login(person)
        assert client.get(url).status_code == 403, (person, url)
    client.force_login(office.manager)
    assert client.get(url).status_code == 200


def test_the_office_approves_from_the_application_page(client, office):
    application, _key = submit()
    client.force_login(office.manager)
    url = f"/en/network/accessions/{application.uuid}/"
    assert "New University" in client.get("/en/network/accessions/").text
    assert client.get(url).status_code == 200
    refused = client.post(url, {"action": "decline", "message": ""})
    assert refused.status_code == 400 and "Give the reasons" in refused.text
    assert client.post(url, {"action": "approve", "message": ""}).status_code == 302
    application.refresh_from_db()
    assert application.status == "approved"
    again = client.post(url, {"action": "approve", "message": ""})
    assert again.status_code == 400 and "this one is approved" in again.text


def test_the_office_designates_a_centre_and_appoints_positions(client, office):
    client.force_login(office.manager)
    response = client.post(
        "/en/network/centres/",
        {"organisation": "uni-a", "agreement": "MOU-A-001", "starts_on": "2025-01-01"},
    )
    assert response.status_code == 302
    clash = client.post(
        "/en/network/centres/",
        {"organisation": "uni-a", "agreement": "MOU-A-001", "starts_on": "2025-06-01"},
    )
    assert clash.status_code == 400 and "already has a National Centre" in clash.text
    response = client.post(
        "/en/network/positions/?year=2026",
        {"year": "2026", "kind": "presidency", "organisation": "uni-a", "person": ""},
    )
    assert response.status_code == 302
    assert NetworkPosition.objects.filter(year=2026, kind="presidency").exists()
    unknown = client.post(
        "/en/network/positions/?year=2026",
        {"kind": "secretary_general", "organisation": "centre", "person": "who@x.example"},
    )
    assert unknown.status_code == 400 and "Nobody on the platform" in unknown.text


# --- Agreements -------------------------------------------------------------------------------


def agreement_url(office, rest=""):
    return f"/en/network/agreements/{office.mou.uuid}/{rest}"


def test_agreements_are_read_by_the_parties_admins_and_hidden_from_others(client, office):
    client.force_login(office.admin_a)
    assert "MOU-A-001" in client.get("/en/network/agreements/").text
    page = client.get(agreement_url(office))
    assert page.status_code == 200 and "Co-develop a programme" in page.text
    client.force_login(office.admin_b)
    assert "MOU-A-001" not in client.get("/en/network/agreements/").text
    assert client.get(agreement_url(office)).status_code == 404
    client.force_login(office.teacher_a)
    assert client.get("/en/network/agreements/").status_code == 403


def test_only_managers_move_the_lifecycle(client, office):
    client.force_login(office.admin_a)
    data = {"status": "terminated", "on": "2026-01-31"}
    assert client.post(agreement_url(office, "status/"), data).status_code == 403
    client.force_login(office.manager)
    skip = client.post(agreement_url(office, "status/"), {"status": "draft", "on": "2026-01-31"})
    assert skip.status_code == 400
    assert client.post(agreement_url(office, "status/"), data).status_code == 302
    office.mou.refresh_from_db()
    assert office.mou.status == "terminated"


def test_the_owners_admin_reports_progress_on_their_item(client, office):
    url = agreement_url(office, f"items/{office.item.pk}/status/")
    client.force_login(office.admin_a)
    prefix = f"item{office.item.pk}"
    assert client.post(url, {f"{prefix}-status": "done"}).status_code == 302
    office.item.refresh_from_db()
    assert office.item.status == "done"
    bad = client.post(url, {f"{prefix}-status": "exploded"})
    assert bad.status_code == 400


def test_documents_upload_download_and_refusal(client, office, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(office.admin_a)
    fake = SimpleUploadedFile("virus.pdf", b"MZ\x90\x00" + b"\x00" * 100)
    refused = client.post(
        agreement_url(office, "documents/"),
        {"title": "Annex", "kind": "annex", "language": "en", "file": fake},
    )
    assert refused.status_code == 400 and "whatever its name says" in refused.text
    good = SimpleUploadedFile("signed.pdf", PDF)
    response = client.post(
        agreement_url(office, "documents/"),
        {"title": "Signed copy", "kind": "signed_copy", "language": "en", "file": good},
    )
    assert response.status_code == 302
    document = AgreementDocument.objects.get()
    url = agreement_url(office, f"documents/{document.uuid}/")
    download = client.get(url)
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == PDF
    # Another institution's admin cannot even see that it exists; removing is the managers'.
    client.force_login(office.admin_b)
    assert client.get(url).status_code == 404
    client.force_login(office.admin_a)
    assert (
        client.post(agreement_url(office, f"documents/{document.uuid}/remove/")).status_code == 403
    )
    client.logout()
    assert client.get(url).status_code == 302


def test_the_manager_records_a_new_agreement(client, office):
    client.force_login(office.manager)
    response = client.post(
        "/en/network/agreements/new/",
        {
            "reference": "MOU-B-001",
            "kind": "mou",
            "title": "With B",
            "parties": ["centre", "uni-b"],
        },
    )
    assert response.status_code == 302
    duplicate = client.post(
        "/en/network/agreements/new/",
        {"reference": "mou-b-001", "kind": "mou", "title": "Again", "parties": ["centre"]},
    )
    assert duplicate.status_code == 400
    assert "Another agreement has this reference." in duplicate.text
    assert "at least two parties" in duplicate.text


def test_the_partner_timeline_page_is_for_its_admins_and_the_office(client, office):
    url = "/en/network/members/uni-a/timeline/"
    client.force_login(office.admin_b)
    assert client.get(url).status_code == 403
    client.force_login(office.admin_a)
    page = client.get(url)
    assert page.status_code == 200 and "Co-develop a programme" in page.text
    assert client.get("/en/network/members/nowhere/timeline/").status_code == 404


def test_dates_out_of_range_are_form_errors_not_crashes(client, office):
    client.force_login(office.manager)
    response = client.post(
        agreement_url(office, "status/"), {"status": "expired", "on": "9999-01-01"}
    )
    assert response.status_code == 400
    assert datetime.date.today().year  # the page answered, nothing raised
