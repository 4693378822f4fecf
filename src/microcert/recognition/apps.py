from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecognitionConfig(AppConfig):
    name = "microcert.recognition"
    label = "recognition"
    verbose_name = _("Recognition of professional development")

    def ready(self) -> None:
        from . import receivers  # noqa: F401 - connects the ledger to credential changes
