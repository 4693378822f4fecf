from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "microcert.core"
    label = "core"
    verbose_name = "Core"
