from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "microcert.privacy"
    label = "privacy"
    verbose_name = _("Privacy: a person's data, exported or erased")
