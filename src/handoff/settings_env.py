"""Typed readers of the ``HANDOFF_*`` environment variables, for ``settings.py``.

They live apart from the settings so that ``handoff check`` can ask which of the variables
production requires are missing before it chooses the settings to load (production's refuse
to load without them), without loading any settings itself.
"""

import os

from django.core.exceptions import ImproperlyConfigured

# What ``handoff serve`` refuses to start without.
PRODUCTION_REQUIRES = ("SECRET_KEY", "ALLOWED_HOSTS", "SITE_URL")


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(f"HANDOFF_{name}", default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    raw = env_str(name)
    if not raw:
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"HANDOFF_{name} must be true or false, not {raw!r}.")


def env_int(name: str, default: int) -> int:
    raw = env_str(name)
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"HANDOFF_{name} must be a whole number, not {raw!r}.") from None


def env_list(name: str) -> list[str]:
    return [item.strip() for item in env_str(name).split(",") if item.strip()]


def unset(names) -> list[str]:
    """The full names (``HANDOFF_…``) of those of ``names`` that are not set or blank."""
    return [f"HANDOFF_{name}" for name in names if not env_str(name)]
