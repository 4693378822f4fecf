from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    name = "microcert.learning"
    label = "learning"
    verbose_name = _("Learning and assessment")
