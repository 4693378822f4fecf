"""Pages of the Smart Classroom registry, one module per audience:

* ``public``: the registry and a classroom's page, for anyone;
* ``tickets``: reporting a problem and following one's own tickets (the host's teachers);
* ``manage``: inventory, tickets and sessions (the host's admins, the programme's managers).
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from .. import selectors
from ..models import SmartClassroom


def visible_classroom(request: HttpRequest, slug: str) -> SmartClassroom:
    """The classroom, or 404 when it does not exist or the user may not see it."""
    classroom = selectors.classroom_by_slug(slug)
    if classroom is None or not request.user.has_perm("classrooms.see_classroom", classroom):
        raise Http404
    return classroom


def classroom_for(request: HttpRequest, slug: str, perm: str) -> SmartClassroom:
    """The classroom if the user holds ``perm`` on it: 404 when they may not see it at all,
    403 when they see it but their role does not allow this."""
    classroom = visible_classroom(request, slug)
    if not request.user.has_perm(f"classrooms.{perm}", classroom):
        raise PermissionDenied
    return classroom
