"""Verify every issued credential with the platform's own verifier, offline (our DID documents
and status lists come from the database), and compare what the status lists say with the
status each credential has on record; then say whether each issuer can still sign.

Meant for after a restore (``restore --verify`` calls it) and for audits. It fails (exit
status 1) when a credential does not verify or its status differs from the record.
"""

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from microcert.credentials import keystore, services, verification
from microcert.credentials.models import IssuedCredential, Issuer, StatusList


@dataclass
class Outcome:
    uuid: str
    name: str
    recorded_status: str
    verdict: str
    revoked: bool
    suspended: bool
    expired: bool
    problems: list[str] = field(default_factory=list)


def judge(credential: IssuedCredential) -> Outcome:
    """What the verifier says of a credential, against what the database records."""
    result = verification.verify_credential(credential.document, allow_network=False)
    failed = [check for check in result.checks if not check.passed]
    problems = [
        f"{check.name}: {check.message}"
        for check in failed
        if check.name != "validity" and not check.name.startswith("status")
    ]
    # A set status bit fails its check on purpose; any other failed status check is a problem.
    failed_status = [check for check in failed if check.name.startswith("status")]
    if len(failed_status) != int(result.revoked) + int(result.suspended):
        problems += [f"{check.name}: {check.message}" for check in failed_status]
    recorded = credential.status
    if result.revoked != (recorded == IssuedCredential.Status.REVOKED):
        problems.append(
            f"recorded as {recorded}, but the status list "
            f"{'says revoked' if result.revoked else 'does not say revoked'}"
        )
    if recorded == IssuedCredential.Status.SUSPENDED and not result.suspended:
        problems.append("recorded as suspended, but the status list does not say so")
    if result.suspended and recorded == IssuedCredential.Status.ACTIVE:
        problems.append("recorded as active, but the status list says suspended")
    expired = any(check.name == "validity" for check in failed)
    if problems:
        verdict = "problem"
    elif result.revoked:
        verdict = "revoked"
    elif result.suspended:
        verdict = "suspended"
    elif expired:
        verdict = "expired"
    else:
        verdict = "verified"
    return Outcome(
        uuid=str(credential.uuid),
        name=str(credential.document.get("name", "")),
        recorded_status=recorded,
        verdict=verdict,
        revoked=result.revoked,
        suspended=result.suspended,
        expired=expired,
        problems=problems,
    )


def signing_readiness(issuer: Issuer) -> tuple[bool, str]:
    """Whether the issuer's active key can be decrypted with the configured key-encryption
    keys (the private key is decrypted in memory and dropped)."""
    key = issuer.keys.filter(retired_at__isnull=True).first()
    if key is None:
        return False, "no active key"
    try:
        keystore.decrypt_private_key(
            key.encrypted_private_key, kek_id=key.kek_id, bound_to=key.public_key_multibase
        )
    except (keystore.KeyDecryptionError, ImproperlyConfigured) as error:
        return False, str(error)
    return True, f"key-encryption key {key.kek_id!r}"


def published_documents() -> dict[str, dict]:
    """What the platform publishes for verifiers: every status list and did:web document."""
    documents: dict[str, dict] = {}
    for status_list in StatusList.objects.select_related("issuer__organisation"):
        documents[services.status_list_url(status_list)] = status_list.signed_credential
        issuer = status_list.issuer
        if issuer.did_method == Issuer.DidMethod.WEB:
            documents[services.issuer_did(issuer)] = verification.own_did_document(
                issuer.organisation.slug
            )
    return documents


class Command(BaseCommand):
    help = (
        "Verify every issued credential offline and compare its status with the record; "
        "report whether each issuer can sign. Exit status 1 on any problem."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--json", dest="as_json", action="store_true", help="print the outcome as JSON"
        )
        parser.add_argument(
            "--documents",
            metavar="PATH",
            help=(
                "also write the credentials with the DID documents and status lists they need "
                "(JSON), for verifiers outside the platform"
            ),
        )

    def handle(self, *args, as_json: bool, documents: str | None, **options) -> None:
        credentials = IssuedCredential.objects.order_by("pk")
        outcomes = [judge(credential) for credential in credentials.iterator(chunk_size=200)]
        issuers = []
        for issuer in Issuer.objects.select_related("organisation").order_by("pk"):
            ready, reason = signing_readiness(issuer)
            issuers.append(
                {"organisation": issuer.organisation.slug, "can_sign": ready, "reason": reason}
            )
        if documents:
            bundle = {
                "credentials": [c.document for c in credentials.iterator(chunk_size=200)],
                "documents": published_documents(),
            }
            Path(documents).write_text(_dumps(bundle), encoding="utf-8")
        verdicts = [outcome.verdict for outcome in outcomes]
        tally = {v: verdicts.count(v) for v in ("verified", "revoked", "suspended", "expired")}
        problems = [outcome for outcome in outcomes if outcome.problems]
        if as_json:
            self.stdout.write(
                _dumps(
                    {
                        "credentials": [asdict(outcome) for outcome in outcomes],
                        "issuers": issuers,
                        "tally": tally,
                        "problems": len(problems),
                    }
                )
            )
        else:
            self.stdout.write(
                f"Verified {len(outcomes)} credentials offline: {tally['verified']} verify, "
                f"{tally['revoked']} revoked and {tally['suspended']} suspended (as recorded), "
                f"{tally['expired']} expired; {len(problems)} with problems."
            )
            for entry in issuers:
                state = "can sign" if entry["can_sign"] else "CANNOT sign"
                self.stdout.write(f"  issuer {entry['organisation']}: {state} ({entry['reason']})")
            for outcome in problems:
                self.stderr.write(f"{outcome.uuid} {outcome.name}: {'; '.join(outcome.problems)}")
        if problems:
            raise CommandError(f"{len(problems)} of {len(outcomes)} credentials have problems.")


def _dumps(value: object) -> str:
    return json.dumps(value, indent=1, ensure_ascii=False, default=str)
