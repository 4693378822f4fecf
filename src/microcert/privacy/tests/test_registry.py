"""Every reference to a person has a rule: an app added later cannot keep people's data that
an export forgets or an erasure leaves behind."""

from pathlib import Path

from django.conf import settings
from django.db import models
from django.test.utils import isolate_apps

from microcert.privacy import exports, registry

DOCS = Path(settings.BASE_DIR) / "docs" / "privacy.md"


def test_every_reference_to_a_person_has_a_rule():
    unknown = registry.unknown_references()
    assert unknown == [], (
        "These fields refer to a person but privacy has no rule for them; add one to "
        f"microcert.privacy.registry.RULES (export and erase): {unknown}"
    )


def test_the_check_finds_every_kind_of_reference_of_a_new_model():
    with isolate_apps("microcert.privacy"):

        class Badge(models.Model):
            holder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
            mentor = models.OneToOneField(
                settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
            )
            title = models.CharField(max_length=20)

            class Meta:
                app_label = "privacy"

            def __str__(self) -> str:
                return self.title

        assert registry.unknown_references([Badge]) == [
            "privacy.Badge.holder",
            "privacy.Badge.mentor",
        ]


def test_no_rule_names_a_field_that_does_not_exist():
    assert registry.stale_rules() == []


def test_each_rule_exports_to_a_known_area_and_erases_in_a_known_way():
    assert set(exports.EXPORTERS) == set(registry.AREAS)
    for label, rule in registry.RULES.items():
        assert rule.export in (*registry.AREAS, registry.REFERENCE), label
        assert rule.erase in (registry.DELETE, registry.NULL, registry.KEEP, registry.AREA), label
        assert rule.why.strip(), label


def test_the_documentation_lists_every_rule():
    text = DOCS.read_text(encoding="utf-8")
    missing = [label for label in registry.RULES if f"`{label}`" not in text]
    assert missing == [], f"docs/privacy.md does not list: {missing}"
