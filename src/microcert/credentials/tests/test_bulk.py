"""Bulk issuance from a CSV file and bulk revocation: the upload checks, the job's rows, its
counts and errors, idempotency on a re-run, and who may do it."""

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from microcert.accounts.models import User
from microcert.catalog.models import SpecificationVersion
from microcert.core.selectors import events_for
from microcert.credentials import bulk
from microcert.credentials.models import BulkJob, IssuedCredential

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _default_language_afterwards():
    # A request to a /vi/ page leaves Vietnamese active in this thread; later tests expect
    # the default language.
    yield
    translation.activate(settings.LANGUAGE_CODE)


COLLABORATIVE = "organise-and-facilitate-online-collaborative-learning"
DATA = "guide-personalised-learning-with-data-insights"
CENTRE_ONLY = "design-ai-enhanced-learning-activities"
WITHDRAWN = "develop-skills-in-virtual-spaces"

MIXED_CSV = f"""email,specification,evidence_url,evidence_name
lan.pham@hust.example,{COLLABORATIVE},https://lms.example/evidence/1,Group task portfolio
HUNG.LE@hust.example,{DATA},https://lms.example/evidence/2,Learning analytics report
nobody@nowhere.example,{COLLABORATIVE},https://lms.example/evidence/3,Portfolio
lan.pham@hust.example,no-such-micro-credential,,
lan.pham@hust.example,{WITHDRAWN},,
lan.pham@hust.example,{CENTRE_ONLY},,
lan.pham@hust.example,{COLLABORATIVE},https://lms.example/evidence/4,Portfolio,extra
not-an-email,{COLLABORATIVE},,
lan.pham@hust.example,{COLLABORATIVE},ftp://lms.example/x,Portfolio
"""


def csv_file(text: str | bytes, name: str = "cohort.csv") -> SimpleUploadedFile:
    data = text.encode() if isinstance(text, str) else text
    return SimpleUploadedFile(name, data, content_type="text/csv")


@pytest.fixture
def admin(client, world):
    # Row errors are written in the uploader's language; this admin reads English here.
    User.objects.filter(email="admin@hust.example").update(preferred_language="en")
    client.force_login(User.objects.get(email="admin@hust.example"))
    SpecificationVersion.objects.filter(micro_credential__slug=WITHDRAWN).update(
        status=SpecificationVersion.Status.WITHDRAWN
    )
    return client


def upload_issue(client, text, django_capture_on_commit_callbacks, slug="hust"):
    url = reverse("credentials:bulk_issue", args=[slug])
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(url, {"file": csv_file(text)})


def test_a_mixed_file_issues_the_good_rows_and_explains_the_others(
    admin, world, django_capture_on_commit_callbacks
):
    response = upload_issue(admin, MIXED_CSV, django_capture_on_commit_callbacks)
    job = BulkJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("credentials:bulk_job", args=[job.uuid])
    assert job.kind == "issue" and job.issuer == world.hust
    assert job.state == "done" and job.finished_at is not None
    assert (job.total, job.processed, job.succeeded, job.skipped) == (9, 9, 2, 0)
    assert job.percent_done == 100

    messages = {error["line"]: error["message"] for error in job.errors}
    assert set(messages) == {4, 5, 6, 7, 8, 9, 10}
    assert "nobody@nowhere.example" in messages[4]
    assert "There is no micro-credential no-such-micro-credential" in messages[5]
    assert "has no published version" in messages[6]
    assert "is not an awarding body" in messages[7]
    assert "5 fields where the header has 4" in messages[8]
    assert "not an e-mail address" in messages[9]
    assert "not a web address" in messages[10]

    issued = IssuedCredential.objects.filter(issuer=world.hust).order_by("id")
    assert [(c.recipient.email, c.specification_version.micro_credential.slug) for c in issued] == [
        ("lan.pham@hust.example", COLLABORATIVE),
        ("hung.le@hust.example", DATA),
    ]
    evidence = issued[0].document["evidence"][0]
    assert evidence["id"] == "https://lms.example/evidence/1"
    assert evidence["name"] == "Group task portfolio"
    assert events_for(issued[0]).filter(verb="credential.issued").get().actor.email == (
        "admin@hust.example"
    )
    assert events_for(job).filter(verb="bulk_job.created").exists()
    assert events_for(job).filter(verb="bulk_job.finished").exists()


def test_row_errors_are_written_in_the_uploaders_language(
    admin, world, django_capture_on_commit_callbacks
):
    User.objects.filter(email="admin@hust.example").update(preferred_language="vi")
    text = f"email,specification\nlan.pham@hust.example,{CENTRE_ONLY}\n"
    upload_issue(admin, text, django_capture_on_commit_callbacks)
    assert "không phải là đơn vị cấp chứng chỉ" in BulkJob.objects.get().errors[0]["message"]


def test_the_job_page_shows_the_counts_and_the_row_errors(
    admin, world, django_capture_on_commit_callbacks
):
    response = upload_issue(admin, MIXED_CSV, django_capture_on_commit_callbacks)
    html = admin.get(response["Location"]).content.decode()
    assert "Done" in html
    assert "9 of 9 rows processed" in html
    assert escape("Nobody on the platform has the e-mail address nobody@nowhere.example.") in html
    assert "setTimeout" not in html  # no refreshing once the job is done


def test_running_the_same_file_again_issues_nothing_twice(
    admin, world, django_capture_on_commit_callbacks
):
    upload_issue(admin, MIXED_CSV, django_capture_on_commit_callbacks)
    before = IssuedCredential.objects.count()
    upload_issue(admin, MIXED_CSV, django_capture_on_commit_callbacks)
    second = BulkJob.objects.order_by("-id").first()
    assert IssuedCredential.objects.count() == before
    assert (second.succeeded, second.skipped, len(second.errors)) == (0, 2, 7)


def test_a_different_evidence_url_is_a_different_award(
    admin, world, django_capture_on_commit_callbacks
):
    first = f"email,specification,evidence_url\nlan.pham@hust.example,{COLLABORATIVE},https://a.example/1\n"
    upload_issue(admin, first, django_capture_on_commit_callbacks)
    upload_issue(admin, first.replace("/1", "/2"), django_capture_on_commit_callbacks)
    assert IssuedCredential.objects.filter(issuer=world.hust).count() == 2


def test_a_rerun_of_the_task_counts_again_without_issuing_again(
    admin, world, django_capture_on_commit_callbacks
):
    upload_issue(admin, MIXED_CSV, django_capture_on_commit_callbacks)
    job = BulkJob.objects.get()
    count = IssuedCredential.objects.count()
    BulkJob.objects.filter(pk=job.pk).update(state="running")  # a worker died half-way
    job = bulk.bulk_job_run(job.pk)
    assert IssuedCredential.objects.count() == count
    assert (job.state, job.processed, job.succeeded, job.skipped) == ("done", 9, 0, 2)
    assert len(job.errors) == 7


def test_levels_can_be_given_per_competence(admin, world, django_capture_on_commit_callbacks):
    version = world.version(COLLABORATIVE)
    alignment = version.alignments.select_related("competence__framework").first()
    level = alignment.competence.framework.levels.order_by("-position").first()
    text = (
        f"email,specification,level_{alignment.competence.code}\n"
        f"lan.pham@hust.example,{COLLABORATIVE},{level.code}\n"
        f"hung.le@hust.example,{COLLABORATIVE},Z9\n"
    )
    upload_issue(admin, text, django_capture_on_commit_callbacks)
    job = BulkJob.objects.get()
    assert job.succeeded == 1
    assert "Z9 is not a level" in job.errors[0]["message"]
    credential = IssuedCredential.objects.get(recipient=world.lan)
    assert credential.document["credentialSubject"]["result"][0]["value"] == level.code


def test_semicolons_and_a_byte_order_mark_are_understood(
    admin, world, django_capture_on_commit_callbacks
):
    text = f"\ufeffemail;specification\r\nlan.pham@hust.example;{COLLABORATIVE}\r\n"
    upload_issue(admin, text, django_capture_on_commit_callbacks)
    assert BulkJob.objects.get().succeeded == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"x" * (2 * 1024 * 1024 + 1), "larger than 2 MB"),
        ("email,specification\nlan,é\n".encode("latin-1"), "not UTF-8"),
        (b"", "The submitted file is empty."),
        (b"   \n\n", "The file is empty."),
        (b"name,course\nLan,x\n", "The first line must be a header"),
        (b"email,specification\n", "The file has a header but no rows."),
        (b"email,email,specification\na,a,b\n", "names a column twice: email"),
        (b"email,specification\n\x00\x01,\n", "not a CSV text file"),
        (
            ("email,specification\n" + "a@b.example,x\n" * 5001).encode(),
            "more than 5000 rows",
        ),
    ],
)
def test_a_bad_upload_is_refused_with_a_message_and_nothing_is_stored(
    admin, world, content, message
):
    url = reverse("credentials:bulk_issue", args=["hust"])
    response = admin.post(url, {"file": csv_file(content)})
    assert response.status_code == 400
    assert escape(message) in response.content.decode()
    assert not BulkJob.objects.exists()
    assert not IssuedCredential.objects.exists()


def test_exactly_5000_rows_are_accepted():
    upload = csv_file("email,specification\n" + "a@b.example,x\n" * 5000)
    assert len(bulk.read_issue_csv(upload).rows) == 5000


def test_the_upload_page_needs_a_file(admin, world):
    response = admin.post(reverse("credentials:bulk_issue", args=["hust"]), {})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


@pytest.mark.parametrize(
    ("email", "status"),
    [
        ("lan.pham@hust.example", 403),
        ("admin@ut.example", 403),
        ("manager@centre.example", 403),
    ],
)
def test_only_the_organisations_managers_upload(client, world, email, status):
    client.force_login(User.objects.get(email=email))
    for name in ("bulk_issue", "bulk_revoke"):
        url = reverse(f"credentials:{name}", args=["hust"])
        assert client.get(url).status_code == status
        assert client.post(url, {"file": csv_file(MIXED_CSV)}).status_code == status
    assert not BulkJob.objects.exists()


def test_a_job_page_is_only_for_the_organisations_managers(
    admin, world, django_capture_on_commit_callbacks
):
    upload_issue(admin, MIXED_CSV, django_capture_on_commit_callbacks)
    url = reverse("credentials:bulk_job", args=[BulkJob.objects.get().uuid])
    other = Client()
    other.force_login(User.objects.get(email="admin@ut.example"))
    assert other.get(url).status_code == 403
    assert Client().get(url).status_code == 302


def test_a_running_job_page_refreshes_itself(admin, world):
    job = bulk.bulk_job_create(
        kind="issue",
        issuer=world.hust,
        actor=User.objects.get(email="admin@hust.example"),
        file_name="cohort.csv",
        rows=[{"line": 2, "values": {}, "fields": 2, "expected": 2}],
    )
    html = admin.get(reverse("credentials:bulk_job", args=[job.uuid])).content.decode()
    assert "Queued" in html and 'http-equiv="refresh"' in html and "0 of 1 rows processed" in html


# --- bulk revocation ---------------------------------------------------------------------


def test_bulk_revoke_revokes_the_organisations_credentials_with_the_reason(
    admin, world, django_capture_on_commit_callbacks
):
    ours = [
        world.issue(COLLABORATIVE, issuer=world.hust, recipient=world.lan),
        world.issue(COLLABORATIVE, issuer=world.hust, recipient=world.hung),
    ]
    theirs = world.issue(COLLABORATIVE, issuer=world.centre, recipient=world.hung)
    lines = [
        "credential",
        str(ours[0].uuid),
        f"urn:uuid:{ours[1].uuid}",
        str(ours[0].uuid),  # twice: the second time it is already revoked
        str(theirs.uuid),  # another issuer's: refused
        "garbage",
    ]
    url = reverse("credentials:bulk_revoke", args=["hust"])
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            url, {"file": csv_file("\n".join(lines) + "\n"), "reason": "Assessment was void."}
        )
    assert response.status_code == 302
    job = BulkJob.objects.get()
    assert (job.kind, job.succeeded, job.skipped, len(job.errors)) == ("revoke", 2, 1, 2)
    assert [e["line"] for e in job.errors] == [5, 6]
    for credential in ours:
        credential.refresh_from_db()
        assert credential.status == "revoked"
        assert credential.status_reason == "Assessment was void."
    theirs.refresh_from_db()
    assert theirs.status == "active"


def test_bulk_revoke_needs_a_reason(admin, world):
    credential = world.issue(COLLABORATIVE, issuer=world.hust)
    url = reverse("credentials:bulk_revoke", args=["hust"])
    response = admin.post(url, {"file": csv_file(f"credential\n{credential.uuid}\n"), "reason": ""})
    assert response.status_code == 400
    assert "a reason is required" in response.content.decode()
    assert not BulkJob.objects.exists()


def test_bulk_revoke_needs_a_credential_column(admin, world):
    url = reverse("credentials:bulk_revoke", args=["hust"])
    response = admin.post(url, {"file": csv_file("email\na@b.example\n"), "reason": "x"})
    assert response.status_code == 400
    assert "The first line must be a header" in response.content.decode()


# --- pieces ------------------------------------------------------------------------------


def test_the_idempotency_key_is_stable_and_ignores_the_case_of_the_address(world):
    one = bulk.issue_key(world.hust, COLLABORATIVE, "Lan.Pham@HUST.example", "https://a/1")
    assert one == bulk.issue_key(world.hust, COLLABORATIVE, "lan.pham@hust.example", "https://a/1")
    assert one != bulk.issue_key(
        world.centre, COLLABORATIVE, "lan.pham@hust.example", "https://a/1"
    )
    assert one != bulk.issue_key(world.hust, DATA, "lan.pham@hust.example", "https://a/1")
    assert one.startswith("bulk:") and len(one) <= 200


@pytest.mark.parametrize(
    ("value", "found"),
    [
        ("538a8deb-fec0-45a1-9357-b6e4fa3e2c43", True),
        ("urn:uuid:538a8deb-fec0-45a1-9357-b6e4fa3e2c43", True),
        ("https://microcert.test/en/credentials/538a8deb-fec0-45a1-9357-b6e4fa3e2c43/", True),
        ("538a8deb", False),
        ("42", False),
        ("", False),
    ],
)
def test_a_credential_is_named_by_its_uuid_id_or_page(value, found):
    assert (bulk.credential_reference(value) is not None) is found


def test_the_task_runs_a_job(world):
    from microcert.credentials import tasks

    job = bulk.bulk_job_create(
        kind="issue",
        issuer=world.hust,
        actor=User.objects.get(email="admin@hust.example"),
        file_name="one.csv",
        rows=[
            {
                "line": 2,
                "values": {"email": "lan.pham@hust.example", "specification": COLLABORATIVE},
                "fields": 2,
                "expected": 2,
            }
        ],
    )
    outcome = tasks.run_bulk_job.delay(job.pk).get()
    assert outcome["state"] == "done" and outcome["succeeded"] == 1


def test_a_revoke_job_needs_a_reason(world):
    with pytest.raises(ValidationError):
        bulk.bulk_job_create(
            kind="revoke",
            issuer=world.hust,
            actor=User.objects.get(email="admin@hust.example"),
            file_name="x.csv",
            rows=[],
        )
