"""National Centres, positions and agreement documents: the services and their refusals."""

import datetime
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from microcert.core.models import Event
from microcert.network import selectors, services, uploads
from microcert.network.models import AgreementDocument, NationalCentre

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


def designate(office, **overrides):
    arguments = {
        "organisation": office.a,
        "agreement": office.mou,
        "starts_on": datetime.date(2025, 1, 1),
        "actor": office.manager,
    }
    arguments.update(overrides)
    return services.national_centre_designate(**arguments)


def test_a_national_centre_is_designated_with_an_event_and_shown_in_force(office):
    centre = designate(office)
    assert centre.country.code == "VN"
    assert Event.objects.filter(verb="national_centre.designated").count() == 1
    assert list(selectors.national_centres_in_force(datetime.date(2025, 6, 1))) == [centre]
    assert list(selectors.national_centres_in_force(datetime.date(2024, 6, 1))) == []


def test_a_second_national_centre_for_the_same_country_and_time_is_refused(office):
    designate(office, ends_on=datetime.date(2025, 12, 31))
    with pytest.raises(services.StepRefused, match="already has a National Centre"):
        designate(office, starts_on=datetime.date(2025, 6, 1))
    # After the first ends, a new designation may start.
    designate(office, starts_on=datetime.date(2026, 1, 1))
    assert NationalCentre.objects.count() == 2


def test_a_national_centre_must_be_a_party_to_a_signed_agreement(office):
    with pytest.raises(ValidationError, match="not a party"):
        designate(office, organisation=office.b)


def test_ending_a_designation(office):
    centre = designate(office)
    services.national_centre_end(
        designation=centre, on=datetime.date(2026, 3, 31), reason="Rotation"
    )
    centre.refresh_from_db()
    assert centre.ends_on == datetime.date(2026, 3, 31)
    with pytest.raises(services.StepRefused):
        services.national_centre_end(designation=centre, on=datetime.date(2026, 6, 30))


def test_positions_one_presidency_a_year_and_coordinators_by_subregion(office):
    services.position_appoint(year=2026, kind="presidency", organisation=office.a)
    with pytest.raises(services.StepRefused, match="already held"):
        services.position_appoint(year=2026, kind="presidency", organisation=office.b)
    with pytest.raises(ValidationError, match="sub-region"):
        services.position_appoint(year=2026, kind="regional_coordinator", organisation=office.b)
    services.position_appoint(
        year=2026,
        kind="regional_coordinator",
        subregion="south_eastern_asia",
        organisation=office.b,
    )
    services.position_appoint(
        year=2026, kind="secretary_general", organisation=office.centre, person=office.manager
    )
    secretariat = selectors.secretariat_of_year(2026)
    assert secretariat.presidency.organisation == office.a
    assert secretariat.secretary_general.person == office.manager
    assert [p.organisation for p in secretariat.coordinators] == [office.b]


def test_a_position_needs_a_member_and_a_person_of_that_organisation(office):
    with pytest.raises(ValidationError, match="was not a member"):
        services.position_appoint(year=2010, kind="presidency", organisation=office.a)
    with pytest.raises(ValidationError, match="holds no role"):
        services.position_appoint(
            year=2026, kind="presidency", organisation=office.a, person=office.admin_b
        )


def test_removing_a_position_keeps_an_event(office):
    position = services.position_appoint(year=2026, kind="presidency", organisation=office.a)
    services.position_remove(position=position, actor=office.manager, reason="Mistake")
    assert not selectors.positions_of_year(2026).exists()
    assert Event.objects.filter(verb="network_position.removed").exists()


@pytest.mark.parametrize("content, name", [(PDF, "signed.pdf"), (docx(), "draft.docx")])
def test_documents_are_taken_by_their_content(office, content, name, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    document = services.agreement_document_add(
        agreement=office.mou,
        upload=SimpleUploadedFile(name, content),
        title="Signed copy",
        kind="signed_copy",
        language="en",
        actor=office.manager,
    )
    assert document.content_type in uploads.ACCEPTED and document.size == len(content)
    # Stored under a name of our own, never the uploaded one.
    assert name not in document.file.name and str(office.mou.uuid) in document.file.name
    assert Event.objects.filter(verb="agreement.document_added").count() == 1


@pytest.mark.parametrize(
    "content, name, reason",
    [
        (b"MZ\x90\x00\x03" + b"\x00" * 200, "agreement.pdf", "program"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "scan.pdf", "image"),
        (b"just some text that claims to be a PDF", "fake.pdf", "unrecognised"),
        (b"", "empty.pdf", "empty"),
    ],
)
def test_documents_that_are_not_what_their_name_says_are_refused(
    office, content, name, reason, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(ValidationError) as refused:
        services.agreement_document_add(
            agreement=office.mou,
            upload=SimpleUploadedFile(name, content),
            title="x",
            kind="annex",
            language="en",
            actor=office.manager,
        )
    assert reason in " ".join(refused.value.messages)
    assert not AgreementDocument.objects.exists()
    assert not any(tmp_path.rglob("*.*"))


def test_a_document_that_is_too_big_is_refused(office, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.AGREEMENT_DOCUMENT_MAX_BYTES = 10
    with pytest.raises(ValidationError, match="accepted"):
        services.agreement_document_add(
            agreement=office.mou,
            upload=SimpleUploadedFile("a.pdf", PDF),
            title="x",
            kind="annex",
            language="en",
            actor=None,
        )
