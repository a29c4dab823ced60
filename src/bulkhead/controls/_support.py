"""Small, type-safe accessors shared by controls. Manifests are hostile: never trust a type."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bulkhead.model import redact

__all__ = [
    "EMPTY",
    "ImageRef",
    "as_int",
    "as_list",
    "as_mapping",
    "is_true",
    "parse_image",
    "redact",
]

EMPTY: Mapping[str, Any] = {}


def as_mapping(value: Any) -> Mapping[str, Any]:
    # Loaded data is always dict-based, and the concrete check is much cheaper than the ABC's.
    return value if isinstance(value, dict) else EMPTY


def as_list(value: Any) -> Sequence[Any]:
    return value if isinstance(value, list) else ()


def is_true(value: Any) -> bool:
    """Only a real boolean true counts (the API server rejects the string "true" for a bool)."""
    return value is True


def as_int(value: Any) -> int | None:
    """An integer as the API server receives it (kubectl sends 1000.0 as 1000); None if not one.

    A bool is not an integer here, and neither is a quoted number (the API server rejects it).
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")


@dataclass(frozen=True, slots=True)
class ImageRef:
    """A container image reference split as the container runtime reads it."""

    registry: str
    repository: str
    tag: str | None
    digest: str | None

    @property
    def pinned(self) -> bool:
        return self.digest is not None


DOCKER_HUB = "docker.io"
DOCKER_HUB_ALIASES = frozenset(
    {"index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"}
)


def registry_host(host: str) -> str:
    """A registry host spelled one way: lower case, Docker Hub's aliases folded to docker.io."""
    host = host.lower()
    return DOCKER_HUB if host in DOCKER_HUB_ALIASES else host


@functools.lru_cache(maxsize=8192)
def parse_image(reference: str) -> ImageRef:
    """Split `registry/repo:tag@digest` as the runtime does.

    Docker Hub is implied when no registry is given, and its official images live under
    `library/`; registry hosts are normalized with `registry_host`.
    """
    ref = reference.strip()
    digest = None
    if "@" in ref:
        ref, _, digest_part = ref.partition("@")
        # A malformed digest pins nothing (the runtime refuses it), so it does not count.
        digest = digest_part if _DIGEST.fullmatch(digest_part) else None
    first, slash, rest = ref.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost"):
        registry, path = registry_host(first), rest
    else:
        registry, path = DOCKER_HUB, ref
    tag = None
    name, colon, maybe_tag = path.rpartition(":")
    if colon and "/" not in maybe_tag:
        path, tag = name, maybe_tag
    if registry == DOCKER_HUB and "/" not in path:
        path = f"library/{path}"
    return ImageRef(registry=registry, repository=path, tag=tag or None, digest=digest)
