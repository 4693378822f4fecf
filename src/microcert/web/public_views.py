"""The public face of the platform: home, catalogue, a micro-credential's page, the partner
directory and a partner's page, the credential-link check, robots.txt.

Anyone may read these pages; they show only what is published (published specifications,
active partners, decisions in force). Bad filter values are ignored with a message, never an
error page."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from django_countries import countries

from microcert.catalog import selectors as catalog_selectors
from microcert.classrooms import selectors as classroom_selectors
from microcert.credentials import selectors as credential_selectors
from microcert.credentials.forms import VerifyForm
from microcert.frameworks import selectors as framework_selectors
from microcert.network import selectors as network_selectors
from microcert.network.models import Membership, SubRegion
from microcert.news import selectors as news_selectors
from microcert.recognition import endorsement as recognition_endorsement
from microcert.recognition import selectors as recognition_selectors

from . import selectors
from .catalogue import filter_catalogue
from .forms import CredentialLinkForm

HOME_CARDS = 6


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    entries = selectors.catalogue_entries(on=timezone.localdate())
    partners = list(selectors.public_partners())
    return render(
        request,
        "web/home.html",
        {
            "entries": entries[:HOME_CARDS],
            "entry_count": len(entries),
            "pathways": catalog_selectors.pathways_with_members(),
            "published": selectors.published_micro_credential_ids(),
            "partner_count": len(partners),
            "country_count": len({partner.country.code for partner in partners}),
            "framework_count": framework_selectors.published_frameworks().count(),
            "news_articles": list(news_selectors.article_cards(limit=3)),
        },
    )


@require_safe
def catalogue(request: HttpRequest) -> HttpResponse:
    entries = selectors.catalogue_entries(on=timezone.localdate())
    result = filter_catalogue(entries, request.GET)
    return render(request, "web/catalogue.html", {"catalogue": result})


@require_safe
def specification_detail(
    request: HttpRequest, slug: str, number: int | None = None
) -> HttpResponse:
    version = catalog_selectors.specification_detail(slug, number)
    if version is None:
        raise Http404
    recognitions = [
        {"decision": decision, "equivalence": recognition_endorsement.equivalence_text(decision)}
        for decision in recognition_selectors.decisions_in_force(version, on=timezone.localdate())
    ]
    micro_credential = version.micro_credential
    pathways = catalog_selectors.pathways_with_members()
    return render(
        request,
        "web/specification_detail.html",
        {
            "version": version,
            "pathways": pathways.filter(members=micro_credential),
            "certificate_of": pathways.filter(certificate=micro_credential).first(),
            "recognitions": recognitions,
            "public_organisations": selectors.public_organisation_ids(),
            "published": selectors.published_micro_credential_ids(),
        },
    )


# --- the partner network ---------------------------------------------------------------------


@dataclass
class Choice:
    value: str
    label: str
    count: int
    selected: bool


def _choices(values: Counter, labels: dict[str, str], selected: str) -> list[Choice]:
    return sorted(
        (
            Choice(value, labels[value], count, value == selected)
            for value, count in values.items()
            if value in labels
        ),
        key=lambda choice: choice.label.casefold(),
    )


@require_safe
def partner_directory(request: HttpRequest) -> HttpResponse:
    partners = list(selectors.public_partners())
    subregion = request.GET.get("subregion", "").strip()
    country = request.GET.get("country", "").strip().upper()
    kind = request.GET.get("kind", "").strip()
    ignored = []
    subregion_labels = dict(SubRegion.choices)
    kind_labels = dict(Membership.Kind.choices)
    if subregion and subregion not in subregion_labels:
        ignored.append(_("Sub-region"))
        subregion = ""
    if country and country not in {partner.country.code for partner in partners}:
        ignored.append(_("Country"))
        country = ""
    if kind and kind not in kind_labels:
        ignored.append(_("Kind of membership"))
        kind = ""

    def kinds_of(partner) -> set[str]:
        return {membership.kind for membership in partner.active_memberships}

    def matches(partner, skip: str = "") -> bool:
        return (
            (skip == "subregion" or not subregion or partner.subregion == subregion)
            and (skip == "country" or not country or partner.country.code == country)
            and (skip == "kind" or not kind or kind in kinds_of(partner))
        )

    country_labels = {partner.country.code: str(partner.country.name) for partner in partners}
    kind_counts: Counter = Counter()
    for partner in partners:
        if matches(partner, skip="kind"):
            kind_counts.update(kinds_of(partner))
    shown = [partner for partner in partners if matches(partner)]
    groups: dict[str, dict[str, list]] = {}
    for partner in sorted(
        shown,
        key=lambda p: (str(p.get_subregion_display()), str(p.country.name), p.name.casefold()),
    ):
        groups.setdefault(partner.get_subregion_display(), {}).setdefault(
            str(partner.country.name), []
        ).append(partner)
    return render(
        request,
        "web/partners.html",
        {
            "groups": groups,
            "shown_count": len(shown),
            "shown_countries": len({partner.country.code for partner in shown}),
            "total": len(partners),
            "is_filtered": bool(subregion or country or kind),
            "ignored": ignored,
            "subregions": _choices(
                Counter(p.subregion for p in partners if matches(p, skip="subregion")),
                {key: str(label) for key, label in subregion_labels.items()},
                subregion,
            ),
            "countries": _choices(
                Counter(p.country.code for p in partners if matches(p, skip="country")),
                country_labels,
                country,
            ),
            "kinds": _choices(
                kind_counts, {key: str(label) for key, label in kind_labels.items()}, kind
            ),
        },
    )


@require_safe
def partner_detail(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = selectors.public_organisation(slug)
    if organisation is None:
        raise Http404
    today = timezone.localdate()
    programmes = selectors.partner_programmes(organisation, on=today)
    return render(
        request,
        "web/partner_detail.html",
        {
            "organisation": organisation,
            "country_name": countries.name(organisation.country.code),
            "programmes": programmes,
            "active_membership": next(
                (m for m in programmes.memberships if m.status == Membership.Status.ACTIVE), None
            ),
            "classrooms": list(classroom_selectors.classrooms_of(organisation)),
            "news_articles": list(news_selectors.article_cards(organisation=organisation, limit=6)),
            "timeline": network_selectors.partner_timeline(organisation, viewer=request.user),
        },
    )


# --- verification by link --------------------------------------------------------------------


def _our_hosts(request: HttpRequest) -> set[str]:
    return {urlsplit(settings.PUBLIC_BASE_URL).netloc, request.get_host()}


@require_safe
def verify_link(request: HttpRequest) -> HttpResponse:
    """A link to a credential of this platform (its page, the QR code's address, its JSON or
    its identifier) leads to the credential's page, which verifies it live. Private and
    unknown credentials get the same answer, so a link reveals nothing."""
    form = CredentialLinkForm(request.GET, our_hosts=_our_hosts(request))
    if form.is_valid():
        credential = credential_selectors.credential_by_uuid(form.cleaned_data["link"])
        if credential and request.user.has_perm("credentials.view_credential", credential):
            return redirect("credentials:detail", uuid=credential.uuid)
        form.add_error(
            "link",
            _(
                "No public credential has this link. The holder may have made it private; "
                "ask them for the credential's file."
            ),
        )
    return render(
        request,
        "credentials/verify.html",
        {"form": VerifyForm(), "link_form": form},
        status=400,
    )


# --- for search engines ----------------------------------------------------------------------

PRIVATE_PATHS = [
    "accounts/",
    "admin/",
    "dashboard/",
    "learn/",
    "review/",
    "institution/",
    "authority/",
    "recognition/",
    "reports/",
    "my/",
    "people/",
    "organisations/",
    "agreements/",
    "bulk/",
    "verify/link/",
]


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    """Public pages may be indexed; personal and working pages, the API and the LTI tool not."""
    lines = ["User-agent: *"]
    for code, _name in settings.LANGUAGES:
        lines += [f"Disallow: /{code}/{path}" for path in PRIVATE_PATHS]
    lines += ["Disallow: /api/", "Disallow: /lti/", "Disallow: /i18n/", "Allow: /", ""]
    lines.append(f"Sitemap: {settings.PUBLIC_BASE_URL}{reverse('sitemap')}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
