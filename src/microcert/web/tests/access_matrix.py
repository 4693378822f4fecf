"""Who may read and write what: the table ``test_access_matrix.py`` holds the platform to.

Columns are roles, each a demo person (``PEOPLE``); "own" objects in the URLs belong to Hùng
(the ``owner``: his plan, self-assessment, enrolment, submission, credential) or to his
institution HUST (whose institution admin is ``admin``):

=========== ==================================================================================
anon        nobody signed in
owner       Hùng, a teacher at HUST, whose journey the URLs open
teacher     Lan, another teacher at HUST (same institution, not the owner)
assessor    the assessor assigned to Hùng's submission (Ain Shams)
admin       HUST's institution admin (the owner's institution)
other_admin UT's institution admin (another institution)
manager     the programme manager at the Centre (staff, with the managers' group permissions)
reviewer    the ministry's (MOET) authority reviewer
staff       the platform's superuser
=========== ==================================================================================

Cells, for the GET and the POST (or the operation's own method) of each address:

=====  =========================================================================================
ok     allowed: 2xx, or a redirect that is not to the sign-in page
bad    let in, the (empty or minimal) content refused: 400, 409, 413, 422
in     sign-in needed: a redirect to the sign-in page, or 401 from the API
403    refused: the person is known and may not
404    hidden: answers like an object that does not exist
405    the address does not take this method
=====  =========================================================================================

Writes are sent empty (pages) or with the minimal body ``API_BODIES`` gives (API); the
allowed role's write really runs, inside a savepoint rolled back afterwards.
"""

ROLES = (
    "anon",
    "owner",
    "teacher",
    "assessor",
    "admin",
    "other_admin",
    "manager",
    "reviewer",
    "staff",
)
PEOPLE = {
    "owner": "hung.le@hust.example",
    "teacher": "lan.pham@hust.example",
    "admin": "admin@hust.example",
    "other_admin": "admin@ut.example",
    "manager": "manager@centre.example",
    "reviewer": "reviewer@moet.example",
    "staff": "admin@microcert.example",
}  # the assessor is whoever the demo assigned Hùng's submission to

UNKNOWN = {"GET": ["?"] * len(ROLES), "POST": ["?"] * len(ROLES)}


def _table(text: str) -> dict[str, dict[str, list[str]]]:
    """``name method cell × 9`` lines into {name: {method: cells}}."""
    rows: dict[str, dict[str, list[str]]] = {}
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, method, *cells = line.split()
        if len(cells) != len(ROLES):
            raise ValueError(f"access matrix row for {name} {method}: {len(cells)} cells")
        rows.setdefault(name, {})[method] = cells
    return rows


# --- URL kwargs: which demo object each page opens --------------------------------------------

KWARGS: dict[str, dict[str, str]] = {
    "case:document": {"identifier": "framework_uuid"},
    "case:package": {"identifier": "framework_uuid"},
    "case:item": {"identifier": "competence_uuid"},
    "credentials_api:did_document": {"slug": "issuer"},
    "credentials_api:status_list": {"list_id": "status_list"},
    "credentials_api:achievement": {"version_id": "version_uuid"},
    "credentials_api:credential": {"credential_id": "credential"},
    "recognition_api:endorsement": {"decision_id": "decision"},
    "frameworks:current": {"slug": "framework"},
    "frameworks:detail": {"slug": "framework", "version": "framework_version"},
    "credentials:detail": {"uuid": "credential"},
    "credentials:json": {"uuid": "credential"},
    "credentials:pdf": {"uuid": "credential"},
    "credentials:visibility": {"uuid": "credential"},
    "credentials:wallet": {"uuid": "credential"},
    "credentials:exchange": {"uuid": "credential", "token": "exchange_token"},
    "credentials:status": {"uuid": "credential"},
    "credentials:organisation": {"slug": "hust"},
    "credentials:bulk_issue": {"slug": "hust"},
    "credentials:bulk_revoke": {"slug": "hust"},
    "credentials:bulk_job": {"uuid": "bulk_job"},
    "learning:self_assessment": {"uuid": "self_assessment"},
    "learning:profile": {"uuid": "self_assessment"},
    "learning:plan": {"uuid": "plan"},
    "learning:enrol": {"uuid": "offering"},
    "learning:withdraw": {"uuid": "enrolment"},
    "learning:submission_start": {"uuid": "enrolment"},
    "learning:submission": {"uuid": "submission"},
    "learning:evidence_file": {"uuid": "evidence"},
    "learning:evidence_remove": {"uuid": "evidence"},
    "learning:review": {"uuid": "review"},
    "learning:review_evidence": {"uuid": "review", "item": "evidence"},
    "learning:teachers_add": {"slug": "hust"},
    "learning:organisation_progress": {"slug": "hust"},
    "learning:organisation_plans": {"slug": "hust"},
    "recognition:review": {"uuid": "application"},
    "recognition:application": {"uuid": "application"},
    "recognition:application_withdraw": {"uuid": "application"},
    "recognition:compliance_home": {"slug": "hust"},
    "recognition:compliance": {"slug": "hust", "scheme": "scheme"},
    "recognition:report": {"slug": "report"},
    "recognition:report_csv": {"slug": "report"},
    "recognition:report_xlsx": {"slug": "report"},
    "recognition:ledger_csv": {"slug": "report"},
    "recognition:ledger_xlsx": {"slug": "report"},
    "network:accession_status": {"key": "accession_key"},
    "network:accession_detail": {"uuid": "accession"},
    "network:partner_timeline": {"slug": "partner"},
    "network:centre_end": {"pk": "centre"},
    "network:position_remove": {"pk": "position"},
    "network:agreement": {"uuid": "agreement"},
    "network:agreement_transition": {"uuid": "agreement"},
    "network:document_add": {"uuid": "agreement"},
    "network:document": {"uuid": "agreement", "document_uuid": "document"},
    "network:document_remove": {"uuid": "agreement", "document_uuid": "document"},
    "network:item_add": {"uuid": "agreement"},
    "network:item_status": {"uuid": "agreement", "item_id": "item"},
    "news:image": {"uuid": "image", "extension": "image_ext"},
    "news:article_edit": {"uuid": "article_uuid"},
    "news:article_publish": {"uuid": "article_uuid"},
    "news:article_schedule": {"uuid": "article_uuid"},
    "news:article_unpublish": {"uuid": "article_uuid"},
    "news:image_add": {"uuid": "article_uuid"},
    "news:image_remove": {"uuid": "image"},
    "news:case_review": {"uuid": "case_uuid"},
    "news:my_case": {"uuid": "case_uuid"},
    "news:article": {"slug": "article"},
    "news:case": {"slug": "case"},
    "classrooms:detail": {"slug": "classroom"},
    "classrooms:my_tickets": {"slug": "classroom"},
    "classrooms:ticket_new": {"slug": "classroom"},
    "classrooms:ticket": {"slug": "classroom", "uuid": "ticket"},
    "classrooms:manage": {"slug": "classroom"},
    "classrooms:equipment_new": {"slug": "classroom"},
    "classrooms:equipment_edit": {"slug": "classroom", "uuid": "equipment"},
    "classrooms:manage_tickets": {"slug": "classroom"},
    "classrooms:manage_ticket": {"slug": "classroom", "uuid": "ticket"},
    "classrooms:manage_sessions": {"slug": "classroom"},
    "classrooms:session_new": {"slug": "classroom"},
    "classrooms:session_edit": {"slug": "classroom", "uuid": "session"},
    "web:specification": {"slug": "specification"},
    "web:specification_version": {"slug": "specification", "number": "version_number"},
    "web:partner": {"slug": "partner"},
    "web:person": {"uuid": "person"},
    "web:person_edit": {"uuid": "person"},
    "web:organisation_people": {"slug": "hust"},
    "web:agreement": {"uuid": "agreement"},
    "account_confirm_email": {"key": "exchange_token"},
    "account_reset_password_from_key": {"uidb36": "item", "key": "exchange_token"},
}
QUERY: dict[str, str] = {"web:verify_link": "?url=https://example.org/credential.json"}
API_QUERY: dict[str, str] = {"compliance_get": "?scheme={scheme}"}

# --- The REST API: path parameters and minimal bodies -----------------------------------------

API_PARAMS: dict = {
    "assessment_id": "self_assessment",
    "plan_id": "plan",
    "micro_credential": "plan_micro_credential",
    "enrolment_id": "enrolment",
    "submission_id": "submission",
    "evidence_id": "evidence",
    "review_id": "review",
    "organisation": "hust",
    "application_id": "application",
    "person_id": "person",
    "article_id": "article_uuid",
    "case_id": "case_uuid",
    "ticket_id": "ticket",
    "agreement_id": "agreement",
    "item_id": "item",
    "slug": "classroom",
    ("article_get", "slug"): "article",
    ("case_get", "slug"): "case",
    ("network_application_decide", "application_id"): "accession",
    ("network_application_detail", "application_id"): "accession",
}
# URL names of the API that are not operations.
API_OTHERS = {"api-v1:openapi-json", "api-v1:api-root", "api-v1:not-found"}


def api_body(operation: str, values: dict[str, str]):
    """The smallest body each write operation accepts, so the answer is about access."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    bodies = {
        "self_assessment_create": {"framework": values["framework"]},
        "self_assessment_answer": {"1.1": "B1"},
        "plan_create": {"year": 2030, "organisation": "hust"},
        "plan_item_put": {"planned_hours": 10},
        "plan_approve": {},
        "plan_return": {"comment": "Please add the hours."},
        "enrolment_create": {"offering": values["offering"]},
        "submission_save_draft": {"reflection": "A reflection."},
        "evidence_add_file": {
            "requirement": values["requirement"],
            "file": SimpleUploadedFile("e.pdf", pdf, content_type="application/pdf"),
        },
        "evidence_add_link": {"requirement": values["requirement"], "url": "https://e.example"},
        "review_assign": {"assessor": values["assessor"]},
        "review_complete": {"scores": {}, "decision": "resubmit", "feedback": "More, please."},
        "organisation_teachers_add": {
            "people": [{"email": "new.teacher@hust.example", "name": "New Teacher"}]
        },
        "application_create": {
            "scheme": values["scheme"],
            "version": values["version_uuid"],
            "applicant": "hust",
        },
        "application_resubmit": {},
        "application_withdraw": {},
        "application_decide": {"outcome": "request_changes", "comment": "Tell us more."},
        "network_application_decide": {"action": "request_information", "message": "More?"},
        "network_agreement_status": {"status": "signed"},
        "network_item_status": {"status": "in_progress"},
        "managed_article_create": {"slug": "access-matrix", "title": {"en": "Access"}},
        "managed_article_update": {},
        "managed_article_publish": {},
        "managed_article_unpublish": {},
        "managed_image_add": {
            "file": SimpleUploadedFile("i.pdf", pdf, content_type="application/pdf"),
            "alt_en": "An image",
        },
        "managed_case_decide": {"outcome": "request_changes", "comment": "More, please."},
        "own_case_submit": {
            "organisation": "hust",
            "title": {"en": "A case"},
            "summary": {"en": "A summary"},
            "body": {"en": "A body"},
        },
        "own_case_resubmit": {},
        "ticket_create": {"title": "The projector flickers"},
        "ticket_status": {"status": "in_progress"},
        "session_create": {
            "kind": "training",
            "title": "Training",
            "starts_at": "2030-01-01T09:00:00Z",
            "duration_minutes": 60,
        },
        "erasure": {"email": "nobody@example.org", "password": "wrong"},
        "network_application_submit": {},
    }
    return bodies.get(operation)


# --- The Django admin: a rule rather than rows -------------------------------------------------

ADMIN_SKIPPED: set[str] = set()


STAFF = {"manager", "staff"}  # the only roles with is_staff in the demo
# The admin lets nobody past ``admin_view`` without is_staff, whatever their roles elsewhere:
# three of the non-staff roles stand for all of them there (it keeps the test fast).
ADMIN_ROLES = ("anon", "owner", "admin", "manager", "staff")
# The permission each model page needs, by method (Django's admin: a POST to the change page
# saves, so it needs "change"; the list and the history need "view" or "change").
ADMIN_VIEW_NEEDS = {
    "changelist": ("view", "view"),
    "history": ("view", "view"),
    "change": ("view", "change"),
    "add": ("add", "add"),
    "delete": ("delete", "delete"),
}
# Admin pages that are not a model's list, add, change, delete or history page: GET and POST
# for the manager, then GET and POST for the superuser; everyone else is sent to sign in.
ADMIN_SITE = {
    "admin:index": ("ok", "ok", "ok", "ok"),
    "admin:app_list": ("ok", "ok", "ok", "ok"),
    "admin:login": ("ok", "ok", "ok", "ok"),
    "admin:logout": ("405", "ok", "405", "ok"),
    "admin:password_change": ("ok", "ok", "ok", "ok"),
    "admin:password_change_done": ("ok", "405", "ok", "405"),
    "admin:jsi18n": ("ok", "405", "ok", "405"),
    "admin:autocomplete": ("403", "405", "403", "405"),
    # POST only; a manager's POST is refused with a message and sent back to the list (302).
    "admin:lms_ltitoolkey_rotate": ("405", "ok", "405", "ok"),
    "admin:auth_user_password_change": ("ok", "ok", "ok", "ok"),  # of Hùng
}
# Not called: needs a content type and an object of it (Django's own "view on site" redirect).
ADMIN_SKIPPED: set[str] = {"admin:view_on_site"}


def admin_expectation(
    name: str, model_admin, view: str | None, people, obj=None
) -> dict[str, list[str]]:
    """The admin is for staff only; within it, each model page asks the model admin's own
    permission methods (so a read-only admin stays read-only for everyone)."""
    from django.test import RequestFactory

    cells: dict[str, list[str]] = {"GET": [], "POST": []}
    for role in ADMIN_ROLES:
        if name in ("admin:login", "admin:logout") and role not in STAFF:
            get, post = "ok", "ok"  # signing in, or out, is for anyone
        elif role not in STAFF:
            get = post = "in"
        elif model_admin is None or view not in ADMIN_VIEW_NEEDS:
            row = ADMIN_SITE[name]
            get, post = row[:2] if role == "manager" else row[2:]
        else:
            allowed = []
            for method, needs in zip(("GET", "POST"), ADMIN_VIEW_NEEDS[view], strict=True):
                # Some admins are read-only by method (the change page shows, never saves).
                request = RequestFactory().generic(method, "/")
                request.user = people[role]
                if needs == "view":
                    ok = model_admin.has_view_or_change_permission(request, obj)
                elif needs == "add":
                    ok = model_admin.has_add_permission(request)
                else:
                    ok = getattr(model_admin, f"has_{needs}_permission")(request, obj)
                allowed.append("ok" if ok else "403")
            get, post = allowed
        cells["GET"].append(get)
        cells["POST"].append(post)
    return cells


# --- The table ---------------------------------------------------------------------------------

PAGES = _table("""
# url name                             method anon ownr tchr assr adm  oadm mgr  rvwr stff
account_change_password                GET    in   ok   ok   ok   ok   ok   ok   ok   ok
account_change_password                POST   in   ok   ok   ok   ok   ok   ok   ok   ok
account_confirm_email                  GET    ok   ok   ok   ok   ok   ok   ok   ok   ok
account_confirm_email                  POST   404  404  404  404  404  404  404  404  404
account_confirm_login_code             GET    in   ok   ok   ok   ok   ok   ok   ok   ok
account_confirm_login_code             POST   in   ok   ok   ok   ok   ok   ok   ok   ok
account_confirm_reauthentication_code  GET    in   ok   ok   ok   ok   ok   ok   ok   ok
account_confirm_reauthentication_code  POST   in   ok   ok   ok   ok   ok   ok   ok   ok
account_email                          GET    in   ok   ok   ok   ok   ok   ok   ok   ok
account_email                          POST   in   ok   ok   ok   ok   ok   ok   ok   ok
account_email_verification_sent        GET    ok   ok   ok   ok   ok   ok   ok   ok   ok
account_email_verification_sent        POST   405  405  405  405  405  405  405  405  405
account_inactive                       GET    ok   ok   ok   ok   ok   ok   ok   ok   ok
account_inactive                       POST   405  405  405  405  405  405  405  405  405
account_login                          GET    ok   ok   ok   ok   ok   ok   ok   ok   ok
account_login                          POST   ok   ok   ok   ok   ok   ok   ok   ok   ok
account_logout                         GET    ok   ok   ok   ok   ok   ok   ok   ok   ok
account_logout                         POST   ok   ok   ok   ok   ok   ok   ok   ok   ok
account_reauthenticate                 GET    in   ok   ok   ok   ok   ok   ok   ok   ok
account_reauthenticate                 POST   in   ok   ok   ok   ok   ok   ok   ok   ok
account_request_reauthentication_code  GET    in   ok   ok   ok   ok   ok   ok   ok   ok
account_request_reauthentication_code  POST   in   ok   ok   ok   ok   ok   ok   ok   ok
account_reset_password                 GET    ok   ok   ok   ok   ok   ok   ok   ok   ok
account_reset_password                 POST   ok   ok   ok   ok   ok   ok   ok   ok   ok
account_reset_password_done            GET    ok   ok   ok   ok   ok   ok   ok   ok   ok
account_reset_password_done            POST   405  405  405  405  405  405  405  405  405
account_reset_password_from_key        GET    ok   ok   ok   ok   ok   ok   ok   ok   ok
account_reset_password_from_key        POST   ok   ok   ok   ok   ok   ok   ok   ok   ok
account_reset_password_from_key_done   GET    ok   ok   ok   ok   ok   ok   ok   ok   ok
account_reset_password_from_key_done   POST   405  405  405  405  405  405  405  405  405
account_set_password                   GET    in   ok   ok   ok   ok   ok   ok   ok   ok
account_set_password                   POST   in   ok   ok   ok   ok   ok   ok   ok   ok
account_signup                         GET    ok   ok   ok   ok   ok   ok   ok   ok   ok
account_signup                         POST   ok   ok   ok   ok   ok   ok   ok   ok   ok
case:document                          GET    ok   ok   ok   ok   ok   ok   ok   ok   ok
case:document                          POST   405  405  405  405  405  405  405  405  405
case:documents                         GET    ok   ok   ok   ok   ok   ok   ok   ok   ok
case:documents                         POST   405  405  405  405  405  405  405  405  405
case:item                              GET    ok   ok   ok   ok   ok   ok   ok   ok   ok
case:item                              POST   405  405  405  405  405  405  405  405  405
case:package                           GET    ok   ok   ok   ok   ok   ok   ok   ok   ok
case:package                           POST   405  405  405  405  405  405  405  405  405
classrooms:detail                      GET    ok   ok   ok   ok   ok   ok   ok   ok   ok
classrooms:detail                      POST   405  405  405  405  405  405  405  405  405
classrooms:equipment_edit              GET    in   403  403  403  ok   403  ok   403  ok
classrooms:equipment_edit              POST   in   403  403  403  bad  403  bad  403  bad
classrooms:equipment_new               GET    in   403  403  403  ok   403  ok   403  ok
classrooms:equipment_new               POST   in   403  403  403  bad  403  bad  403  bad
classrooms:list                        GET    ok   ok   ok   ok   ok   ok   ok   ok   ok
classrooms:list                        POST   405  405  405  405  405  405  405  405  405
classrooms:manage                      GET    in   403  403  403  ok   403  ok   403  ok
classrooms:manage                      POST   in   405  405  405  405  405  405  405  405
classrooms:manage_sessions             GET    in   403  403  403  ok   403  ok   403  ok
classrooms:manage_sessions             POST   in   405  405  405  405  405  405  405  405
classrooms:manage_ticket               GET    in   403  403  403  ok   403  ok   403  ok
classrooms:manage_ticket               POST   in   403  403  403  ok   403  ok   403  ok
classrooms:manage_tickets              GET    in   403  403  403  ok   403  ok   403  ok
classrooms:manage_tickets              POST   in   405  405  405  405  405  405  405  405
classrooms:my_tickets                  GET    in   ok   ok   403  ok   403  ok   403  ok
classrooms:my_tickets                  POST   in   405  405  405  405  405  405  405  405
classrooms:session_edit                GET    in   403  403  403  ok   403  ok   403  ok
classrooms:session_edit                POST   in   403  403  403  bad  403  bad  403  bad
classrooms:session_new                 GET    in   403  403  403  ok   403  ok   403  ok
classrooms:session_new                 POST   in   403  403  403  bad  403  bad  403  bad
classrooms:ticket                      GET    in   ok   404  403  ok   403  ok   403  ok
classrooms:ticket                      POST   in   405  405  405  405  405  405  405  405
classrooms:ticket_new                  GET    in   ok   ok   403  ok   403  ok   403  ok
classrooms:ticket_new                  POST   in   bad  bad  403  bad  403  bad  403  bad
credentials:bulk_issue                 GET    in   403  403  403  ok   403  403  403  ok
credentials:bulk_issue                 POST   in   403  403  403  bad  403  403  403  bad
credentials:bulk_job                   GET    in   403  403  403  ok   403  403  403  ok
credentials:bulk_job                   POST   in   403  403  403  ok   403  403  403  ok
credentials:bulk_revoke                GET    in   403  403  403  ok   403  403  403  ok
credentials:bulk_revoke                POST   in   403  403  403  bad  403  403  403  bad
credentials:detail                     GET    ok   ok   ok   ok   ok   ok   ok   ok   ok
credentials:detail                     POST   ok   ok   ok   ok   ok   ok   ok   ok   ok
credentials:exchange                   GET    405  405  405  405  405  405  405  405  405
credentials:exchange                   POST   404  404  404  404  404  404  404  404  404
credentials:json                       GET    ok   ok   ok   ok   ok   ok   ok   ok   ok
credentials:json                       POST   ok   ok   ok   ok   ok   ok   ok   ok   ok
credentials:mine                       GET    in   ok   ok   ok   ok   ok   ok   ok   ok
credentials:mine                       POST   in   ok   ok   ok   ok   ok   ok   ok   ok
credentials:organisation               GET    in   403  403  403  ok   403  403  403  ok
credentials:organisation               POST   in   403  403  403  ok   403  403  403  ok
credentials:pdf                        GET    in   ok   403  403  ok   403  403  403  ok
credentials:pdf                        POST   in   ok   403  403  ok   403  403  403  ok
credentials:status                     GET    in   403  403  403  ok   403  403  403  ok
credentials:status                     POST   in   403  403  403  ok   403  403  403  ok
credentials:transcript                 GET    in   ok   ok   ok   ok   ok   ok   ok   ok
credentials:transcript                 POST   in   ok   ok   ok   ok   ok   ok   ok   ok
credentials:verify                     GET    ok   ok   ok   ok   ok   ok   ok   ok   ok
credentials:verify                     POST   bad  bad  bad  bad  bad  bad  bad  bad  bad
credentials:visibility                 GET    in   405  405  405  405  405  405  405  405
credentials:visibility                 POST   in   ok   403  403  403  403  403  403  ok
credentials:wallet                     GET    in   ok   403  403  403  403  403  403  ok
credentials:wallet                     POST   in   ok   403  403  403  403  403  403  ok
credentials_api:achievement            GET    ok   ok   ok   ok   ok   ok   ok   ok   ok
credentials_api:achievement            POST   405  405  405  405  405  405  405  405  405
credentials_api:credential             GET    404  ok   404  404  404  404  404  404  404
credentials_api:credential             POST   405  405  405  405  405  405  405  405  405
credentials_api:did_document           GET    ok   ok   ok   ok   ok   ok   ok   ok   ok
credentials_api:did_document           POST   405  405  405  405  405  405  405  405  405
credentials_api:issue                  GET    405  405  405  405  405  405  405  405  405
credentials_api:issue                  POST   in   in   in   in   in   in   in   in   in
credentials_api:status_list            GET    ok   ok   ok   ok   ok   ok   ok   ok   ok
credentials_api:status_list            POST   405  405  405  405  405  405  405  405  405
credentials_api:verify                 GET    405  405  405  405  405  405  405  405  405
credentials_api:verify                 POST   bad  bad  bad  bad  bad  bad  bad  bad  bad
credentials_api:verify_presentation    GET    405  405  405  405  405  405  405  405  405
credentials_api:verify_presentation    POST   bad  bad  bad  bad  bad  bad  bad  bad  bad
credentials_api:vocabulary             GET    ok   ok   ok   ok   ok   ok   ok   ok   ok
credentials_api:vocabulary             POST   405  405  405  405  405  405  405  405  405
favicon                                GET    ok   ok   ok   ok   ok   ok   ok   ok   ok
favicon                                POST   ok   ok   ok   ok   ok   ok   ok   ok   ok
frameworks:current                     GET    ok   ok   ok   ok   ok   ok   ok   ok   ok
frameworks:current                     POST   ok   ok   ok   ok   ok   ok   ok   ok   ok
frameworks:detail                      GET    ok   ok   ok   ok   ok   ok   ok   ok   ok
frameworks:detail                      POST   ok   ok   ok   ok   ok   ok   ok   ok   ok
frameworks:list                        GET    ok   ok   ok   ok   ok   ok   ok   ok   ok
frameworks:list                        POST   ok   ok   ok   ok   ok   ok   ok   ok   ok
healthz                                GET    ok   ok   ok   ok   ok   ok   ok   ok   ok
healthz                                POST   405  405  405  405  405  405  405  405  405
learning:dashboard                     GET    in   ok   ok   ok   ok   ok   ok   ok   ok
learning:dashboard                     POST   in   ok   ok   ok   ok   ok   ok   ok   ok
learning:enrol                         GET    in   405  405  405  405  405  405  405  405
learning:enrol                         POST   in   ok   ok   403  403  403  403  403  ok
learning:evidence_file                 GET    in   ok   404  ok   404  404  ok   404  ok
learning:evidence_file                 POST   in   ok   404  ok   404  404  ok   404  ok
learning:evidence_remove               GET    in   405  405  405  405  405  405  405  405
learning:evidence_remove               POST   in   ok   404  403  404  404  403  404  ok
learning:institution_home              GET    in   403  403  403  ok   ok   403  403  403
learning:institution_home              POST   in   405  405  405  405  405  405  405  405
learning:offerings                     GET    in   ok   ok   ok   ok   ok   ok   ok   ok
learning:offerings                     POST   in   ok   ok   ok   ok   ok   ok   ok   ok
learning:organisation_plans            GET    in   403  403  403  ok   403  ok   403  ok
learning:organisation_plans            POST   in   403  403  403  ok   403  ok   403  ok
learning:organisation_progress         GET    in   403  403  403  ok   403  ok   403  ok
learning:organisation_progress         POST   in   405  405  405  405  405  405  405  405
learning:plan                          GET    in   ok   404  404  403  404  403  404  ok
learning:plan                          POST   in   ok   404  404  403  404  403  404  ok
learning:plans                         GET    in   ok   ok   ok   ok   ok   ok   ok   ok
learning:plans                         POST   in   bad  bad  bad  bad  bad  bad  bad  bad
learning:profile                       GET    in   ok   404  404  404  404  404  404  ok
learning:profile                       POST   in   ok   404  404  404  404  404  404  ok
learning:queue                         GET    in   403  403  ok   403  403  403  403  ok
learning:queue                         POST   in   405  405  405  405  405  405  405  405
learning:review                        GET    in   403  403  ok   403  403  403  403  ok
learning:review                        POST   in   403  403  bad  403  403  403  403  bad
learning:review_evidence               GET    in   ok   403  ok   403  403  ok   403  ok
learning:review_evidence               POST   in   405  405  405  405  405  405  405  405
learning:self_assessment               GET    in   ok   404  404  404  404  404  404  ok
learning:self_assessment               POST   in   ok   404  404  404  404  404  404  ok
learning:self_assessments              GET    in   ok   ok   ok   ok   ok   ok   ok   ok
learning:self_assessments              POST   in   ok   ok   ok   ok   ok   ok   ok   ok
learning:submission                    GET    in   ok   404  403  404  404  403  404  ok
learning:submission                    POST   in   ok   404  403  404  404  403  404  ok
learning:submission_start              GET    in   405  405  405  405  405  405  405  405
learning:submission_start              POST   in   ok   404  404  404  404  404  404  ok
learning:teachers_add                  GET    in   403  403  403  ok   403  ok   403  ok
learning:teachers_add                  POST   in   403  403  403  bad  403  bad  403  bad
learning:unassigned                    GET    in   403  403  403  403  403  ok   403  ok
learning:unassigned                    POST   in   403  403  403  403  403  ok   403  ok
learning:withdraw                      GET    in   405  405  405  405  405  405  405  405
learning:withdraw                      POST   in   ok   404  404  404  404  404  404  ok
lms:jwks                               GET    ok   ok   ok   ok   ok   ok   ok   ok   ok
lms:jwks                               POST   405  405  405  405  405  405  405  405  405
lms:launch                             GET    405  405  405  405  405  405  405  405  405
lms:launch                             POST   bad  bad  bad  bad  bad  bad  bad  bad  bad
lms:login                              GET    bad  bad  bad  bad  bad  bad  bad  bad  bad
lms:login                              POST   bad  bad  bad  bad  bad  bad  bad  bad  bad
mfa_activate_totp                      GET    in   ok   ok   ok   ok   ok   ok   ok   ok
mfa_activate_totp                      POST   in   ok   ok   ok   ok   ok   ok   ok   ok
mfa_authenticate                       GET    in   ok   ok   ok   ok   ok   ok   ok   ok
mfa_authenticate                       POST   in   ok   ok   ok   ok   ok   ok   ok   ok
mfa_deactivate_totp                    GET    in   404  404  404  404  404  404  404  404
mfa_deactivate_totp                    POST   in   404  404  404  404  404  404  404  404
mfa_download_recovery_codes            GET    in   404  404  404  404  404  404  404  404
mfa_download_recovery_codes            POST   in   404  404  404  404  404  404  404  404
mfa_generate_recovery_codes            GET    in   ok   ok   ok   ok   ok   ok   ok   ok
mfa_generate_recovery_codes            POST   in   ok   ok   ok   ok   ok   ok   ok   ok
mfa_index                              GET    in   ok   ok   ok   ok   ok   ok   ok   ok
mfa_index                              POST   in   405  405  405  405  405  405  405  405
mfa_reauthenticate                     GET    in   ok   ok   ok   ok   ok   ok   ok   ok
mfa_reauthenticate                     POST   in   ok   ok   ok   ok   ok   ok   ok   ok
mfa_view_recovery_codes                GET    in   404  404  404  404  404  404  404  404
mfa_view_recovery_codes                POST   in   405  405  405  405  405  405  405  405
network:accession_detail               GET    in   403  403  403  403  403  ok   403  ok
network:accession_detail               POST   in   403  403  403  403  403  bad  403  bad
network:accession_status               GET    ok   ok   ok   ok   ok   ok   ok   ok   ok
network:accession_status               POST   bad  bad  bad  bad  bad  bad  bad  bad  bad
network:accessions                     GET    in   403  403  403  403  403  ok   403  ok
network:accessions                     POST   in   405  405  405  405  405  405  405  405
network:agreement                      GET    in   404  404  404  ok   404  ok   404  ok
network:agreement                      POST   in   405  405  405  405  405  405  405  405
network:agreement_new                  GET    in   403  403  403  403  403  ok   403  ok
network:agreement_new                  POST   in   403  403  403  403  403  bad  403  bad
network:agreement_transition           GET    in   405  405  405  405  405  405  405  405
network:agreement_transition           POST   in   404  404  404  403  404  bad  404  bad
network:agreements                     GET    in   403  403  403  ok   ok   ok   403  ok
network:agreements                     POST   in   405  405  405  405  405  405  405  405
network:centre_end                     GET    in   405  405  405  405  405  405  405  405
network:centre_end                     POST   in   403  403  403  403  403  ok   403  ok
network:centres                        GET    in   403  403  403  403  403  ok   403  ok
network:centres                        POST   in   403  403  403  403  403  bad  403  bad
network:document                       GET    in   404  404  404  ok   404  ok   404  ok
network:document                       POST   in   405  405  405  405  405  405  405  405
network:document_add                   GET    in   405  405  405  405  405  405  405  405
network:document_add                   POST   in   404  404  404  bad  404  bad  404  bad
network:document_remove                GET    in   405  405  405  405  405  405  405  405
network:document_remove                POST   in   404  404  404  403  404  ok   404  ok
network:item_add                       GET    in   405  405  405  405  405  405  405  405
network:item_add                       POST   in   404  404  404  403  404  bad  404  bad
network:item_status                    GET    in   405  405  405  405  405  405  405  405
network:item_status                    POST   in   404  404  404  bad  404  bad  404  bad
network:join                           GET    ok   ok   ok   ok   ok   ok   ok   ok   ok
network:join                           POST   bad  bad  bad  bad  bad  bad  bad  bad  bad
network:join_done                      GET    ok   ok   ok   ok   ok   ok   ok   ok   ok
network:join_done                      POST   405  405  405  405  405  405  405  405  405
network:overview                       GET    ok   ok   ok   ok   ok   ok   ok   ok   ok
network:overview                       POST   405  405  405  405  405  405  405  405  405
network:partner_timeline               GET    in   403  403  403  ok   403  ok   403  ok
network:partner_timeline               POST   in   405  405  405  405  405  405  405  405
network:position_remove                GET    in   405  405  405  405  405  405  405  405
network:position_remove                POST   in   403  403  403  403  403  ok   403  ok
network:positions                      GET    in   403  403  403  403  403  ok   403  ok
network:positions                      POST   in   403  403  403  403  403  bad  403  bad
news:article                           GET    ok   ok   ok   ok   ok   ok   ok   ok   ok
news:article                           POST   405  405  405  405  405  405  405  405  405
news:article_edit                      GET    in   403  403  403  403  403  ok   403  ok
news:article_edit                      POST   in   403  403  403  403  403  bad  403  bad
news:article_new                       GET    in   403  403  403  403  403  ok   403  ok
news:article_new                       POST   in   403  403  403  403  403  bad  403  bad
news:article_publish                   GET    in   403  403  403  403  403  405  403  405
news:article_publish                   POST   in   403  403  403  403  403  ok   403  ok
news:article_schedule                  GET    in   403  403  403  403  403  405  403  405
news:article_schedule                  POST   in   403  403  403  403  403  bad  403  bad
news:article_unpublish                 GET    in   403  403  403  403  403  405  403  405
news:article_unpublish                 POST   in   403  403  403  403  403  ok   403  ok
news:case                              GET    ok   ok   ok   ok   ok   ok   ok   ok   ok
news:case                              POST   405  405  405  405  405  405  405  405  405
news:case_review                       GET    in   403  403  403  403  403  ok   403  ok
news:case_review                       POST   in   403  403  403  403  403  ok   403  ok
news:case_submit                       GET    in   403  403  403  ok   ok   403  403  403
news:case_submit                       POST   in   403  403  403  bad  bad  403  403  403
news:cases                             GET    ok   ok   ok   ok   ok   ok   ok   ok   ok
news:cases                             POST   405  405  405  405  405  405  405  405  405
news:events                            GET    ok   ok   ok   ok   ok   ok   ok   ok   ok
news:events                            POST   405  405  405  405  405  405  405  405  405
news:feed_atom                         GET    ok   ok   ok   ok   ok   ok   ok   ok   ok
news:feed_atom                         POST   ok   ok   ok   ok   ok   ok   ok   ok   ok
news:feed_rss                          GET    ok   ok   ok   ok   ok   ok   ok   ok   ok
news:feed_rss                          POST   ok   ok   ok   ok   ok   ok   ok   ok   ok
news:image                             GET    ok   ok   ok   ok   ok   ok   ok   ok   ok
news:image                             POST   405  405  405  405  405  405  405  405  405
news:image_add                         GET    in   403  403  403  403  403  405  403  405
news:image_add                         POST   in   403  403  403  403  403  bad  403  bad
news:image_remove                      GET    in   403  403  403  403  403  405  403  405
news:image_remove                      POST   in   403  403  403  403  403  ok   403  ok
news:list                              GET    ok   ok   ok   ok   ok   ok   ok   ok   ok
news:list                              POST   405  405  405  405  405  405  405  405  405
news:manage                            GET    in   403  403  403  403  403  ok   403  ok
news:manage                            POST   in   403  403  403  403  403  405  403  405
news:my_case                           GET    in   404  404  404  ok   404  404  404  404
news:my_case                           POST   in   404  404  404  ok   404  404  404  404
news:my_cases                          GET    in   403  403  403  ok   ok   403  403  ok
news:my_cases                          POST   in   405  405  405  405  405  405  405  405
privacy:erase                          GET    in   ok   ok   ok   ok   ok   ok   ok   ok
privacy:erase                          POST   in   ok   ok   ok   ok   ok   ok   ok   ok
privacy:erased                         GET    ok   ok   ok   ok   ok   ok   ok   ok   ok
privacy:erased                         POST   405  405  405  405  405  405  405  405  405
privacy:export                         GET    in   405  405  405  405  405  405  405  405
privacy:export                         POST   in   ok   ok   ok   ok   ok   ok   ok   ok
privacy:mine                           GET    in   ok   ok   ok   ok   ok   ok   ok   ok
privacy:mine                           POST   in   405  405  405  405  405  405  405  405
privacy:office                         GET    in   403  403  403  403  403  ok   403  ok
privacy:office                         POST   in   405  405  405  405  405  405  405  405
privacy:office_erase                   GET    in   405  405  405  405  405  405  405  405
privacy:office_erase                   POST   in   403  403  403  403  403  bad  403  bad
privacy:office_export                  GET    in   405  405  405  405  405  405  405  405
privacy:office_export                  POST   in   403  403  403  403  403  bad  403  bad
privacy:withdraw                       GET    in   405  405  405  405  405  405  405  405
privacy:withdraw                       POST   in   ok   ok   ok   ok   ok   ok   ok   ok
recognition:application                GET    in   404  404  404  404  404  ok   ok   ok
recognition:application                POST   in   404  404  404  404  404  ok   403  ok
recognition:application_new            GET    in   403  403  403  ok   ok   ok   403  403
recognition:application_new            POST   in   403  403  403  bad  bad  bad  403  403
recognition:application_withdraw       GET    in   405  405  405  405  405  405  405  405
recognition:application_withdraw       POST   in   404  404  404  404  404  ok   403  ok
recognition:applications               GET    in   403  403  403  ok   ok   ok   403  403
recognition:applications               POST   in   405  405  405  405  405  405  405  405
recognition:compliance                 GET    in   403  403  403  ok   403  ok   ok   404
recognition:compliance                 POST   in   405  405  405  405  405  405  405  405
recognition:compliance_home            GET    in   403  403  403  ok   403  ok   ok   ok
recognition:compliance_home            POST   in   405  405  405  405  405  405  405  405
recognition:ledger_csv                 GET    in   403  403  403  ok   403  403  ok   ok
recognition:ledger_csv                 POST   in   405  405  405  405  405  405  405  405
recognition:ledger_xlsx                GET    in   403  403  403  ok   403  403  ok   ok
recognition:ledger_xlsx                POST   in   405  405  405  405  405  405  405  405
recognition:pd_transcript              GET    in   ok   ok   ok   ok   ok   ok   ok   ok
recognition:pd_transcript              POST   in   405  405  405  405  405  405  405  405
recognition:pd_transcript_json         GET    in   ok   ok   ok   ok   ok   ok   ok   ok
recognition:pd_transcript_json         POST   in   405  405  405  405  405  405  405  405
recognition:pd_transcript_pdf          GET    in   ok   ok   ok   ok   ok   ok   ok   ok
recognition:pd_transcript_pdf          POST   in   405  405  405  405  405  405  405  405
recognition:report                     GET    in   403  403  403  ok   403  ok   ok   ok
recognition:report                     POST   in   405  405  405  405  405  405  405  405
recognition:report_csv                 GET    in   403  403  403  ok   403  ok   ok   ok
recognition:report_csv                 POST   in   405  405  405  405  405  405  405  405
recognition:report_xlsx                GET    in   403  403  403  ok   403  ok   ok   ok
recognition:report_xlsx                POST   in   405  405  405  405  405  405  405  405
recognition:reports                    GET    in   403  403  403  ok   ok   ok   ok   ok
recognition:reports                    POST   in   405  405  405  405  405  405  405  405
recognition:review                     GET    in   404  404  404  404  404  403  ok   ok
recognition:review                     POST   in   404  404  404  404  404  403  bad  bad
recognition:review_queue               GET    in   403  403  403  403  403  403  ok   ok
recognition:review_queue               POST   in   405  405  405  405  405  405  405  405
recognition_api:endorsement            GET    ok   ok   ok   ok   ok   ok   ok   ok   ok
recognition_api:endorsement            POST   405  405  405  405  405  405  405  405  405
robots_txt                             GET    ok   ok   ok   ok   ok   ok   ok   ok   ok
robots_txt                             POST   405  405  405  405  405  405  405  405  405
set_language                           GET    ok   ok   ok   ok   ok   ok   ok   ok   ok
set_language                           POST   ok   ok   ok   ok   ok   ok   ok   ok   ok
sitemap                                GET    ok   ok   ok   ok   ok   ok   ok   ok   ok
sitemap                                POST   ok   ok   ok   ok   ok   ok   ok   ok   ok
web:api_tokens                         GET    in   ok   ok   ok   ok   ok   ok   ok   ok
web:api_tokens                         POST   in   ok   ok   ok   ok   ok   ok   ok   ok
web:catalogue                          GET    ok   ok   ok   ok   ok   ok   ok   ok   ok
web:catalogue                          POST   405  405  405  405  405  405  405  405  405
web:dashboard                          GET    in   ok   ok   ok   ok   ok   ok   ok   ok
web:dashboard                          POST   in   ok   ok   ok   ok   ok   ok   ok   ok
web:home                               GET    ok   ok   ok   ok   ok   ok   ok   ok   ok
web:home                               POST   405  405  405  405  405  405  405  405  405
web:organisation_people                GET    in   403  403  403  ok   403  ok   403  ok
web:organisation_people                POST   in   403  403  403  ok   403  ok   403  ok
web:partner                            GET    ok   ok   ok   ok   ok   ok   ok   ok   ok
web:partner                            POST   405  405  405  405  405  405  405  405  405
web:partners                           GET    ok   ok   ok   ok   ok   ok   ok   ok   ok
web:partners                           POST   405  405  405  405  405  405  405  405  405
web:person                             GET    in   ok   403  403  ok   403  ok   403  ok
web:person                             POST   in   ok   403  403  ok   403  ok   403  ok
web:person_edit                        GET    in   ok   403  403  403  403  ok   403  ok
web:person_edit                        POST   in   ok   403  403  403  403  ok   403  ok
web:specification                      GET    ok   ok   ok   ok   ok   ok   ok   ok   ok
web:specification                      POST   405  405  405  405  405  405  405  405  405
web:specification_version              GET    ok   ok   ok   ok   ok   ok   ok   ok   ok
web:specification_version              POST   405  405  405  405  405  405  405  405  405
web:verify_link                        GET    bad  bad  bad  bad  bad  bad  bad  bad  bad
web:verify_link                        POST   405  405  405  405  405  405  405  405  405
""")

API_TABLE = """
# operation                            method anon ownr tchr assr adm  oadm mgr  rvwr stff
application_create                     POST   in   403  403  403  bad  403  403  403  bad
application_decide                     POST   in   404  404  404  404  404  403  bad  bad
application_get                        GET    in   404  404  404  404  404  ok   ok   ok
application_list                       GET    in   ok   ok   ok   ok   ok   ok   ok   ok
application_resubmit                   POST   in   404  404  404  404  404  bad  403  bad
application_withdraw                   POST   in   404  404  404  404  404  ok   403  ok
article_get                            GET    ok   ok   ok   ok   ok   ok   ok   ok   ok
article_list                           GET    ok   ok   ok   ok   ok   ok   ok   ok   ok
case_get                               GET    ok   ok   ok   ok   ok   ok   ok   ok   ok
case_list                              GET    ok   ok   ok   ok   ok   ok   ok   ok   ok
classroom_get                          GET    ok   ok   ok   ok   ok   ok   ok   ok   ok
classroom_list                         GET    ok   ok   ok   ok   ok   ok   ok   ok   ok
compliance_get                         GET    in   403  403  403  ok   403  ok   ok   404
enrolment_create                       POST   in   ok   ok   403  403  403  403  403  bad
enrolment_get                          GET    in   ok   404  404  404  404  404  404  ok
enrolment_list                         GET    in   ok   ok   ok   ok   ok   ok   ok   ok
enrolment_withdraw                     POST   in   bad  404  404  404  404  404  404  bad
equipment_list                         GET    in   403  403  403  ok   403  ok   403  ok
erasure                                POST   in   bad  bad  bad  bad  bad  bad  bad  bad
evidence_add_file                      POST   in   bad  404  403  404  404  403  404  bad
evidence_add_link                      POST   in   bad  404  403  404  404  403  404  bad
evidence_file                          GET    in   ok   404  ok   404  404  ok   404  ok
evidence_remove                        DELETE in   bad  404  403  404  404  403  404  bad
export                                 GET    in   ok   ok   ok   ok   ok   ok   ok   ok
framework_list                         GET    in   ok   ok   ok   ok   ok   ok   ok   ok
ledger_get                             GET    in   ok   404  404  ok   404  ok   404  ok
managed_article_create                 POST   in   403  403  403  403  403  ok   403  ok
managed_article_get                    GET    in   403  403  403  403  403  ok   403  ok
managed_article_list                   GET    in   403  403  403  403  403  ok   403  ok
managed_article_publish                POST   in   403  403  403  403  403  bad  403  bad
managed_article_unpublish              POST   in   403  403  403  403  403  ok   403  ok
managed_article_update                 PATCH  in   403  403  403  403  403  ok   403  ok
managed_case_decide                    POST   in   403  403  403  403  403  bad  403  bad
managed_case_list                      GET    in   403  403  403  403  403  ok   403  ok
managed_image_add                      POST   in   403  403  403  403  403  bad  403  bad
me                                     GET    in   ok   ok   ok   ok   ok   ok   ok   ok
network_agreement_detail               GET    in   404  404  404  ok   404  ok   404  ok
network_agreement_list                 GET    in   ok   ok   ok   ok   ok   ok   ok   ok
network_agreement_status               POST   in   404  404  404  403  404  bad  404  bad
network_application_decide             POST   in   403  403  403  403  403  ok   403  ok
network_application_detail             GET    in   403  403  403  403  403  ok   403  ok
network_application_list               GET    in   403  403  403  403  403  ok   403  ok
network_application_submit             POST   bad  bad  bad  bad  bad  bad  bad  bad  bad
network_item_status                    POST   in   404  404  404  ok   404  ok   404  ok
network_national_centres               GET    ok   ok   ok   ok   ok   ok   ok   ok   ok
network_positions                      GET    ok   ok   ok   ok   ok   ok   ok   ok   ok
offering_list                          GET    in   ok   ok   ok   ok   ok   ok   ok   ok
organisation_plans_to_decide           GET    in   403  403  403  ok   403  ok   403  ok
organisation_progress                  GET    in   403  403  403  ok   403  ok   403  ok
organisation_teachers_add              POST   in   403  403  403  ok   403  ok   403  ok
own_case_get                           GET    in   404  404  404  ok   404  404  404  404
own_case_list                          GET    in   403  403  403  ok   ok   403  403  ok
own_case_resubmit                      POST   in   404  404  404  bad  404  404  404  404
own_case_submit                        POST   in   403  403  403  ok   403  403  403  ok
plan_approve                           POST   in   403  404  404  ok   404  403  404  ok
plan_create                            POST   in   ok   ok   403  403  403  403  403  bad
plan_get                               GET    in   ok   404  404  ok   404  ok   404  ok
plan_item_delete                       DELETE in   bad  404  404  403  404  403  404  bad
plan_item_put                          PUT    in   bad  404  404  403  404  403  404  bad
plan_list                              GET    in   ok   ok   ok   ok   ok   ok   ok   ok
plan_return                            POST   in   403  404  404  ok   404  403  404  ok
plan_submit                            POST   in   bad  404  404  403  404  403  404  bad
review_assign                          POST   in   403  404  403  404  404  ok   404  ok
review_complete                        POST   in   404  404  bad  404  404  403  404  bad
review_get                             GET    in   404  404  ok   404  404  ok   404  ok
review_list                            GET    in   403  403  ok   403  403  403  403  ok
scheme_list                            GET    in   ok   ok   ok   ok   ok   ok   ok   ok
self_assessment_answer                 PUT    in   bad  404  404  404  404  404  404  bad
self_assessment_complete               POST   in   bad  404  404  404  404  404  404  bad
self_assessment_create                 POST   in   ok   ok   ok   ok   ok   ok   ok   ok
self_assessment_get                    GET    in   ok   404  404  404  404  404  404  ok
self_assessment_list                   GET    in   ok   ok   ok   ok   ok   ok   ok   ok
self_assessment_suggestions            GET    in   ok   404  404  404  404  404  404  ok
session_create                         POST   in   403  403  403  bad  403  bad  403  bad
session_list                           GET    in   403  403  403  ok   403  ok   403  ok
submission_awaiting_assessor           GET    in   403  403  403  403  403  ok   403  ok
submission_get                         GET    in   ok   404  ok   404  404  ok   404  ok
submission_save_draft                  PATCH  in   bad  404  403  404  404  403  404  bad
submission_start                       POST   in   ok   404  404  404  404  404  404  ok
submission_submit                      POST   in   bad  404  403  404  404  403  404  bad
ticket_create                          POST   in   ok   ok   403  ok   403  ok   403  ok
ticket_get                             GET    in   ok   404  404  ok   404  ok   404  ok
ticket_list                            GET    in   ok   ok   403  ok   403  ok   403  ok
ticket_status                          POST   in   403  404  404  ok   404  ok   404  ok
"""
API = {name: next(iter(row.values())) for name, row in _table(API_TABLE).items()}
