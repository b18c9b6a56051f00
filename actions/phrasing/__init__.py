"""French phrasing of the live answers, for the role of the person asking: one small module per topic.

common (labels, `safe`), classes (questions 1 and 5), families (2 and 4), rollover (3),
director (6, 7 and 8); handoff (the staff's open requests) is imported as a module.
Callers use the package (`from actions import phrasing as texts`); the fixed sentences are
domain responses (domain.yml).
"""

from actions.phrasing.classes import (
    class_pupils,
    my_classes,
    school_teachers,
)
from actions.phrasing.common import (
    FEED_LABELS,
    FORGOT_LOGIN,
    FORGOT_PASSWORD,
    MONTHS,
    OUTCOME_LABELS,
    PROFILE_LABELS,
    class_button_title,
    french_date,
    join_names,
    parent_button_title,
    safe,
)
from actions.phrasing.director import (
    access_blocking,
    cleanup,
    gar_group,
)
from actions.phrasing.families import (
    my_children,
    parent_activation,
)
from actions.phrasing.rollover import (
    CHECKLISTS,
    PHASES,
    rollover_status,
)

__all__ = [
    "CHECKLISTS",
    "FEED_LABELS",
    "FORGOT_LOGIN",
    "FORGOT_PASSWORD",
    "MONTHS",
    "OUTCOME_LABELS",
    "PHASES",
    "PROFILE_LABELS",
    "access_blocking",
    "class_button_title",
    "class_pupils",
    "cleanup",
    "french_date",
    "gar_group",
    "join_names",
    "my_children",
    "my_classes",
    "parent_activation",
    "parent_button_title",
    "rollover_status",
    "safe",
    "school_teachers",
]
