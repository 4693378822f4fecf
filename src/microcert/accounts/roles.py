"""The roles a person can hold within an organisation."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    TEACHER = "teacher", _("Teacher")
    ASSESSOR = "assessor", _("Assessor")
    INSTITUTION_ADMIN = "institution_admin", _("Institution admin")
    PROGRAMME_MANAGER = "programme_manager", _("Programme manager")
    AUTHORITY_REVIEWER = "authority_reviewer", _("Authority reviewer")
