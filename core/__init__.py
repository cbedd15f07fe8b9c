"""The bottom layer every other package may import: shared schemas, settings and config.

Nothing here imports another casetriage package. The layers above it, bottom to top, are
``features -> models -> bias_audits -> governance -> serving -> casetriage`` (the CLI);
``make lint`` checks the arrangement with import-linter.
"""

from core.config import ConfigError, config_file, load_config, read_config_text
from core.settings import Settings, get_settings

__all__ = [
    "ConfigError",
    "Settings",
    "config_file",
    "get_settings",
    "load_config",
    "read_config_text",
]
