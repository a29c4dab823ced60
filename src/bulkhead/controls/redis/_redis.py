"""Redis configuration as the server reads it, from redis.conf files and from Redis containers.

Both sources become a `RedisServer`: the ordered directives Redis would apply (config file, then
stdin, then `--option` arguments, as `redis-server` loads them), plus what we cannot see (a
config file given by path, stdin from elsewhere, `include`), so that controls only judge what
is visible. Nothing here raises on hostile input.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from bulkhead.controls import Hit
from bulkhead.controls._support import as_list, as_mapping, parse_image
from bulkhead.inventory import Container, Inventory
from bulkhead.model import FieldPath, Resource
from bulkhead.sources.configfiles import ConfigFile, ConfigKind

SERVERS = frozenset({"redis-server", "valkey-server"})
SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh"})
DANGEROUS = ("FLUSHALL", "FLUSHDB", "CONFIG", "DEBUG", "MODULE", "KEYS")
CATEGORIES: Mapping[str, frozenset[str]] = {
    "FLUSHALL": frozenset({"keyspace", "write", "slow", "dangerous"}),
    "FLUSHDB": frozenset({"keyspace", "write", "slow", "dangerous"}),
    "CONFIG": frozenset({"admin", "slow", "dangerous"}),
    "DEBUG": frozenset({"admin", "slow", "dangerous"}),
    "MODULE": frozenset({"admin", "slow", "dangerous"}),
    "KEYS": frozenset({"keyspace", "read", "slow", "dangerous"}),
}
GATES = {"DEBUG": "enable-debug-command", "MODULE": "enable-module-command"}


@dataclass(frozen=True, slots=True)
class Directive:
    name: str
    """Lower-case directive name (`requirepass`, `rename-command`, ...)."""
    args: tuple[str, ...]
    path: FieldPath
    line: int | None = None


@dataclass(frozen=True, slots=True)
class RedisServer:
    label: str
    directives: tuple[Directive, ...]
    anchor: FieldPath
    """Where a missing directive is reported by default."""
    opaque: bool = False
    """Part of the configuration is out of sight (a config file by path, stdin, include)."""
    resource: Resource | None = None
    file: str | None = None
    key_prefix: str = ""
    names: tuple[str, ...] = ()
    """Names that tell what the instance is for (workload, container, ConfigMaps, file)."""
    password_env: Directive | None = None
    legacy: bool = False
    """Redis before 7.0, where DEBUG and MODULE are enabled by default."""

    def last(self, name: str) -> Directive | None:
        found = None
        for directive in self.directives:
            if directive.name == name:
                found = directive
        return found

    def all(self, name: str) -> Iterator[Directive]:
        return (d for d in self.directives if d.name == name)

    def hit(
        self, directive: Directive | None, message: str, key: str, missing: str | None = None
    ) -> Hit:
        """A finding at the directive, or where the missing one belongs (`missing` names it
        in a file; a container's is reported at its args)."""
        path = directive.path if directive is not None else self.anchor
        if directive is None and missing and self.resource is None:
            path = (missing,)
        if self.resource is not None:
            return Hit(path, message, resource=self.resource, key=f"{self.key_prefix}:{key}")
        line = directive.line if directive is not None and directive.line else 1
        return Hit(path, message, file=self.file, line=line, key=key)


def first_arg(directive: Directive | None) -> str:
    return directive.args[0].strip().lower() if directive and directive.args else ""


# --- ACL users ---------------------------------------------------------------------------


@dataclass(slots=True)
class User:
    name: str
    enabled: bool
    password: bool
    nopass: bool
    allowed: dict[str, bool]
    directive: Directive | None


def _apply_rules(user: User, rules: Sequence[str]) -> None:
    for raw in rules:
        rule = raw.strip()
        low = rule.lower()
        if low in ("on", "off"):
            user.enabled = low == "on"
        elif rule.startswith((">", "#")):
            user.password, user.nopass = True, False
        elif low == "nopass":
            user.password, user.nopass = False, True
        elif low == "resetpass":
            user.password, user.nopass = False, False
        elif low == "reset":
            user.enabled, user.password, user.nopass = False, False, False
            user.allowed = dict.fromkeys(DANGEROUS, False)
        elif low in ("+@all", "allcommands", "-@all", "nocommands"):
            user.allowed = dict.fromkeys(DANGEROUS, low in ("+@all", "allcommands"))
        elif low[:1] in "+-" and len(low) > 1:
            grant = low[0] == "+"
            target = low[1:]
            if target.startswith("@"):
                for command, categories in CATEGORIES.items():
                    if target[1:] in categories:
                        user.allowed[command] = grant
            elif "|" not in target and target.upper() in CATEGORIES:
                # `+config|get` grants one subcommand only: not the whole command.
                user.allowed[target.upper()] = grant


def users(server: RedisServer) -> list[User]:
    """The users as Redis builds them: `requirepass` sets the default user's password, a
    `user default ...` line resets it and applies its own rules instead."""
    default = User("default", True, False, True, dict.fromkeys(DANGEROUS, True), None)
    requirepass = server.last("requirepass")
    if requirepass is not None:
        has = bool(requirepass.args and requirepass.args[0])
        default.password, default.nopass, default.directive = has, not has, requirepass
    found: dict[str, User] = {"default": default}
    for directive in server.all("user"):
        if not directive.args:
            continue
        name = directive.args[0]
        user = User(name, False, False, False, dict.fromkeys(DANGEROUS, False), directive)
        _apply_rules(user, directive.args[1:])
        found[name] = user
    return list(found.values())


def app_users(server: RedisServer) -> list[User]:
    """Who the application connects as: the default user when it is enabled (a client that
    only sends a password, like Odoo's session_redis, is the default user), otherwise every
    enabled user whose name does not say it is an administrator account."""
    every = users(server)
    default = every[0]
    if default.enabled:
        return [default]
    return [u for u in every[1:] if u.enabled and "admin" not in u.name.lower()]


# --- sources ---------------------------------------------------------------------------------


def _from_config(config: ConfigFile) -> RedisServer:
    directives = tuple(
        Directive(s.tokens[0].lower(), tuple(s.tokens[1:]), (s.tokens[0].lower(),), s.line)
        for s in config.settings
        if s.tokens
    )
    file = config.location.file
    return RedisServer(
        label=f"Redis config {file}",
        directives=directives,
        anchor=("requirepass",),
        opaque=any(d.name == "include" for d in directives),
        file=file,
        names=(posixpath.basename(file.replace("\\", "/")),),
    )


def is_redis_image(image: object) -> bool:
    if not isinstance(image, str) or not image.strip():
        return False
    last = parse_image(image).repository.rsplit("/", 1)[-1].lower()
    return last.endswith(("redis", "valkey")) or last in ("redis-stack-server", "redis-stack")


def _legacy(image: str) -> bool:
    ref = parse_image(image)
    if not ref.repository.rsplit("/", 1)[-1].lower().endswith("redis") or not ref.tag:
        return False
    match = re.match(r"v?(\d+)(?:\.|-|$)", ref.tag)
    return match is not None and int(match.group(1)) < 7


def _options(
    items: Sequence[tuple[str, FieldPath]], start: int
) -> tuple[list[Directive], bool, bool]:
    """`redis-server [file] [-] [--name arg ...]`: directives, config file seen, stdin seen."""
    directives: list[Directive] = []
    config_file = stdin = False
    index = start
    if index < len(items) and not items[index][0].startswith("-"):
        config_file, index = True, index + 1
    current: Directive | None = None
    for token, path in items[index:]:
        if token == "-":  # noqa: S105 (stdin, not a password)
            stdin = True
        elif token.startswith("--") and len(token) > 2:
            current = Directive(token[2:].lower(), (), path)
            directives.append(current)
        elif current is not None:
            current = Directive(current.name, (*current.args, token), current.path)
            directives[-1] = current
    return directives, config_file, stdin


_OPERATORS = frozenset({";", "&&", "||", "|", "&", "<<", "<<-", "<", ">", ">>", "(", ")"})


def _script(script: str, path: FieldPath) -> tuple[list[Directive], bool, bool, bool]:
    """A `sh -c` script: the `redis-server` line's options and any here-document it reads.

    Returns directives, config file seen, opaque stdin, whether a server is started at all.
    """
    lines = script.replace("\\\n", " ").splitlines()
    for number, line in enumerate(lines):
        try:
            lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
            lexer.whitespace_split = True
            tokens = list(lexer)
        except ValueError:
            tokens = line.split()
        positions = [i for i, t in enumerate(tokens) if posixpath.basename(t) in SERVERS]
        if not positions:
            continue
        rest = tokens[positions[0] + 1 :]
        end = next((i for i, t in enumerate(rest) if t in _OPERATORS), len(rest))
        items = [(t, path) for t in rest[:end]]
        directives, config_file, stdin = _options(items, 0)
        opaque_stdin = stdin
        if stdin and end + 1 < len(rest) and rest[end] in ("<<", "<<-"):
            delimiter = rest[end + 1].strip("'\"")
            body: list[Directive] = []
            for raw in lines[number + 1 :]:
                if raw.strip() == delimiter:
                    break
                try:
                    words = shlex.split(raw, comments=True)
                except ValueError:
                    words = raw.split()
                if words:
                    body.append(Directive(words[0].lower(), tuple(words[1:]), path))
            directives = body + directives  # stdin is read before the --options
            opaque_stdin = False
        return directives, config_file, opaque_stdin, True
    return [], False, False, False


def _invocation(container: Container) -> tuple[list[Directive], bool] | None:
    """Directives given on the command line, whether a config is out of sight, or None when
    the container does not run a Redis server (redis-cli, sentinel, an exporter...)."""
    spec = container.spec
    command = [
        (t, (*container.path, "command", i))
        for i, t in enumerate(as_list(spec.get("command")))
        if isinstance(t, str)
    ]
    args = [
        (t, (*container.path, "args", i))
        for i, t in enumerate(as_list(spec.get("args")))
        if isinstance(t, str)
    ]
    if not command:
        # The image's entrypoint runs redis-server when the first argument is an option or a
        # .conf file; with no args the image's CMD is a bare redis-server.
        if not args or args[0][0].startswith("-") or args[0][0].endswith(".conf"):
            directives, config_file, stdin = _options(args, 0)
            return directives, config_file or stdin
        items = args
    else:
        items = command + args
    head = posixpath.basename(items[0][0])
    if head == "docker-entrypoint.sh" and len(items) > 1:
        items = items[1:]
        head = posixpath.basename(items[0][0])
        if items[0][0].startswith("-") or items[0][0].endswith(".conf"):
            directives, config_file, stdin = _options(items, 0)
            return directives, config_file or stdin
    if head in SERVERS:
        directives, config_file, stdin = _options(items, 1)
        return directives, config_file or stdin
    if head in SHELLS:
        flags = [i for i, (t, _) in enumerate(items) if t.startswith("-") and "c" in t[1:]]
        if flags and flags[0] + 1 < len(items):
            script, path = items[flags[0] + 1]
            directives, config_file, stdin, server = _script(script, path)
            if server:
                return directives, config_file or stdin
    return None


def _env(container: Container) -> Iterator[tuple[str, str | None, FieldPath]]:
    """(name, literal value or None for valueFrom, path) of each env entry."""
    for index, entry in enumerate(as_list(container.spec.get("env"))):
        entry = as_mapping(entry)
        name = entry.get("name")
        if not isinstance(name, str):
            continue
        value = entry.get("value")
        path = (*container.path, "env", index)
        if entry.get("valueFrom") is not None:
            yield name, None, (*path, "valueFrom")
        elif isinstance(value, str):
            yield name, value, (*path, "value")


def _configmaps(container: Container) -> list[str]:
    names: list[str] = []
    for volume in as_list(container.pod.spec.get("volumes")):
        volume = as_mapping(volume)
        name = as_mapping(volume.get("configMap")).get("name")
        if isinstance(name, str):
            names.append(name)
        for source in as_list(as_mapping(volume.get("projected")).get("sources")):
            name = as_mapping(as_mapping(source).get("configMap")).get("name")
            if isinstance(name, str):
                names.append(name)
    return names


def _from_container(container: Container) -> RedisServer | None:
    image = container.spec.get("image")
    if not is_redis_image(image):
        return None
    invocation = _invocation(container)
    if invocation is None:
        return None
    directives, opaque = invocation
    if any(d.name == "sentinel" for d in directives):
        return None
    password_env: Directive | None = None
    for name, value, path in _env(container):
        if name in ("REDIS_PASSWORD", "REDIS_PASSWORD_FILE") and (value is None or value):
            password_env = Directive(name, (), path)
        elif name in ("REDIS_ARGS", "REDIS_EXTRA_FLAGS") and value:
            try:
                words = shlex.split(value)
            except ValueError:
                words = value.split()
            extra, _, _ = _options([(w, path) for w in words], 0)
            directives.extend(extra)
        elif name == "REDIS_DISABLE_COMMANDS" and value:
            for command in value.split(","):
                if command.strip():
                    directives.append(Directive("rename-command", (command.strip(), ""), path))
        elif name == "REDIS_AOF_ENABLED" and value and value.strip().lower() in ("no", "yes"):
            directives.append(Directive("appendonly", (value.strip().lower(),), path))
        elif name == "REDIS_RDB_POLICY_DISABLED" and value and value.strip().lower() == "yes":
            directives.append(Directive("save", ("",), path))
    resource = container.pod.resource
    mounts = [as_mapping(m).get("mountPath") for m in as_list(container.spec.get("volumeMounts"))]
    # Bitnami images read a mounted redis.conf from this directory by themselves.
    opaque = opaque or any(
        isinstance(m, str) and m.rstrip("/").endswith("/redis/mounted-etc") for m in mounts
    )
    scope = f"{resource.namespace}/" if resource.namespace else ""
    return RedisServer(
        label=f"container {container.name!r} of {resource.kind} {scope}{resource.name}",
        directives=tuple(directives),
        anchor=(*container.path, "args"),
        opaque=opaque,
        resource=resource,
        key_prefix=f"{container.kind}:{container.name}",
        names=(resource.name, container.name, *_configmaps(container)),
        password_env=password_env,
        legacy=isinstance(image, str) and _legacy(image),
    )


def servers(inventory: Inventory) -> tuple[RedisServer, ...]:
    """Every redis.conf file and every Redis server container of the scan, read once."""
    return inventory.derived(_gather)


def _gather(inventory: Inventory) -> tuple[RedisServer, ...]:
    return tuple(_each(inventory))


def _each(inventory: Inventory) -> Iterator[RedisServer]:
    for config in inventory.configs:
        if config.kind is ConfigKind.REDIS:
            yield _from_config(config)
    for container in inventory.containers():
        server = _from_container(container)
        if server is not None:
            yield server
