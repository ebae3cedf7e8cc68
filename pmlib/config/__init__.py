"""Parameters as data: council and committee settings, RAG schemes, YAML reading.

May import pmlib.core.
"""

from pmlib.core.deprecation import moved_names

#: Names importable from the package itself (loaded on first use).
_NAMES = {
    "DEFAULT_PARAMS_DIR": "pmlib.config.settings",
    "check_committee": "pmlib.config.settings",
    "read_settings": "pmlib.config.settings",
    "read_yaml": "pmlib.config.yaml",
    "read_rag_schemes": "pmlib.config.schemes",
    "RagScheme": "pmlib.config.schemes",
}

__getattr__ = moved_names(__name__, _NAMES)
__all__ = sorted(_NAMES)
