"""Every node type, so the schema knows them even where no field returns them directly."""

from .municipality import Municipality
from .national_goal import NationalGoal
from .plan import Area, Criterion, Goal, Measure, Plan
from .unit import Unit

NODE_TYPES = [Municipality, Unit, Plan, Area, Goal, Criterion, Measure, NationalGoal]
