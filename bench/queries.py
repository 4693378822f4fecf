"""Benchmark group ``queries``: how many SQL queries the main pages make, with the demo data
and again after 100 more teachers with a credential each (and their PD ledger rows) were
added. A page whose count grows with the data runs a query per row (N+1); the table shows the
two counts side by side and the summary names any page that grew.

The pages are rendered through Django's test client in the measuring process, signed in as
the person each page is for, with the query log captured (``CaptureQueriesContext``).
"""

import os

GROWTH = int(os.environ.get("BENCH_QUERIES_GROWTH", "100"))
SPEC = "organise-and-facilitate-online-collaborative-learning"


def _pages() -> list[tuple[str, str | None, str]]:
    """(page, who signs in, path)."""
    from django.urls import reverse

    from microcert.credentials.models import IssuedCredential
    from microcert.recognition.models import RecognitionScheme

    # One of the demo teacher's (the recognition_report group's ledger rows have no document).
    credential = (
        IssuedCredential.objects.filter(status="active", recipient__email="lan.pham@hust.example")
        .order_by("pk")
        .first()
    )
    scheme = RecognitionScheme.objects.get(slug="vn-university-lecturers-pd")
    with_language = "/en"
    return [
        ("home", None, f"{with_language}/"),
        ("micro-credential", None, reverse("web:specification", kwargs={"slug": SPEC})),
        ("partners", None, reverse("web:partners")),
        ("framework", None, reverse("frameworks:current", kwargs={"slug": "digcompedu"})),
        ("credential page", None, reverse("credentials:detail", args=[credential.uuid])),
        ("verify page", None, reverse("credentials:verify")),
        ("teacher dashboard", "lan.pham@hust.example", reverse("learning:dashboard")),
        ("my credentials", "lan.pham@hust.example", reverse("credentials:mine")),
        ("PD transcript", "lan.pham@hust.example", reverse("recognition:pd_transcript")),
        ("assessor queue", "assessor@ain-shams.example", reverse("learning:queue")),
        (
            "institution teachers",
            "admin@hust.example",
            reverse("learning:organisation_progress", args=["hust"]),
        ),
        (
            "institution compliance",
            "admin@hust.example",
            reverse("recognition:compliance", args=["hust", scheme.slug]),
        ),
        (
            "national report",
            "reviewer@moet.example",
            reverse("recognition:report", args=[scheme.slug]),
        ),
    ]


def count_queries() -> dict[str, int]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from microcert.accounts.models import User

    counts = {}
    for page, email, path in _pages():
        client = Client()
        if email:
            client.force_login(User.objects.get(email=email))
        client.get(path)  # warm: caches and lazy imports are not what is counted
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"bench queries: {path} answered {response.status_code}")
        counts[page] = len(captured)
    return counts


def grow(count: int) -> None:
    """``count`` more HUST lecturers, each holding the collaborative-learning credential."""
    import datetime

    from django.utils import timezone

    from microcert.accounts import services as account_services
    from microcert.accounts.roles import Role
    from microcert.catalog.models import SpecificationVersion
    from microcert.credentials import services as credential_services
    from microcert.credentials.models import Issuer
    from microcert.network import services as network_services
    from microcert.network.models import Organisation

    hust = Organisation.objects.get(slug="hust")
    issuer = Issuer.objects.get(organisation__slug="centre")
    version = SpecificationVersion.objects.get(micro_credential__slug=SPEC, status="published")
    awarded = timezone.now() - datetime.timedelta(days=30)
    for number in range(count):
        person = account_services.user_create(
            email=f"bench.teacher{number}@hust.example", legal_name=f"Giảng viên {number}"
        )
        network_services.affiliation_grant(person=person, organisation=hust, role=Role.TEACHER)
        credential_services.credential_issue(
            issuer=issuer,
            recipient=person,
            version=version,
            actor=None,
            valid_from=awarded,
            stack=False,
        )


class QueriesGroup:
    name = "queries"

    def operation(self, name: str):
        return count_queries

    def run(self, runner) -> dict:
        from django.db import connection

        from microcert.accounts.models import User
        from microcert.demo.services import demo_load

        if not User.objects.filter(email="lan.pham@hust.example").exists():
            demo_load(credentials=True)
        connection.close()
        runner.measure(self.name, [("pages", False)], rows=0)
        grow(GROWTH)
        connection.close()
        runner.measure(self.name, [("pages", False)], rows=GROWTH)
        small, large = (row["outcome"] for row in runner.results[self.name][-2:])
        grew = {page: (small[page], large[page]) for page in small if large[page] > small[page]}
        summary = ["", f"SQL queries per page, demo data / after {GROWTH} more teachers:"]
        for page in small:
            mark = "   <- grows with the data" if page in grew else ""
            summary.append(f"  {page:<24} {small[page]:>4} / {large[page]:<4}{mark}")
        return {"summary": summary, "counts": {"demo": small, "grown": large}, "grew": grew}


GROUP = QueriesGroup()
