"""The platform definition (bulkhead.yaml) and the tenancy advisor.

- `model`: the pydantic model, its cross-field rules, effective settings and JSON Schema;
- `load`: reading bulkhead.yaml with bounds and turning errors into `path: message` lines;
- `tenancy`: shared or dedicated, with a score, reasons and a relative cost estimate.
"""

from __future__ import annotations

from bulkhead.platform.load import PlatformError, Problem, load_platform, parse_platform
from bulkhead.platform.model import (
    EffectiveEnvironment,
    EnvironmentName,
    Platform,
    Tenancy,
    TenancyChoice,
    effective_environment,
    effective_environments,
    platform_json_schema,
)
from bulkhead.platform.tenancy import TenancyAdvice, advise

__all__ = [
    "EffectiveEnvironment",
    "EnvironmentName",
    "Platform",
    "PlatformError",
    "Problem",
    "Tenancy",
    "TenancyAdvice",
    "TenancyChoice",
    "advise",
    "effective_environment",
    "effective_environments",
    "load_platform",
    "parse_platform",
    "platform_json_schema",
]
