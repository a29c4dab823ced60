"""A RUN step pipes a curl or wget download straight into a shell or interpreter.

## What it does
Parses each `RUN` command like a shell (quotes, `&&`, `;`, pipes, line continuations, JSON
form, `sh -c '...'` scripts, `RUN <<EOF` heredocs) and reports it when curl or wget output
reaches a program that executes it: `curl ... | sh`, `| sudo -E bash -s --`, `| python3 -`,
`bash <(curl ...)`, `sh -c "$(curl ...)"`, `eval "$(wget -qO- ...)"`. Interpreters are sh,
bash, zsh, ash, dash, ksh, python/python3, perl, ruby, node and php. A pipe into a program that
does not execute it is fine: `| tar -xz`, `| sha256sum -c -`, `| gpg --dearmor`,
`| python3 -c '...'` or `| perl -pe '...'` (stdin is data there), and quoted text (`echo
"curl x | sh"`) is not a command.

## Why is this bad
The build runs whatever the server sends, with root in the build container, and nothing
records what that was. A hijacked vendor domain, a CDN compromise or a truncated download
(`curl | sh` runs half a script) silently changes every Odoo image built afterwards, and with it
every tenant. The script cannot be reviewed, diffed or reproduced.

## Example (must fail)
```dockerfile
ARG ODOO_DIGEST=sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945
FROM registry.example.com/odoo@${ODOO_DIGEST}
USER root
RUN curl -fsSL https://deb.nodesource.com/setup_20.x | bash - \
    && apt-get install -y --no-install-recommends nodejs
USER 101:101
```

## Use instead (must pass)
```dockerfile
ARG ODOO_DIGEST=sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945
FROM registry.example.com/odoo@${ODOO_DIGEST}
ARG NODESOURCE_KEY_SHA256=6c2b4e8e0c5c5cd7a1e8b2d4ec8e5a0f2a3b1c9d8e7f6a5b4c3d2e1f0a9b8c7d
USER root
RUN curl -fsSLo /tmp/nodesource.key https://deb.nodesource.com/gpgkey/nodesource-repo.gpg.key \
    && echo "${NODESOURCE_KEY_SHA256}  /tmp/nodesource.key" | sha256sum -c - \
    && gpg --dearmor < /tmp/nodesource.key > /usr/share/keyrings/nodesource.gpg \
    && curl -fsSL https://example.com/release.tar.gz | tar -xz -C /opt
USER 101:101
```

## Remediation
Download to a file, verify it against a digest recorded in the repository, then run it:
`curl -fsSLo /tmp/install.sh <url> && echo "<sha256>  /tmp/install.sh" | sha256sum -c - &&
sh /tmp/install.sh`. Better, install from a signed package repository (apt with a pinned
keyring) or `COPY --from=` a digest-pinned image. If the vendor installer is verified another
way, suppress with `# bulkhead:ignore DF004 <reason>` on the line above the `RUN`.

## References
NSA/CISA Kubernetes Hardening Guide (supply chain); CIS Docker Benchmark 4.2 (trusted
sources). Peers: no reference scanner reports this in Dockerfiles. The closest are Checkov
CKV_GHA_3 (suspicious curl in GitHub workflows) and hadolint DL4006, which only asks for
`set -o pipefail` before a pipe and so keeps `curl | sh` working. This control follows the
shell grammar instead of matching text, so a pipe into a non-executing program or quoted text
is not reported.
"""

from __future__ import annotations

import json
import posixpath
import re
import shlex
from collections.abc import Iterator, Sequence

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.model import Severity
from bulkhead.sources.dockerfile import Dockerfile, Instruction

META = Meta(
    id="DF004",
    slug="download-piped-to-shell",
    title="Download piped into a shell",
    domain=Domain.DOCKERFILE,
    severity=Severity.HIGH,
    scope=Scope.DOCKERFILE,
    references={
        "checkov": ("CKV_GHA_3",),
        "hadolint": ("DL4006",),
        "cis": ("Docker 4.2",),
        "nsa": ("Supply chain: verify downloaded artefacts",),
    },
)

_DOWNLOADERS = frozenset({"curl", "wget"})
_SHELLS = frozenset({"sh", "bash", "zsh", "ash", "dash", "ksh", "mksh"})
_PYTHON = re.compile(r"^python[0-9.]*$")
_OTHERS = frozenset({"perl", "ruby", "node", "nodejs", "php"})
_WRAPPERS = frozenset({"sudo", "doas", "env", "exec", "command", "nice", "nohup", "time"})
_WRAPPER_VALUE_FLAGS = frozenset({"-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U", "-n", "-a"})
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_SUBSTITUTED = re.compile(r"^\s*(?:\$\(|`)\s*(?:\S*/)?(?:curl|wget|busybox\s+wget)\b")
_HEREDOC = re.compile(
    r"^(?:--\S+\s+)*(?:(?:\S*/)?(?:sh|bash|ash|dash|zsh)\s+)?<<-?\s*[\"']?(\w+)[\"']?\s*$"
)
_FLAGS = re.compile(r"^(?:--\S+\s+)*")
_PUNCTUATION = set("();<>|&")
_MAX_DEPTH = 4


def _name(word: str) -> str:
    return posixpath.basename(word)


def _is_interpreter(name: str) -> bool:
    return name in _SHELLS or name in _OTHERS or bool(_PYTHON.match(name))


def _tokens(script: str) -> list[str]:
    """Shell words and operators; newlines separate commands."""
    text = script.replace("\n", " ; ")
    lexer = shlex.shlex(text, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    lexer.commenters = ""
    try:
        return list(lexer)
    except ValueError:  # unbalanced quotes: fall back to a rough split
        return re.findall(r"<\(|[|&;]+|[^\s|&;]+", text)


def _pipelines(tokens: Sequence[str]) -> list[list[list[str]]]:
    """Split operator tokens into pipelines of commands (each command a list of words)."""
    pipelines: list[list[list[str]]] = [[[]]]
    skip_target = False
    for token in tokens:
        if not token or not set(token) <= _PUNCTUATION:
            if skip_target:
                skip_target = False
                continue
            pipelines[-1][-1].append(token)
            continue
        if "<(" in token:
            pipelines[-1][-1].append("<(")
            continue
        operator = token.replace("(", "").replace(")", "")
        if not operator:
            continue
        if operator in ("|", "|&"):
            pipelines[-1].append([])
        elif operator[0] in "<>":
            words = pipelines[-1][-1]
            if words and words[-1].isdigit():
                words.pop()  # the file descriptor of `2>&1`
            skip_target = True
        else:  # ; && || & and friends end the pipeline
            pipelines.append([[]])
    return [[command for command in pipeline if command] for pipeline in pipelines]


def _command(words: Sequence[str]) -> list[str]:
    """The words from the real program on: drop VAR=value, sudo/env/exec wrappers and flags."""
    index = 0
    while index < len(words):
        word = words[index]
        if _ASSIGNMENT.match(word):
            index += 1
        elif _name(word) in _WRAPPERS:
            index += 1
            while index < len(words) and (
                words[index].startswith("-") or _ASSIGNMENT.match(words[index])
            ):
                flag = words[index]
                index += 2 if flag in _WRAPPER_VALUE_FLAGS else 1
                if flag == "--":
                    break
        else:
            break
    return list(words[index:])


def _downloads(words: Sequence[str]) -> bool:
    command = _command(words)
    if not command:
        return False
    name = _name(command[0])
    return name in _DOWNLOADERS or (
        name == "busybox" and len(command) > 1 and command[1] in _DOWNLOADERS
    )


def _executes_stdin(command: Sequence[str]) -> bool:
    """Whether an interpreter invoked as `command` reads its program from standard input."""
    name = _name(command[0])
    shell = name in _SHELLS
    takes_value = (
        {"-o", "+o", "-O", "+O", "--rcfile", "--init-file"}
        if shell
        else {"-W", "-X", "-I", "-r", "-M", "-d"}
    )
    reads_stdin = False
    index = 1
    while index < len(command):
        word = command[index]
        if word == "-":
            return True
        if word == "--":
            return reads_stdin or index + 1 >= len(command) or command[index + 1] == "-"
        if word in takes_value:
            index += 2
            continue
        if word.startswith("--"):
            if word.split("=")[0] in ("--eval", "--print", "--command"):
                return False
            index += 1
            continue
        if word.startswith("-") or (shell and word.startswith("+")):
            letters = word[1:]
            if shell:
                if "c" in letters:
                    return False
                reads_stdin = reads_stdin or "s" in letters
            elif _PYTHON.match(name):
                if "c" in letters or "m" in letters:
                    return False
            elif name in ("node", "nodejs"):
                if "e" in letters or "p" in letters:
                    return False
            elif name == "php":
                if "r" in letters or "f" in letters:
                    return False
            elif "e" in letters or "E" in letters:  # perl, ruby
                return False
            index += 1
            continue
        return shell and reads_stdin  # a script file: stdin is only data, unless `-s`
    return True


def _inline_script(command: Sequence[str]) -> str | None:
    """The script string of `sh -c 'script'` or `su -c 'script'`."""
    name = _name(command[0])
    for index, word in enumerate(command[1:], start=1):
        if name in _SHELLS and word.startswith("-") and not word.startswith("--") and "c" in word:
            return command[index + 1] if index + 1 < len(command) else None
        if name in ("su", "runuser") and word in ("-c", "--command"):
            return command[index + 1] if index + 1 < len(command) else None
        if name in ("su", "runuser") and word.startswith("--command="):
            return word.partition("=")[2]
    return None


def _problem(script: str, depth: int = 0) -> str | None:
    """A description of the first download executed by `script`, or None."""
    for pipeline in _pipelines(_tokens(script)):
        downloaded = False
        for words in pipeline:
            command = _command(words)
            if not command:
                continue
            name = _name(command[0])
            if downloaded and _is_interpreter(name) and _executes_stdin(command):
                return f"pipes a download into {name}"
            if _is_interpreter(name) or name in ("source", ".", "eval"):
                for index, word in enumerate(command[1:], start=1):
                    if (
                        word == "<("
                        and index + 1 < len(command)
                        and _downloads(command[index + 1 :])
                    ):
                        return f"runs a downloaded script with {name} <(...)"
                    code_argument = name == "eval" or command[index - 1].startswith("-")
                    if code_argument and _SUBSTITUTED.match(word):
                        return f'runs a downloaded script with {name} "$(...)"'
            script_text = _inline_script(command)
            if script_text and depth < _MAX_DEPTH:
                found = _problem(script_text, depth + 1)
                if found:
                    return found
            downloaded = downloaded or _downloads(words)
    return None


def _heredoc_body(instruction: Instruction, delimiter: str) -> str:
    """The body of `RUN <<EOF` (the loader folds heredoc lines into the instruction)."""
    lines = instruction.value.split("\n")[1:]
    return "\n".join(line for line in lines if line.strip() != delimiter)


def _script(instruction: Instruction) -> str | None:
    """The shell script a RUN executes, or None when it is not run by a shell."""
    value = instruction.value.strip()
    first_line = value.split("\n", 1)[0]
    heredoc = _HEREDOC.match(first_line)
    if heredoc:
        return _heredoc_body(instruction, heredoc.group(1))
    flags = _FLAGS.match(value)
    rest = value[flags.end() if flags else 0 :].strip()
    if rest.startswith("["):
        try:
            words = json.loads(rest)
        except ValueError:
            return rest
        if isinstance(words, list) and all(isinstance(w, str) for w in words):
            return shlex.join(words)
    return rest


def check(dockerfile: Dockerfile, settings: Settings) -> Iterator[Hit]:
    file = dockerfile.location.file
    for instruction in dockerfile.instructions:
        if instruction.keyword != "RUN":
            continue
        script = _script(instruction)
        problem = _problem(script) if script else None
        if problem is None:
            continue
        yield Hit(
            (),
            f"RUN {problem}: the build executes whatever the server returns; download to a "
            "file, verify it with sha256sum -c against a recorded digest, then run it",
            file=file,
            line=instruction.line,
            key=f"{instruction.stage}:RUN:{script}",
        )
