from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CredentialsConfig(AppConfig):
    name = "microcert.credentials"
    label = "credentials"
    verbose_name = _("Credentials")

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects the cache-clearing receivers)
