"""The documented fields of the custom resources bulkhead renders (reference/platform.md).

A shape is a dict of allowed keys: the value is the shape of that key's value (a dict for a
nested object, `[shape]` for a list of objects, `ANY` for anything: scalars, free-form maps).
`unknown_fields(manifest)` lists every key the shapes do not document, so a typo or a field of
the wrong API version fails the test instead of being dropped or refused by the API server.
"""

from __future__ import annotations

from typing import Any

ANY: Any = None

_METADATA = {"name": ANY, "namespace": ANY, "labels": ANY, "annotations": ANY}
_SELECTOR = {"name": ANY, "key": ANY}
_LABEL_SELECTOR = {"matchLabels": ANY, "matchExpressions": ANY}
_TOLERATION = {"key": ANY, "operator": ANY, "value": ANY, "effect": ANY, "tolerationSeconds": ANY}
_RESOURCES = {"requests": ANY, "limits": ANY}
_AFFINITY_TERM = {
    "weight": ANY,
    "podAffinityTerm": {"labelSelector": _LABEL_SELECTOR, "topologyKey": ANY},
}

CLUSTER = {
    "instances": ANY,
    "imageName": ANY,
    "imageCatalogRef": ANY,
    "primaryUpdateStrategy": ANY,
    "primaryUpdateMethod": ANY,
    "storage": {"storageClass": ANY, "size": ANY},
    "walStorage": {"storageClass": ANY, "size": ANY},
    "postgresql": {"parameters": ANY, "pg_hba": ANY},
    "enableSuperuserAccess": ANY,
    "bootstrap": {
        "initdb": {"database": ANY, "owner": ANY, "secret": {"name": ANY}, "encoding": ANY},
        "recovery": ANY,
    },
    "affinity": {
        "enablePodAntiAffinity": ANY,
        "topologyKey": ANY,
        "podAntiAffinityType": ANY,
        "nodeSelector": ANY,
        "tolerations": [_TOLERATION],
    },
    "resources": _RESOURCES,
    "plugins": [{"name": ANY, "isWALArchiver": ANY, "enabled": ANY, "parameters": ANY}],
    "certificates": ANY,
    "monitoring": ANY,
    "managed": ANY,
    "externalClusters": ANY,
    "replica": ANY,
}
OBJECT_STORE = {
    "retentionPolicy": ANY,
    "configuration": {
        "destinationPath": ANY,
        "endpointURL": ANY,
        "s3Credentials": {"accessKeyId": _SELECTOR, "secretAccessKey": _SELECTOR, "region": ANY},
        "googleCredentials": {"applicationCredentials": _SELECTOR, "gkeEnvironment": ANY},
        "azureCredentials": {"connectionString": _SELECTOR, "storageAccount": ANY},
        "wal": {"compression": ANY, "encryption": ANY, "maxParallel": ANY},
        "data": {"compression": ANY, "encryption": ANY, "immediateCheckpoint": ANY, "jobs": ANY},
        "tags": ANY,
        "historyTags": ANY,
    },
    "instanceSidecarConfiguration": {
        "retentionPolicyIntervalSeconds": ANY,
        "resources": _RESOURCES,
    },
}
SCHEDULED_BACKUP = {
    "schedule": ANY,
    "backupOwnerReference": ANY,
    "cluster": {"name": ANY},
    "method": ANY,
    "pluginConfiguration": {"name": ANY, "parameters": ANY},
    "immediate": ANY,
    "suspend": ANY,
    "target": ANY,
}
POOLER = {
    "cluster": {"name": ANY},
    "instances": ANY,
    "type": ANY,
    "pgbouncer": {"poolMode": ANY, "parameters": ANY, "pg_hba": ANY},
    "monitoring": ANY,
    "template": {
        "metadata": {"labels": ANY, "annotations": ANY},
        "spec": {
            "nodeSelector": ANY,
            "tolerations": [_TOLERATION],
            "affinity": {
                "podAntiAffinity": {
                    "preferredDuringSchedulingIgnoredDuringExecution": [_AFFINITY_TERM]
                }
            },
            "containers": [{"name": ANY, "resources": _RESOURCES}],
        },
    },
    "serviceTemplate": ANY,
}
EXTERNAL_SECRET = {
    "secretStoreRef": {"name": ANY, "kind": ANY},
    "refreshPolicy": ANY,
    "refreshInterval": ANY,
    "syncWindows": ANY,
    "target": {
        "name": ANY,
        "creationPolicy": ANY,
        "deletionPolicy": ANY,
        "immutable": ANY,
        "template": {
            "type": ANY,
            "engineVersion": ANY,
            "mergePolicy": ANY,
            "metadata": ANY,
            "data": ANY,
            "templateFrom": ANY,
        },
    },
    "data": [
        {
            "secretKey": ANY,
            "remoteRef": {
                "key": ANY,
                "version": ANY,
                "property": ANY,
                "decodingStrategy": ANY,
            },
            "sourceRef": ANY,
        }
    ],
    "dataFrom": ANY,
}
CERTIFICATE = {
    "secretName": ANY,
    "secretTemplate": ANY,
    "privateKey": {"algorithm": ANY, "encoding": ANY, "size": ANY, "rotationPolicy": ANY},
    "duration": ANY,
    "renewBefore": ANY,
    "renewBeforePercentage": ANY,
    "dnsNames": ANY,
    "uris": ANY,
    "ipAddresses": ANY,
    "emailAddresses": ANY,
    "commonName": ANY,
    "subject": ANY,
    "usages": ANY,
    "isCA": ANY,
    "issuerRef": {"name": ANY, "kind": ANY, "group": ANY},
}
INGRESS_ROUTE = {
    "entryPoints": ANY,
    "routes": [
        {
            "kind": ANY,
            "match": ANY,
            "priority": ANY,
            "middlewares": [{"name": ANY, "namespace": ANY}],
            "services": [
                {
                    "kind": ANY,
                    "name": ANY,
                    "namespace": ANY,
                    "port": ANY,
                    "scheme": ANY,
                    "passHostHeader": ANY,
                    "sticky": ANY,
                    "strategy": ANY,
                    "weight": ANY,
                }
            ],
            "observability": ANY,
        }
    ],
    "tls": {
        "secretName": ANY,
        "certResolver": ANY,
        "domains": ANY,
        "options": {"name": ANY, "namespace": ANY},
    },
    "parentRefs": ANY,
}
MIDDLEWARE = {
    "redirectScheme": {"scheme": ANY, "permanent": ANY, "port": ANY},
    "rateLimit": {
        "average": ANY,
        "period": ANY,
        "burst": ANY,
        "sourceCriterion": {
            "requestHost": ANY,
            "requestHeaderName": ANY,
            "ipStrategy": {"depth": ANY, "excludedIPs": ANY, "ipv6Subnet": ANY},
        },
        "redis": ANY,
    },
    "headers": {
        "customRequestHeaders": ANY,
        "customResponseHeaders": ANY,
        "stsSeconds": ANY,
        "stsIncludeSubdomains": ANY,
        "stsPreload": ANY,
        "forceSTSHeader": ANY,
        "frameDeny": ANY,
        "customFrameOptionsValue": ANY,
        "contentTypeNosniff": ANY,
        "browserXssFilter": ANY,
        "contentSecurityPolicy": ANY,
        "referrerPolicy": ANY,
        "permissionsPolicy": ANY,
    },
    "ipAllowList": {"sourceRange": ANY, "ipStrategy": ANY, "rejectStatusCode": ANY},
    "buffering": {
        "maxRequestBodyBytes": ANY,
        "memRequestBodyBytes": ANY,
        "maxResponseBodyBytes": ANY,
        "memResponseBodyBytes": ANY,
        "retryExpression": ANY,
    },
    "inFlightReq": ANY,
    "chain": ANY,
}
TLS_OPTION = {
    "minVersion": ANY,
    "maxVersion": ANY,
    "cipherSuites": ANY,
    "curvePreferences": ANY,
    "clientAuth": ANY,
    "sniStrict": ANY,
    "alpnProtocols": ANY,
    "disableSessionTickets": ANY,
}
APP_PROJECT = {
    "description": ANY,
    "sourceRepos": ANY,
    "destinations": [{"server": ANY, "name": ANY, "namespace": ANY}],
    "clusterResourceWhitelist": [{"group": ANY, "kind": ANY, "name": ANY}],
    "clusterResourceBlacklist": ANY,
    "namespaceResourceWhitelist": [{"group": ANY, "kind": ANY}],
    "namespaceResourceBlacklist": ANY,
    "orphanedResources": {"warn": ANY, "ignore": ANY},
    "permitOnlyProjectScopedClusters": ANY,
    "sourceNamespaces": ANY,
    "roles": ANY,
    "syncWindows": [
        {
            "kind": ANY,
            "schedule": ANY,
            "duration": ANY,
            "applications": ANY,
            "namespaces": ANY,
            "clusters": ANY,
            "manualSync": ANY,
            "syncOverrun": ANY,
            "timeZone": ANY,
            "andOperator": ANY,
        }
    ],
    "sourceIntegrity": {
        "git": {"policies": [{"repos": [{"url": ANY}], "gpg": {"mode": ANY, "keys": ANY}}]}
    },
    "signatureKeys": ANY,
    "destinationServiceAccounts": ANY,
}
APPLICATION = {
    "project": ANY,
    "source": {"repoURL": ANY, "targetRevision": ANY, "path": ANY, "directory": ANY},
    "sources": ANY,
    "destination": {"server": ANY, "name": ANY, "namespace": ANY},
    "syncPolicy": {
        "automated": {"prune": ANY, "selfHeal": ANY, "allowEmpty": ANY, "enabled": ANY},
        "syncOptions": ANY,
        "managedNamespaceMetadata": {"labels": ANY, "annotations": ANY},
        "retry": {
            "limit": ANY,
            "backoff": {"duration": ANY, "factor": ANY, "maxDuration": ANY},
        },
    },
    "ignoreDifferences": [
        {
            "group": ANY,
            "kind": ANY,
            "name": ANY,
            "namespace": ANY,
            "jsonPointers": ANY,
            "jqPathExpressions": ANY,
            "managedFieldsManagers": ANY,
        }
    ],
    "revisionHistoryLimit": ANY,
}

SPECS: dict[tuple[str, str], dict[str, Any]] = {
    ("postgresql.cnpg.io/v1", "Cluster"): CLUSTER,
    ("postgresql.cnpg.io/v1", "ScheduledBackup"): SCHEDULED_BACKUP,
    ("postgresql.cnpg.io/v1", "Pooler"): POOLER,
    ("barmancloud.cnpg.io/v1", "ObjectStore"): OBJECT_STORE,
    ("external-secrets.io/v1", "ExternalSecret"): EXTERNAL_SECRET,
    ("cert-manager.io/v1", "Certificate"): CERTIFICATE,
    ("traefik.io/v1alpha1", "IngressRoute"): INGRESS_ROUTE,
    ("traefik.io/v1alpha1", "Middleware"): MIDDLEWARE,
    ("traefik.io/v1alpha1", "TLSOption"): TLS_OPTION,
    ("argoproj.io/v1alpha1", "AppProject"): APP_PROJECT,
    ("argoproj.io/v1alpha1", "Application"): APPLICATION,
}


def supported(api_version: str, kind: str) -> bool:
    return (api_version, kind) in SPECS


def _walk(value: Any, shape: Any, path: str, out: list[str]) -> None:
    if shape is ANY:
        return
    if isinstance(shape, list):
        if not isinstance(value, list):
            out.append(f"{path}: expected a list")
            return
        for index, item in enumerate(value):
            _walk(item, shape[0], f"{path}[{index}]", out)
        return
    if not isinstance(value, dict):
        out.append(f"{path}: expected a mapping")
        return
    for key, item in value.items():
        if key not in shape:
            out.append(f"{path}.{key}: not a documented field")
        else:
            _walk(item, shape[key], f"{path}.{key}", out)


def unknown_fields(manifest: dict[str, Any]) -> list[str]:
    """Keys of a custom resource its kind does not document (top level, metadata, spec)."""
    out: list[str] = []
    top = {"apiVersion", "kind", "metadata", "spec"}
    out += [f"{key}: not a documented field" for key in manifest if key not in top]
    _walk(manifest.get("metadata", {}), _METADATA, "metadata", out)
    _walk(manifest.get("spec", {}), SPECS[(manifest["apiVersion"], manifest["kind"])], "spec", out)
    return out
