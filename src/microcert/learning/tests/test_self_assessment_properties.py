"""Properties of recording self-assessment answers: any mapping of strings is either taken
whole (each competence at the level given, the last word counting) or refused whole in words,
leaving the answers as they were."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from microcert.learning import services
from microcert.learning.services import LearningError

from . import builders as b

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessment():
    from microcert.frameworks.models import CompetencyFramework

    world = b.load_world()
    framework = CompetencyFramework.objects.get(slug="digcompedu", status="published")
    return services.self_assessment_start(person=world.lan, framework=framework)


def _state(assessment) -> dict[str, str]:
    return {
        a.competence.code: a.level.code
        for a in assessment.answers.select_related("competence", "level")
    }


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_answers_are_taken_whole_or_refused_whole(assessment, data):
    competences = [c.code for c in services.assessable_competences(assessment.framework)]
    levels = list(assessment.framework.levels.values_list("code", flat=True))
    some_code = st.sampled_from(competences) | st.text(max_size=25)
    some_level = st.sampled_from(levels) | st.text(max_size=25)
    answers = data.draw(st.dictionaries(some_code, some_level, max_size=8))
    before = _state(assessment)

    try:
        services.self_assessment_answer(assessment=assessment, answers=answers, actor=None)
    except LearningError as refused:
        assert refused.messages and all(refused.messages)
        assert _state(assessment) == before
    else:
        assert answers
        assert set(answers) <= set(competences) and set(answers.values()) <= set(levels)
        assert _state(assessment) == {**before, **answers}
