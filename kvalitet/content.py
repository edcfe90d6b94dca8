"""`kvalitet.content` moved to `kvalitet.plugins.content`; this name stays importable for profiles
written against it (the same module object, so types compare equal)."""

import sys

from kvalitet.plugins import content as _moved

sys.modules[__name__] = _moved
