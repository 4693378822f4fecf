"""Pages for the teacher: the PD transcript, on screen, as PDF and as a JSON bundle.

The transcript reads the PD ledger: per scheme that applies to the teacher and per period,
each credential that counts, what it counts for (in the scheme's unit and in clock hours) and
under which decision, against the requirement of the period.

The JSON transcript is not signed, for the same reason as the credentials' transcript
(``credentials/clr.py``): a Comprehensive Learner Record needs the CLR 2.0 context, which is
not pinned, and contexts are never fetched. It bundles what is signed: each credential that
counts, exactly as its issuer signed it, and the authorities' EndorsementCredentials of the
decisions it counts under, so each verifies on its own.
"""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from .. import selectors, services
from ..pdf import file_name, render_transcript_pdf
from .authority import unit_symbol

TRANSCRIPT_TYPE = "PDTranscript"


def _language() -> str:
    return translation.get_language() or "en"


@login_required
@require_GET
def transcript(request: HttpRequest) -> HttpResponse:
    person = request.user
    return render(
        request,
        "recognition/teacher/transcript.html",
        {
            "transcript": [
                {"item": item, "unit": unit_symbol(item.scheme.unit)}
                for item in selectors.pd_transcript(person)
            ],
            "home": services.home_institution(person),
        },
    )


@login_required
@require_GET
def transcript_pdf(request: HttpRequest) -> HttpResponse:
    person = request.user
    pdf = render_transcript_pdf(
        person=person, transcript=selectors.pd_transcript(person), language=_language()
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{file_name(person)}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _amount(value) -> str:
    return format(value.normalize(), "f") if value is not None else ""


def transcript_bundle(person) -> dict[str, Any]:
    """The unsigned JSON transcript: the ledger's reading, with the signed credentials that
    count and the signed endorsements of the decisions they count under."""
    credentials: dict[int, dict] = {}
    endorsements: dict[int, dict] = {}
    schemes = []
    for item in selectors.pd_transcript(person):
        scheme = item.scheme
        periods = []
        for period in item.periods:
            entries = []
            for entry in period.entries:
                credential, decision = entry.credential, entry.decision
                credentials.setdefault(credential.pk, credential.document)
                if decision.endorsement:
                    endorsements.setdefault(decision.pk, decision.endorsement)
                entries.append(
                    {
                        "credential": credential.document.get("id", f"urn:uuid:{credential.uuid}"),
                        "title": credential.specification_version.title
                        if credential.specification_version
                        else "",
                        "awardedOn": entry.awarded_on.isoformat(),
                        "amount": _amount(entry.amount),
                        "hours": _amount(entry.hours),
                        "decision": {
                            "id": f"urn:uuid:{decision.uuid}",
                            "number": decision.number,
                            "application": f"urn:uuid:{decision.application.uuid}",
                            "validFrom": decision.valid_from.isoformat()
                            if decision.valid_from
                            else None,
                            "validUntil": decision.valid_until.isoformat()
                            if decision.valid_until
                            else None,
                            "endorsement": (decision.endorsement or {}).get("id"),
                        },
                    }
                )
            periods.append(
                {
                    "start": period.start.isoformat(),
                    "end": period.end.isoformat(),
                    "amount": _amount(period.amount),
                    "hours": _amount(period.hours),
                    "requirement": _amount(period.requirement),
                    "requiredHours": _amount(period.required_hours),
                    "met": period.met,
                    "entries": entries,
                }
            )
        schemes.append(
            {
                "id": f"urn:uuid:{scheme.uuid}",
                "slug": scheme.slug,
                "title": scheme.title,
                "authority": str(scheme.authority),
                "country": scheme.country.code,
                "unit": scheme.unit,
                "periodYears": scheme.period_years,
                "periods": periods,
            }
        )
    return {
        "type": TRANSCRIPT_TYPE,
        "note": _(
            "This PD transcript is not signed: a signed transcript needs the CLR 2.0 JSON-LD "
            "context, which is not yet pinned on this platform, and contexts are never fetched "
            "from the network. Each credential in it is signed by its issuer and each "
            "endorsement by its authority; they verify on their own."
        ),
        "learner": person.legal_name or person.display_name or person.email,
        "generated": timezone.now().replace(microsecond=0).isoformat(),
        "schemes": schemes,
        "verifiableCredential": list(credentials.values()),
        "endorsements": list(endorsements.values()),
    }


@login_required
@require_GET
def transcript_json(request: HttpRequest) -> HttpResponse:
    response = JsonResponse(
        transcript_bundle(request.user), json_dumps_params={"ensure_ascii": False, "indent": 2}
    )
    response["Content-Disposition"] = 'attachment; filename="pd-transcript.json"'
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns: list = [
    path("my/pd/", transcript, name="pd_transcript"),
    path("my/pd/transcript.pdf", transcript_pdf, name="pd_transcript_pdf"),
    path("my/pd/transcript.json", transcript_json, name="pd_transcript_json"),
]
