"""Generate a synthetic GitOps repository of Odoo tenants for the scan benchmarks.

    python benchmarks/generate.py --tenants 100 --output benchmarks/.work/100

writes

    <output>/bulkhead.toml                      approved registry and context path
    <output>/tenants/<tenant>/Dockerfile        one image per tenant
    <output>/tenants/<tenant>/<env>/*.yaml      env in dev, staging, prod: 10 files, 16 objects

Each tenant-environment holds a Namespace, the Odoo web Deployment with its PDB and HPA, the
cron Deployment, the Odoo Service, a ConfigMap (odoo.conf), a Secret, a ServiceAccount, Role
and RoleBinding, two NetworkPolicies, Redis (Deployment and Service) and a Traefik IngressRoute.
The manifests are hardened like examples/hardened, and a seeded fraction of them carries a flaw
(privileged container, latest tag, hostPath volume, missing probes, a duplicate key in about 1%,
and Dockerfiles without a pinned base or a USER), so a scan has findings to report.

Output is deterministic: the same tenants and seed give the same bytes, and the first N tenants
are the same whatever the total, because every tenant-environment draws from its own generator
seeded by (seed, tenant, environment).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ENVIRONMENTS = ("dev", "staging", "prod")
REGISTRY = "registry.example.com"

# Probability, per tenant-environment, that a flaw is injected.
FLAW_RATES = {
    "privileged": 0.04,
    "latest-tag": 0.05,
    "host-path": 0.03,
    "missing-probes": 0.08,
    "duplicate-key": 0.01,
}
# Probability, per tenant, that its Dockerfile is the careless kind.
DOCKERFILE_FLAW_RATE = 0.2

_WORDS = (
    "acme", "globex", "initech", "umbrella", "hooli", "stark", "wayne", "wonka", "tyrell",
    "cyberdyne", "soylent", "vandelay", "gringotts", "oscorp", "massive", "dunder", "pied",
    "aperture", "black-mesa", "monarch", "nakatomi", "oceanic", "prestige", "sterling",
)  # fmt: skip


def tenant_name(index: int) -> str:
    """A stable, readable, unique name: `<word>-<index>`."""
    return f"{_WORDS[index % len(_WORDS)]}-{index:05d}"


def _digest(*parts: str) -> str:
    return "sha256:" + hashlib.sha256("/".join(parts).encode()).hexdigest()


@dataclass(slots=True)
class Site:
    """One tenant-environment: what its manifests are made of."""

    tenant: str
    env: str
    rng: random.Random
    flaws: frozenset[str] = field(default_factory=frozenset)

    @property
    def namespace(self) -> str:
        return f"{self.tenant}-{self.env}"

    @property
    def host(self) -> str:
        prefix = "" if self.env == "prod" else f"{self.env}."
        return f"{prefix}{self.tenant}.erp.example.com"

    @property
    def odoo_image(self) -> str:
        if "latest-tag" in self.flaws:
            return "odoo:latest"
        return f"{REGISTRY}/odoo@{_digest('odoo', self.tenant, self.env)}"

    @property
    def labels(self) -> str:
        return f"app.kubernetes.io/instance: {self.tenant}"


def _pod_security(indent: str) -> str:
    return (
        f"{indent}securityContext:\n"
        f"{indent}  runAsNonRoot: true\n"
        f"{indent}  runAsUser: 101\n"
        f"{indent}  runAsGroup: 101\n"
        f"{indent}  fsGroup: 101\n"
        f"{indent}  seccompProfile:\n"
        f"{indent}    type: RuntimeDefault\n"
    )


def _container_security(site: Site, indent: str) -> str:
    lines = [f"{indent}securityContext:"]
    if "privileged" in site.flaws:
        lines.append(f"{indent}  privileged: true  # injected flaw")
    lines.append(f"{indent}  allowPrivilegeEscalation: false")
    lines.append(f"{indent}  readOnlyRootFilesystem: true")
    if "duplicate-key" in site.flaws:
        lines.append(f"{indent}  readOnlyRootFilesystem: false  # injected flaw: duplicate key")
    lines.append(f"{indent}  runAsNonRoot: true")
    lines.append(f"{indent}  capabilities:")
    lines.append(f"{indent}    drop: [ALL]")
    return "\n".join(lines) + "\n"


def _probes(site: Site, indent: str, port: str = "http") -> str:
    if "missing-probes" in site.flaws:
        return f"{indent}# injected flaw: no probes\n"
    return (
        f"{indent}livenessProbe:\n"
        f"{indent}  httpGet:\n"
        f"{indent}    path: /web/health\n"
        f"{indent}    port: {port}\n"
        f"{indent}  periodSeconds: 20\n"
        f"{indent}  failureThreshold: 3\n"
        f"{indent}readinessProbe:\n"
        f"{indent}  httpGet:\n"
        f"{indent}    path: /web/health\n"
        f"{indent}    port: {port}\n"
        f"{indent}  periodSeconds: 10\n"
    )


def _volumes(site: Site, indent: str) -> str:
    text = (
        f"{indent}volumes:\n"
        f"{indent}  - name: config\n"
        f"{indent}    configMap:\n"
        f"{indent}      name: odoo-config\n"
        f"{indent}  - name: tmp\n"
        f"{indent}    emptyDir:\n"
        f"{indent}      sizeLimit: 1Gi\n"
    )
    if "host-path" in site.flaws:
        return text + (
            f"{indent}  - name: filestore  # injected flaw: hostPath\n"
            f"{indent}    hostPath:\n"
            f"{indent}      path: /srv/odoo/{site.namespace}\n"
        )
    return text + (
        f"{indent}  - name: filestore\n"
        f"{indent}    persistentVolumeClaim:\n"
        f"{indent}      claimName: odoo-filestore\n"
    )


def namespace_yaml(site: Site) -> tuple[str, int]:
    return (
        f"""# Tenant {site.tenant}, environment {site.env}.
apiVersion: v1
kind: Namespace
metadata:
  name: {site.namespace}
  labels:
    bulkhead.io/tenant: {site.tenant}
    bulkhead.io/environment: {site.env}
    pod-security.kubernetes.io/enforce: restricted
    pod-security.kubernetes.io/warn: restricted
""",
        1,
    )


def _odoo_deployment(
    site: Site, component: str, replicas: int, args: str, cpu: str, mem: int
) -> str:
    ports = "            - name: http\n              containerPort: 8069\n"
    if component == "web":
        ports += "            - name: websocket\n              containerPort: 8072\n"
    return f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: odoo-{component}
  namespace: {site.namespace}
  labels:
    app.kubernetes.io/name: odoo
    {site.labels}
    app.kubernetes.io/component: {component}
spec:
  replicas: {replicas}
  selector:
    matchLabels:
      app.kubernetes.io/name: odoo
      {site.labels}
      app.kubernetes.io/component: {component}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: odoo
        {site.labels}
        app.kubernetes.io/component: {component}
    spec:
      serviceAccountName: odoo
      automountServiceAccountToken: false
      enableServiceLinks: false
{_pod_security("      ")}      containers:
        - name: odoo
          image: {site.odoo_image}
          command: ["odoo"]
          args: [{args}]
          ports:
{ports}          env:
            - name: PGPASSWORD
              valueFrom:
                secretKeyRef:
                  name: odoo-db
                  key: password
{_container_security(site, "          ")}          resources:
            requests:
              cpu: {cpu}
              memory: {mem}Mi
            limits:
              memory: {mem * 2}Mi
{_probes(site, "          ")}          volumeMounts:
            - name: config
              mountPath: /etc/odoo
              readOnly: true
            - name: filestore
              mountPath: /var/lib/odoo
            - name: tmp
              mountPath: /tmp
{_volumes(site, "      ")}"""


def odoo_web_yaml(site: Site) -> tuple[str, int]:
    replicas = site.rng.randint(2, 4) if site.env == "prod" else 1
    cpu = site.rng.choice(("500m", "1", "2")) if site.env == "prod" else "250m"
    mem = site.rng.choice((1024, 1536, 2048)) if site.env == "prod" else 512
    deployment = _odoo_deployment(site, "web", replicas, '"--config=/etc/odoo/odoo.conf"', cpu, mem)
    return (
        f"""# Odoo web tier of {site.tenant} ({site.env}).
---
{deployment}---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: odoo-web
  namespace: {site.namespace}
spec:
  minAvailable: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: odoo
      {site.labels}
      app.kubernetes.io/component: web
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: odoo-web
  namespace: {site.namespace}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: odoo-web
  minReplicas: {replicas}
  maxReplicas: {replicas * 3}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {site.rng.choice((60, 70, 80))}
""",
        3,
    )


def odoo_cron_yaml(site: Site) -> tuple[str, int]:
    threads = site.rng.randint(1, 4)
    args = f'"--config=/etc/odoo/odoo.conf", "--workers=0", "--max-cron-threads={threads}"'
    return (
        f"# Odoo scheduled actions of {site.tenant} ({site.env}).\n"
        + _odoo_deployment(site, "cron", 1, args, "250m", 1024),
        1,
    )


def service_yaml(site: Site) -> tuple[str, int]:
    return (
        f"""apiVersion: v1
kind: Service
metadata:
  name: odoo
  namespace: {site.namespace}
spec:
  type: ClusterIP
  selector:
    app.kubernetes.io/name: odoo
    {site.labels}
    app.kubernetes.io/component: web
  ports:
    - name: http
      port: 8069
      targetPort: http
    - name: websocket
      port: 8072
      targetPort: websocket
""",
        1,
    )


def configmap_yaml(site: Site) -> tuple[str, int]:
    workers = site.rng.randint(2, 8) if site.env == "prod" else 2
    database = site.tenant.replace("-", "_")
    return (
        f"""apiVersion: v1
kind: ConfigMap
metadata:
  name: odoo-config
  namespace: {site.namespace}
data:
  odoo.conf: |
    [options]
    proxy_mode = True
    list_db = False
    dbfilter = ^{database}$
    db_name = {database}
    admin_passwd =
    without_demo = all
    db_host = {site.tenant}-pg-rw.{site.namespace}.svc.cluster.local
    db_port = 5432
    db_user = {database}
    db_sslmode = require
    db_maxconn = 16
    data_dir = /var/lib/odoo
    addons_path = /mnt/extra-addons
    server_wide_modules = base,web,session_redis
    http_port = 8069
    gevent_port = 8072
    workers = {workers}
    max_cron_threads = 0
    limit_memory_soft = 671088640
    limit_memory_hard = 805306368
    limit_request = 8192
    limit_time_cpu = 600
    limit_time_real = 1200
    log_level = info
""",
        1,
    )


def secret_yaml(site: Site) -> tuple[str, int]:
    return (
        f"""# Credentials come from the vault through the External Secrets Operator.
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata:
  name: odoo-db
  namespace: {site.namespace}
spec:
  refreshInterval: 1h
  secretStoreRef: {{kind: ClusterSecretStore, name: vault}}
  target: {{name: odoo-db, creationPolicy: Owner}}
  data:
    - secretKey: password
      remoteRef: {{key: {site.tenant}/{site.env}/postgres, property: password}}
    - secretKey: redis-password
      remoteRef: {{key: {site.tenant}/{site.env}/redis, property: password}}
""",
        1,
    )


def postgres_yaml(site: Site) -> tuple[str, int]:
    instances = 3 if site.env == "prod" else 1
    return (
        f"""apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata:
  name: {site.tenant}-pg
  namespace: {site.namespace}
spec:
  instances: {instances}
  imageName: {REGISTRY}/postgresql@{_digest("postgresql", "17")}
  enableSuperuserAccess: false
  storage:
    size: 20Gi
  postgresql:
    parameters:
      password_encryption: scram-sha-256
    pg_hba:
      - hostssl all all all scram-sha-256
      - hostnossl all all all reject
  plugins:
    - name: barman-cloud.cloudnative-pg.io
      isWALArchiver: true
      parameters:
        barmanObjectName: {site.tenant}-backups
---
apiVersion: postgresql.cnpg.io/v1
kind: ScheduledBackup
metadata:
  name: {site.tenant}-pg-daily
  namespace: {site.namespace}
spec:
  schedule: "0 0 2 * * *"
  method: plugin
  pluginConfiguration:
    name: barman-cloud.cloudnative-pg.io
  cluster:
    name: {site.tenant}-pg
""",
        2,
    )


def rbac_yaml(site: Site) -> tuple[str, int]:
    return (
        f"""apiVersion: v1
kind: ServiceAccount
metadata:
  name: odoo
  namespace: {site.namespace}
automountServiceAccountToken: false
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: odoo-read-config
  namespace: {site.namespace}
rules:
  - apiGroups: [""]
    resources: [configmaps]
    resourceNames: [odoo-config]
    verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: odoo-read-config
  namespace: {site.namespace}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: odoo-read-config
subjects:
  - kind: ServiceAccount
    name: odoo
    namespace: {site.namespace}
""",
        3,
    )


def networkpolicy_yaml(site: Site) -> tuple[str, int]:
    return (
        f"""apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny
  namespace: {site.namespace}
spec:
  podSelector: {{}}
  policyTypes: [Ingress, Egress]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: odoo
  namespace: {site.namespace}
spec:
  podSelector:
    matchLabels:
      app.kubernetes.io/name: odoo
  policyTypes: [Ingress, Egress]
  ingress:
    - from:
        - namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: traefik
      ports:
        - port: 8069
        - port: 8072
  egress:
    - to:
        - podSelector:
            matchLabels:
              cnpg.io/cluster: {site.tenant}-pg
      ports:
        - port: 5432
    - to:
        - podSelector:
            matchLabels:
              app.kubernetes.io/name: redis
      ports:
        - port: 6379
    - to:
        - namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: kube-system
          podSelector:
            matchLabels:
              k8s-app: kube-dns
      ports:
        - port: 53
          protocol: UDP
        - port: 53
          protocol: TCP
""",
        2,
    )


def redis_yaml(site: Site) -> tuple[str, int]:
    image = f"{REGISTRY}/redis@{_digest('redis', site.tenant)}"
    return (
        f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: redis
  namespace: {site.namespace}
  labels:
    app.kubernetes.io/name: redis
    {site.labels}
spec:
  replicas: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: redis
      {site.labels}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: redis
        {site.labels}
    spec:
      serviceAccountName: odoo
      automountServiceAccountToken: false
      securityContext:
        runAsNonRoot: true
        runAsUser: 999
        runAsGroup: 999
        fsGroup: 999
        seccompProfile:
          type: RuntimeDefault
      containers:
        - name: redis
          image: {image}
          command: ["/bin/sh", "-c"]
          args:
            - |
              exec redis-server --dir /data - <<EOF
              requirepass ${{REDIS_PASSWORD}}
              EOF
          env:
            - name: REDIS_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: odoo-db
                  key: redis-password
          ports:
            - name: redis
              containerPort: 6379
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities:
              drop: [ALL]
          resources:
            requests:
              cpu: 100m
              memory: 256Mi
            limits:
              memory: 256Mi
          livenessProbe:
            tcpSocket:
              port: redis
          readinessProbe:
            exec:
              command: ["/bin/sh", "-c", "REDISCLI_AUTH=$REDIS_PASSWORD redis-cli ping"]
          volumeMounts:
            - name: data
              mountPath: /data
      volumes:
        - name: data
          emptyDir:
            sizeLimit: 1Gi
---
apiVersion: v1
kind: Service
metadata:
  name: redis
  namespace: {site.namespace}
spec:
  type: ClusterIP
  selector:
    app.kubernetes.io/name: redis
    {site.labels}
  ports:
    - name: redis
      port: 6379
      targetPort: redis
""",
        2,
    )


def ingress_yaml(site: Site) -> tuple[str, int]:
    return (
        f"""apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata:
  name: odoo
  namespace: {site.namespace}
spec:
  entryPoints: [websecure]
  routes:
    - kind: Rule
      match: Host(`{site.host}`) && PathPrefix(`/websocket`)
      services:
        - name: odoo
          port: 8072
    - kind: Rule
      match: Host(`{site.host}`)
      services:
        - name: odoo
          port: 8069
  tls:
    secretName: {site.namespace}-tls
""",
        1,
    )


FILES = (
    ("namespace.yaml", namespace_yaml),
    ("odoo-web.yaml", odoo_web_yaml),
    ("odoo-cron.yaml", odoo_cron_yaml),
    ("service.yaml", service_yaml),
    ("configmap.yaml", configmap_yaml),
    ("secret.yaml", secret_yaml),
    ("rbac.yaml", rbac_yaml),
    ("networkpolicy.yaml", networkpolicy_yaml),
    ("redis.yaml", redis_yaml),
    ("ingress.yaml", ingress_yaml),
    ("postgres.yaml", postgres_yaml),
)


def dockerfile(tenant: str, rng: random.Random) -> tuple[str, bool]:
    """The tenant's Dockerfile, and whether it is one of the flawed ones."""
    if rng.random() < DOCKERFILE_FLAW_RATE:
        return (
            f"""# Odoo image of {tenant} (injected flaws: unpinned base, remote script, no USER).
FROM odoo:latest
RUN curl -fsSL https://get.example.com/addons.sh | bash
COPY ./addons /mnt/extra-addons
""",
            True,
        )
    return (
        f"""# Odoo image of {tenant}.
FROM {REGISTRY}/library/odoo:18.0@{_digest("odoo-base", tenant)}
COPY --chown=root:root ./addons /mnt/extra-addons
USER 101:101
EXPOSE 8069 8072
HEALTHCHECK --interval=30s --timeout=5s CMD ["curl", "-fsS", "http://127.0.0.1:8069/web/health"]
ENTRYPOINT ["odoo"]
CMD ["--config=/etc/odoo/odoo.conf"]
""",
        False,
    )


CONFIG = f"""# Written by benchmarks/generate.py.
approved-registries = ["{REGISTRY}"]
context-path = "tenants/{{tenant}}/{{environment}}"
"""


def _write(path: Path, text: str) -> None:
    # newline="\n": the same bytes on every platform.
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)


def generate(root: Path, tenants: int, seed: int = 7) -> dict[str, object]:
    """Write the repository under `root` (created if needed) and return what was written.

    The counts: tenants, environments, files (all files), manifest_files, dockerfiles, objects,
    and flaws (how many tenant-environments, or Dockerfiles, carry each injected flaw).
    """
    if tenants < 1:
        raise ValueError("tenants must be at least 1")
    root.mkdir(parents=True, exist_ok=True)
    _write(root / "bulkhead.toml", CONFIG)
    manifest_files = objects = dockerfiles = 0
    flaws: Counter[str] = Counter()
    for index in range(tenants):
        tenant = tenant_name(index)
        tenant_dir = root / "tenants" / tenant
        tenant_dir.mkdir(parents=True, exist_ok=True)
        text, flawed = dockerfile(tenant, random.Random(f"{seed}:{tenant}:dockerfile"))
        _write(tenant_dir / "Dockerfile", text)
        dockerfiles += 1
        flaws["dockerfile"] += flawed
        for env in ENVIRONMENTS:
            rng = random.Random(f"{seed}:{tenant}:{env}")
            chosen = frozenset(name for name, rate in FLAW_RATES.items() if rng.random() < rate)
            flaws.update(chosen)
            site = Site(tenant, env, rng, chosen)
            env_dir = tenant_dir / env
            env_dir.mkdir(exist_ok=True)
            for name, render in FILES:
                text, count = render(site)
                _write(env_dir / name, text)
                manifest_files += 1
                objects += count
    return {
        "tenants": tenants,
        "environments": len(ENVIRONMENTS),
        "files": manifest_files + dockerfiles + 1,
        "manifest_files": manifest_files,
        "dockerfiles": dockerfiles,
        "objects": objects,
        "flaws": dict(sorted(flaws.items())),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--tenants", type=int, required=True, help="number of tenants")
    parser.add_argument("--output", type=Path, required=True, help="directory to write")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument("--clean", action="store_true", help="delete the output directory first")
    args = parser.parse_args(argv)
    if args.tenants < 1:
        parser.error("--tenants must be at least 1")
    if args.clean and args.output.exists():
        shutil.rmtree(args.output)
    counts = generate(args.output, args.tenants, args.seed)
    json.dump(counts, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
