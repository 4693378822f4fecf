from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecognitionConfig(AppConfig):
    name = "microcert.recognition"
    label = "recognition"
    verbose_name = _("Recognition of professional development")

    def ready(self) -> None:
        # The ledger follows credential changes; the pages' and API's rules are registered.
        from . import permissions, receivers  # noqa: F401
