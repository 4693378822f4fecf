from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClassroomsConfig(AppConfig):
    name = "microcert.classrooms"
    label = "classrooms"
    verbose_name = _("Smart Classrooms")
