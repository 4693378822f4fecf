"""Security headers on every page, and a Content-Security-Policy the pages can live with:
no inline script or style anywhere, so 'unsafe-inline' is never needed."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

SOURCE = Path(__file__).resolve().parents[2]
# Executable inline script (a <script> without src that is not a JSON data block), a <style>
# element, or a style attribute.
INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>"
    r"|<style[\s>]"
    r"|\sstyle=[\"']",
    re.IGNORECASE,
)


def _templates() -> list[Path]:
    return [
        path
        for path in SOURCE.rglob("templates/**/*.html")
        # PDFs are drawn by WeasyPrint, never by a browser; mails are text.
        if not path.name.endswith("_pdf.html") and "/email/" not in str(path)
    ]


def test_no_template_of_ours_has_inline_script_or_style():
    offenders = [
        f"{path.relative_to(SOURCE)}: {match.group(0).strip()}"
        for path in _templates()
        for match in INLINE.finditer(path.read_text())
    ]
    assert offenders == []


def test_the_templates_scan_sees_the_templates():
    assert len(_templates()) > 50


@pytest.mark.parametrize(
    "url",
    ["/en/", "/vi/verify/", "/en/accounts/login/", "/en/admin/login/", "/en/frameworks/"],
)
def test_pages_send_the_security_headers_and_need_no_inline_code(client, url):
    response = client.get(url)

    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    # What third-party templates (allauth, the admin) render must obey the policy too.
    assert INLINE.findall(response.content.decode()) == []


def test_the_two_factor_page_obeys_the_policy(client):
    from microcert.accounts import services

    person = services.user_create(
        email="staff@uni.example",
        legal_name="Staff",
        password="a-Long-pass-42",
        email_verified=True,
    )
    client.force_login(person)
    response = client.get(reverse("mfa_index"))
    assert response.status_code == 200
    assert INLINE.findall(response.content.decode()) == []
