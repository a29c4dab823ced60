"""ingress.yaml: cert-manager Certificate, Traefik v3 TLSOption, Middlewares and IngressRoutes.

- HTTPS only: the IngressRoute on the plain-HTTP entry point only redirects (permanent);
- TLS 1.2 minimum, SNI required, modern cipher suites, in a TLSOption of the environment's own
  namespace (same-namespace references work with `allowCrossNamespace: false`);
- security headers with HSTS (one year, subdomains) on every route;
- a per-client rate limit and a request body limit on the main route;
- `/web/database` (the database manager) refused at the edge: only loopback is allowed, which
  Traefik never proxies from, so every request gets 403;
- `/websocket` to the Service's websocket port (the gevent worker on 8072 in prefork mode).
"""

from __future__ import annotations

from bulkhead.platform.model import EffectiveEnvironment
from bulkhead.render.common import (
    ODOO_GEVENT_PORT,
    ODOO_HTTP_PORT,
    Manifest,
    RenderOptions,
    host_rule,
    metadata,
    object_labels,
)

TRAEFIK = "traefik.io/v1alpha1"
BODY_LIMIT = 104_857_600  # 100 MiB: large attachments and imports, no more
HSTS_SECONDS = 31_536_000
CIPHER_SUITES = (
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
)


def tls_option_name(env: EffectiveEnvironment) -> str:
    return env.ingress.tls_option or "tls-modern"


def _labels(env: EffectiveEnvironment, name: str) -> dict[str, str]:
    return object_labels(env, name=name, instance=env.name, component="ingress")


def certificate(env: EffectiveEnvironment) -> Manifest:
    ingress = env.ingress
    return {
        "apiVersion": "cert-manager.io/v1",
        "kind": "Certificate",
        "metadata": metadata(env, ingress.tls_secret_name, _labels(env, "certificate")),
        "spec": {
            "secretName": ingress.tls_secret_name,
            "dnsNames": list(ingress.hostnames),
            "privateKey": {"algorithm": "ECDSA", "size": 256, "rotationPolicy": "Always"},
            "renewBeforePercentage": 33,
            "issuerRef": {
                "group": "cert-manager.io",
                "kind": ingress.issuer_kind,
                "name": ingress.issuer_name,
            },
        },
    }


def tls_option(env: EffectiveEnvironment) -> Manifest:
    return {
        "apiVersion": TRAEFIK,
        "kind": "TLSOption",
        "metadata": metadata(env, tls_option_name(env), _labels(env, "tls")),
        "spec": {
            "minVersion": "VersionTLS12",
            "sniStrict": True,
            "cipherSuites": list(CIPHER_SUITES),
            "curvePreferences": ["X25519", "CurveP256", "CurveP384"],
        },
    }


def _middleware(env: EffectiveEnvironment, name: str, spec: Manifest) -> Manifest:
    return {
        "apiVersion": TRAEFIK,
        "kind": "Middleware",
        "metadata": metadata(env, name, _labels(env, name)),
        "spec": spec,
    }


def middlewares(env: EffectiveEnvironment) -> list[Manifest]:
    ingress = env.ingress
    return [
        _middleware(
            env, "https-redirect", {"redirectScheme": {"scheme": "https", "permanent": True}}
        ),
        _middleware(
            env,
            "secure-headers",
            {
                "headers": {
                    "stsSeconds": HSTS_SECONDS,
                    "stsIncludeSubdomains": True,
                    "forceSTSHeader": True,
                    # Odoo frames its own pages (website editor, previews): same origin only.
                    "customFrameOptionsValue": "SAMEORIGIN",
                    "contentTypeNosniff": True,
                    "referrerPolicy": "strict-origin-when-cross-origin",
                    "permissionsPolicy": "camera=(), microphone=(), geolocation=()",
                    "customResponseHeaders": {"Server": "", "X-Powered-By": ""},
                }
            },
        ),
        _middleware(
            env,
            "rate-limit",
            {
                "rateLimit": {
                    "average": ingress.rate_limit_average,
                    "period": "1s",
                    "burst": ingress.rate_limit_burst,
                    "sourceCriterion": {"ipStrategy": {"depth": 1}},
                }
            },
        ),
        _middleware(env, "body-limit", {"buffering": {"maxRequestBodyBytes": BODY_LIMIT}}),
        _middleware(env, "deny-all", {"ipAllowList": {"sourceRange": ["127.0.0.1/32"]}}),
    ]


def _route(match: str, middlewares: list[str], port: int) -> Manifest:
    return {
        "kind": "Rule",
        "match": match,
        "middlewares": [{"name": name} for name in middlewares],
        "services": [{"kind": "Service", "name": "odoo", "port": port}],
    }


def _redirect(match: str) -> Manifest:
    # Traefik's internal no-op service: the middleware answers, nothing reaches Odoo.
    return {
        "kind": "Rule",
        "match": match,
        "middlewares": [{"name": "https-redirect"}],
        "services": [{"kind": "TraefikService", "name": "noop@internal"}],
    }


def ingress_routes(env: EffectiveEnvironment, options: RenderOptions) -> list[Manifest]:
    ingress = env.ingress
    hosts = host_rule(ingress.hostnames)
    annotations = {"kubernetes.io/ingress.class": ingress.class_name}
    https: Manifest = {
        "apiVersion": TRAEFIK,
        "kind": "IngressRoute",
        "metadata": metadata(env, "odoo", _labels(env, "odoo"), annotations),
        "spec": {
            "entryPoints": list(ingress.entry_points),
            # Longer rules win in Traefik: /websocket and /web/database before the catch-all.
            "routes": [
                _route(
                    f"{hosts} && PathPrefix(`/websocket`)", ["secure-headers"], ODOO_GEVENT_PORT
                ),
                _route(
                    f"{hosts} && PathPrefix(`/web/database`)",
                    ["secure-headers", "deny-all"],
                    ODOO_HTTP_PORT,
                ),
                _route(hosts, ["secure-headers", "body-limit", "rate-limit"], ODOO_HTTP_PORT),
            ],
            "tls": {
                "secretName": ingress.tls_secret_name,
                "options": {"name": tls_option_name(env)},
            },
        },
    }
    redirect: Manifest = {
        "apiVersion": TRAEFIK,
        "kind": "IngressRoute",
        "metadata": metadata(env, "odoo-http", _labels(env, "odoo-http"), annotations),
        "spec": {
            "entryPoints": [options.http_entry_point],
            "routes": [_redirect(hosts)],
        },
    }
    return [https, redirect]


def documents(env: EffectiveEnvironment, options: RenderOptions) -> list[Manifest]:
    return [certificate(env), tls_option(env), *middlewares(env), *ingress_routes(env, options)]
