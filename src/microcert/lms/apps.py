from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LmsConfig(AppConfig):
    name = "microcert.lms"
    label = "lms"
    verbose_name = _("Learning platforms (LTI 1.3)")
