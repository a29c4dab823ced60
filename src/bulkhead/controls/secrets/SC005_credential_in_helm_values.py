"""Helm values in an Argo CD Application or a Flux HelmRelease hold a credential.

## What it does
Reads the Helm values that GitOps objects carry in Git and flags each credential literal:
- Argo CD `Application` and `ApplicationSet` (`argoproj.io`), every source (`spec.source`,
  `spec.sources[i]`, under `spec.template.spec` for an ApplicationSet): `helm.parameters`
  (`name: postgresql.auth.password`, `value: ...`), `helm.valuesObject` (a mapping) and
  `helm.values` (a YAML string, read line by line);
- Flux `HelmRelease` (`helm.toolkit.fluxcd.io`): `spec.values`.
A credential is a key named like one (the rules of WL020 and SC002: `password`,
`adminPassword`, `auth.token`, `apiKey`, ... but not `existingSecret`, `passwordKey`,
`passwordFile`, `secretName`, `*_URL`) holding a literal, or any value holding a URL with a password
(`postgres://odoo:pw@db/odoo`). Empty values, booleans, and placeholders (`${VAR}`, `{{ ... }}`,
`$(VAR)`) are not reported. The message names the key and shows a fingerprint, never the value.

## Why is this bad
Charts take passwords as values (`postgresql.auth.password`, `redis.auth.password`,
`odoo.adminPassword`), and the quickest way to set one is in the Application that deploys the
chart. That Application is a Git file, readable by everyone with access to the GitOps
repository, shown in clear by the Argo CD UI and API (`argocd app get -o yaml`) to anyone who
may view the application, and copied into the rendered Secret of the chart, so rotating it
means a commit. A database or Odoo master password there opens the tenant's data.

## Example (must fail)
```yaml
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: acme-odoo, namespace: argocd}
spec:
  project: acme
  source:
    repoURL: https://charts.example.com
    chart: odoo
    targetRevision: 28.1.2
    helm:
      parameters:
        - {name: postgresql.auth.password, value: S3cr3t-odoo-db}
      valuesObject:
        odooPassword: Adm1n-pw
        odooEmail: admin@acme.example
  destination: {server: https://kubernetes.default.svc, namespace: acme-prod}
```

## Use instead (must pass)
```yaml
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: acme-odoo, namespace: argocd}
spec:
  project: acme
  source:
    repoURL: https://charts.example.com
    chart: odoo
    targetRevision: 28.1.2
    helm:
      valuesObject:
        existingSecret: acme-odoo-credentials
        postgresql:
          auth: {existingSecret: acme-odoo-db}
        odooEmail: admin@acme.example
  destination: {server: https://kubernetes.default.svc, namespace: acme-prod}
```

## Remediation
Rotate the credential: it is in Git history and in Argo CD's cache. Create the Secret with an
ExternalSecret (`external-secrets.io/v1`) in the tenant's namespace and point the chart at it
(`existingSecret`, `auth.existingSecret`, `passwordSecret`, whatever the chart offers). For
Flux, `spec.valuesFrom` with `kind: Secret` reads values from a Secret instead of Git.

## References
NSA/CISA Kubernetes Hardening Guide (secrets); CIS Kubernetes Benchmark 5.4.1; Argo CD
documentation, "Secret Management" (do not put secrets in Application manifests). Peers: none of
Checkov, Kubescape, kube-score, Polaris or Trivy reads Helm values inside Argo CD or Flux objects.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls._support import as_list, as_mapping, redact
from bulkhead.controls.secrets.SC002_credential_in_configmap import _credential, _findings
from bulkhead.controls.workload.WL020_credential_in_env import (
    _normal_name,
    _text,
    _url_password,
)
from bulkhead.model import FieldPath, Resource, Severity

META = Meta(
    id="SC005",
    slug="credential-in-helm-values",
    title="Credential in the Helm values of a GitOps object",
    domain=Domain.SECRETS,
    severity=Severity.HIGH,
    scope=Scope.RESOURCE,
    kinds=frozenset({"Application", "ApplicationSet", "HelmRelease"}),
    references={"cis": ("5.4.1",), "nsa": ("Secrets",)},
)

_MAX_DEPTH = 32
_MAX_NODES = 20_000


def check(resource: Resource, settings: Settings) -> Iterator[Hit]:
    group = resource.api_group
    if resource.kind == "HelmRelease":
        if group == "helm.toolkit.fluxcd.io":
            yield from _walk(resource, resource.doc.get("spec", {}), ("spec",), "values")
        return
    if group != "argoproj.io":
        return
    spec = as_mapping(resource.doc.get("spec"))
    base: FieldPath = ("spec",)
    if resource.kind == "ApplicationSet":
        spec = as_mapping(as_mapping(spec.get("template")).get("spec"))
        base = ("spec", "template", "spec")
    sources: list[tuple[FieldPath, Any]] = [(("source",), spec.get("source"))]
    sources += [(("sources", i), s) for i, s in enumerate(as_list(spec.get("sources")))]
    for where, source in sources:
        helm = as_mapping(as_mapping(source).get("helm"))
        if not helm:
            continue
        path: FieldPath = (*base, *where, "helm")
        for index, parameter in enumerate(as_list(helm.get("parameters"))):
            parameter = as_mapping(parameter)
            name, value = parameter.get("name"), _text(parameter.get("value"))
            if isinstance(name, str) and value is not None and _secret(name, value):
                yield _hit(resource, (*path, "parameters", index, "value"), name, value)
        yield from _walk(resource, helm, path, "valuesObject")
        values = helm.get("values")
        if isinstance(values, str):
            for option, secret in _findings("values", values):
                yield _hit(resource, (*path, "values"), option, secret)
        elif isinstance(values, Mapping):  # accepted by older Argo CD releases
            yield from _walk(resource, helm, path, "values")


# Chart conventions for naming a Secret instead of holding a value: `existingSecret`,
# `auth.existingSecretPasswordKey`, `passwordKey` (the key inside that Secret).
_KEY_OF = frozenset({"PASSWORD", "PASSWD", "TOKEN", "SECRET", "CREDENTIAL", "CREDENTIALS"})


def _reference(name: str) -> bool:
    words = _normal_name(name).split("_")
    return "EXISTING" in words or (words[-1] == "KEY" and bool(_KEY_OF.intersection(words[:-1])))


def _secret(name: str, value: str) -> bool:
    if _url_password(value):
        return True
    return not _reference(name) and _credential(name, value.strip())


def _walk(resource: Resource, parent: Any, path: FieldPath, key: str) -> Iterator[Hit]:
    """Every credential under `parent[key]`, depth-first, bounded for hostile input."""
    if not isinstance(parent, Mapping) or not isinstance(parent.get(key), Mapping):
        return  # values are an object; anything else is refused by Argo CD and Flux
    pending: list[tuple[Any, FieldPath, str]] = [(parent[key], (*path, key), key)]
    seen = 0
    while pending and seen < _MAX_NODES:
        node, where, name = pending.pop()
        seen += 1
        if isinstance(node, Mapping) and len(where) < _MAX_DEPTH:
            for child_key, child in reversed(list(node.items())):
                pending.append((child, (*where, str(child_key)), str(child_key)))
        elif isinstance(node, list) and len(where) < _MAX_DEPTH:
            for index in reversed(range(len(node))):
                pending.append((node[index], (*where, index), name))
        else:
            value = _text(node)
            if value is not None and _secret(name, value):
                yield _hit(resource, where, ".".join(str(p) for p in where[len(path) + 1 :]), value)


def _hit(resource: Resource, where: FieldPath, option: str, value: str) -> Hit:
    return Hit(
        where,
        f"{resource.kind} {resource.name!r} passes {option[:80]!r} = {redact(value)} to its "
        "chart in Git: rotate it, keep it in a Secret made by an ExternalSecret and give the "
        "chart that Secret's name (existingSecret or the chart's equivalent)",
        key=f"{option[:80]}",
    )
