"""Registration pages for staff: platforms and their deployments, resource link mappings,
identities; the tool's keys (rotation through the service), launches and results read-only.
Key material never appears: only the key ID and the public JWK."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin, messages
from django.db import models
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from microcert.core.admin import EventedAdmin, ReadOnlyAdmin

from . import services
from .models import (
    LmsResult,
    LtiDeployment,
    LtiIdentity,
    LtiLaunch,
    LtiPlatform,
    LtiResourceLink,
    LtiToolKey,
)


def tool_values() -> list[tuple[str, str]]:
    """What a partner enters in their platform when registering the tool."""
    base = settings.PUBLIC_BASE_URL
    return [
        (_("Tool URL / target link URI"), base + reverse("lms:launch")),
        (_("OpenID Connect login initiation URL"), base + reverse("lms:login")),
        (_("Redirection URI"), base + reverse("lms:launch")),
        (_("Public keyset URL (JWKS)"), base + reverse("lms:jwks")),
        (_("Custom parameter"), "microcert_spec=<micro-credential slug>"),
        (
            _("Services"),
            "Assignment and Grade Services: https://purl.imsglobal.org/spec/lti-ags/scope/"
            "result.readonly",
        ),
    ]


class LtiDeploymentInline(admin.TabularInline):
    model = LtiDeployment
    fields = ["deployment_id", "created_at"]
    readonly_fields = ["created_at"]
    extra = 1


@admin.register(LtiPlatform)
class LtiPlatformAdmin(EventedAdmin):
    list_display = ["name", "organisation", "issuer", "client_id", "is_active"]
    list_filter = ["is_active", "organisation"]
    search_fields = ["name", "issuer", "client_id"]
    autocomplete_fields = ["organisation"]
    readonly_fields = ["uuid", "values_for_the_platform"]
    inlines = [LtiDeploymentInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ["name", "organisation", "is_active"]}),
        (
            _("What the platform gave"),
            {
                "fields": [
                    "issuer",
                    "client_id",
                    "auth_login_url",
                    "auth_token_url",
                    "auth_audience",
                    "key_set_url",
                    "key_set",
                ]
            },
        ),
        (_("What to give the platform"), {"fields": ["values_for_the_platform", "uuid"]}),
    ]

    @admin.display(description=_("tool registration values"))
    def values_for_the_platform(self, obj: LtiPlatform | None = None) -> str:
        rows = format_html_join(
            "", "<tr><th scope='row'>{}</th><td><code>{}</code></td></tr>", tool_values()
        )
        return format_html("<table>{}</table>", rows)


@admin.register(LtiResourceLink)
class LtiResourceLinkAdmin(EventedAdmin):
    list_display = [
        "title",
        "resource_link_id",
        "platform",
        "micro_credential",
        "version",
        "completion_threshold",
    ]
    list_filter = ["platform"]
    search_fields = ["title", "resource_link_id", "micro_credential__slug"]
    autocomplete_fields = ["micro_credential"]
    raw_id_fields = ["version"]


@admin.register(LtiIdentity)
class LtiIdentityAdmin(EventedAdmin):
    list_display = ["sub", "platform", "person", "created_at"]
    list_filter = ["platform"]
    search_fields = ["sub", "person__email", "person__legal_name"]
    raw_id_fields = ["person"]


@admin.register(LtiToolKey)
class LtiToolKeyAdmin(ReadOnlyAdmin):
    list_display = ["kid", "is_active", "created_at", "retired_at"]
    exclude = ("encrypted_private_key",)
    change_list_template = "admin/lms/ltitoolkey/change_list.html"

    def get_urls(self):
        rotate = self.admin_site.admin_view(require_POST(self.rotate_view))
        return [path("rotate/", rotate, name="lms_ltitoolkey_rotate"), *super().get_urls()]

    def rotate_view(self, request: HttpRequest) -> HttpResponseRedirect:
        if not request.user.is_superuser:
            self.message_user(
                request, _("Only a superuser can rotate the tool key."), messages.ERROR
            )
        else:
            key = services.tool_key_rotate(actor=request.user)
            self.message_user(
                request,
                _(
                    "A new tool key %(kid)s is active; the previous one stays published for "
                    "two days."
                )
                % {"kid": key.kid},
                messages.SUCCESS,
            )
        return HttpResponseRedirect(reverse("admin:lms_ltitoolkey_changelist"))


@admin.register(LtiLaunch)
class LtiLaunchAdmin(ReadOnlyAdmin):
    list_display = ["used_at", "platform", "sub", "person", "resource_link_id", "outcome"]
    list_filter = ["outcome", "platform"]
    search_fields = ["sub", "person__email", "resource_link_id"]
    date_hierarchy = "used_at"


@admin.register(LmsResult)
class LmsResultAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "platform", "person", "score", "maximum", "threshold", "outcome"]
    list_filter = ["outcome", "platform"]
    search_fields = ["sub", "person__email", "lineitem"]
    date_hierarchy = "created_at"
