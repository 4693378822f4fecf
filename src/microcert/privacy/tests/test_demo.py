"""The privacy demo loads on top of the demo, twice without change."""

from microcert.accounts.models import User
from microcert.credentials.models import IssuedCredential
from microcert.credentials.verification import verify_credential
from microcert.privacy import demo, selectors
from microcert.privacy.models import ErasureRequest
from microcert.recognition.models import LedgerEntry


def test_the_demo_shows_an_erasure_done_and_a_request_waiting(db):
    from microcert.demo.services import demo_load

    demo_load()
    demo.load_demo()
    counts = (
        User.objects.count(),
        ErasureRequest.objects.count(),
        IssuedCredential.objects.count(),
    )
    demo.load_demo()
    assert (
        User.objects.count(),
        ErasureRequest.objects.count(),
        IssuedCredential.objects.count(),
    ) == counts

    done = ErasureRequest.objects.get(status=ErasureRequest.Status.DONE)
    former = done.person
    assert not former.is_active and former.legal_name == done.pseudonym
    assert not User.objects.filter(email=demo.FORMER_TEACHER_EMAIL).exists()
    (credential,) = IssuedCredential.objects.filter(recipient=former)
    assert not credential.is_public
    assert verify_credential(credential.document, allow_network=False).verified
    assert LedgerEntry.objects.filter(person=former).exists()

    (waiting,) = selectors.pending_requests()
    assert waiting.person.email == demo.WAITING_EMAIL and waiting.person.is_active
