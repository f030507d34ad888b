"""The wrangler configuration (``wrangler.toml``/``.json``/``.jsonc``): discovery, checks, models.

>>> from pyworker.config import load_config
>>> loaded = load_config(Path.cwd(), env="staging")        # doctest: +SKIP
>>> loaded.config.durable_objects.bindings[0].class_name  # doctest: +SKIP
'Counter'
"""

from pyworker.config.loader import LoadedConfig, find_config_file, load_config
from pyworker.config.migrations import class_backends
from pyworker.config.schema import (
    D1Database,
    DurableObjectBinding,
    DurableObjects,
    KVNamespace,
    Migration,
    RenamedClass,
    ServiceBinding,
    TransferredClass,
    Triggers,
    WranglerConfig,
    from_mapping,
)

__all__ = [
    "D1Database",
    "DurableObjectBinding",
    "DurableObjects",
    "KVNamespace",
    "LoadedConfig",
    "Migration",
    "RenamedClass",
    "ServiceBinding",
    "TransferredClass",
    "Triggers",
    "WranglerConfig",
    "class_backends",
    "find_config_file",
    "from_mapping",
    "load_config",
]
