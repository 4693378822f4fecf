"""Factories for the partner network, built through the network services."""

import factory

from microcert.network import services
from microcert.network.models import Agreement, Membership, Organisation


class OrganisationFactory(factory.Factory):
    """A higher-education institution unless told otherwise."""

    class Meta:
        model = Organisation

    slug = factory.Sequence(lambda n: f"university-{n}")
    kind = Organisation.Kind.HEI
    name = factory.Sequence(lambda n: {"en": f"University {n}", "vi": f"Trường Đại học {n}"})
    country = "VN"
    subregion = "south_eastern_asia"
    is_programme_owner = False

    @classmethod
    def _create(cls, model_class, **kwargs):
        return services.organisation_create(**kwargs)


class ProgrammeOwnerFactory(OrganisationFactory):
    slug = "centre"
    kind = Organisation.Kind.INTERNATIONAL
    name = {"en": "The Centre", "fr": "Le Centre"}
    country = "CN"
    subregion = "eastern_asia"
    is_programme_owner = True


class MinistryFactory(OrganisationFactory):
    slug = factory.Sequence(lambda n: f"ministry-{n}")
    kind = Organisation.Kind.MINISTRY
    name = factory.Sequence(lambda n: f"Ministry of Education {n}")


class MembershipFactory(factory.Factory):
    class Meta:
        model = Membership

    organisation = factory.SubFactory(OrganisationFactory)
    kind = Membership.Kind.PARTNER_HEI

    @classmethod
    def _create(cls, model_class, **kwargs):
        return services.membership_create(**kwargs)


class AgreementFactory(factory.Factory):
    """A draft memorandum between two new institutions unless ``parties`` is given."""

    class Meta:
        model = Agreement

    reference = factory.Sequence(lambda n: f"MOU-2026-{n:03d}")
    title = factory.Sequence(lambda n: {"en": f"Memorandum {n}", "zh-hans": f"备忘录 {n}"})
    kind = Agreement.Kind.MOU
    parties = factory.LazyFunction(lambda: [OrganisationFactory(), OrganisationFactory()])

    @classmethod
    def _create(cls, model_class, **kwargs):
        return services.agreement_create(**kwargs)
