"""`kvalitet.rules` moved to `kvalitet.plugins.rules`; this name stays importable for profiles
written against it (the same module object, so types compare equal)."""

import sys

from kvalitet.plugins import rules as _moved

sys.modules[__name__] = _moved
