"""scheduling.yaml: environment scheduling, the off-hours scale-down of dev and staging.

A CronJob runs every 10 minutes with the environment's own Odoo image (it has Python) and a
small standard-library script: it works out whether any `off_hours` window is open now (each
window opens on its cron schedule, in its time zone, for its duration) and sets the replicas of
odoo-web and odoo-cron through the Deployments' scale subresource. Reconciling every 10 minutes,
instead of one job at the start and one at the end of each window, survives missed runs and
needs no end-of-window cron arithmetic. Its ServiceAccount may only get and patch those two
scale subresources, and its token is a projected, short-lived one mounted for it alone.
"""

from __future__ import annotations

import json

from bulkhead.platform.model import EffectiveEnvironment
from bulkhead.render.common import (
    ODOO_UID,
    Manifest,
    container_security,
    metadata,
    object_labels,
    placement,
    pod_labels,
    pod_security,
)
from bulkhead.render.namespace import service_account
from bulkhead.render.sizing import SCALER_RESOURCES, cron_replicas

NAME = "odoo-scaler"
ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount"

SCRIPT = '''\
"""bulkhead off-hours scaler: park this environment's Odoo while an off-hours window is open."""
import datetime
import json
import ssl
import urllib.request
from zoneinfo import ZoneInfo

ACCOUNT = "/var/run/secrets/kubernetes.io/serviceaccount"
SCHEDULE = "/etc/off-hours/schedule.json"
NAMES = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "oct": 10, "nov": 11, "dec": 12,
    "sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6,
}


def number(text):
    return NAMES[text] if text in NAMES else int(text)


def values(field, low, high):
    result = set()
    for part in field.lower().split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/", 1)
            step = int(step_text)
        if part == "*":
            start, end = low, high
        elif "-" in part:
            first, last = part.split("-", 1)
            start, end = number(first), number(last)
        else:
            start = number(part)
            end = high if step > 1 else start
        result.update(range(start, end + 1, step))
    return result


def matcher(schedule):
    fields = schedule.split()
    minutes, hours = values(fields[0], 0, 59), values(fields[1], 0, 23)
    days, months = values(fields[2], 1, 31), values(fields[3], 1, 12)
    weekdays = {d % 7 for d in values(fields[4], 0, 6)}
    either = fields[2] != "*" and fields[4] != "*"

    def matches(moment):
        if moment.minute not in minutes or moment.hour not in hours:
            return False
        if moment.month not in months:
            return False
        day_ok = moment.day in days
        weekday_ok = (moment.weekday() + 1) % 7 in weekdays
        return (day_ok or weekday_ok) if either else (day_ok and weekday_ok)

    return matches


def window_open(window, now):
    zone = ZoneInfo(window["time_zone"])
    matches = matcher(window["schedule"])
    for minute in range(-(-window["duration"] // 60)):
        if matches((now - datetime.timedelta(minutes=minute)).astimezone(zone)):
            return True
    return False


def api(method, path, body=None):
    with open(ACCOUNT + "/token", encoding="utf-8") as handle:
        bearer = handle.read().strip()
    context = ssl.create_default_context(cafile=ACCOUNT + "/ca.crt")
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        "https://kubernetes.default.svc" + path,
        data=data,
        method=method,
        headers={
            "Authorization": "Bearer " + bearer,
            "Accept": "application/json",
            "Content-Type": "application/merge-patch+json",
        },
    )
    with urllib.request.urlopen(request, context=context, timeout=30) as response:
        return json.load(response)


def main(now=None):
    with open(SCHEDULE, encoding="utf-8") as handle:
        config = json.load(handle)
    now = now or datetime.datetime.now(datetime.timezone.utc)
    now = now.replace(second=0, microsecond=0)
    parked = any(window_open(w, now) for w in config["windows"])
    for name, counts in config["deployments"].items():
        wanted = counts["off"] if parked else counts["on"]
        path = "/apis/apps/v1/namespaces/%s/deployments/%s/scale" % (config["namespace"], name)
        current = api("GET", path)["spec"].get("replicas", 0)
        if current != wanted:
            api("PATCH", path, {"spec": {"replicas": wanted}})
            print("%s: %d -> %d replicas" % (name, current, wanted), flush=True)


if __name__ == "__main__":
    main()
'''


def schedule(env: EffectiveEnvironment) -> str:
    """The scaler's configuration: the namespace, each window, the replicas on and off."""
    off = env.off_hours
    assert off is not None
    deployments = {"odoo-web": {"on": env.replicas, "off": off.replicas}}
    if cron_replicas(env):
        cron = cron_replicas(env)
        deployments["odoo-cron"] = {"on": cron, "off": 0 if off.replicas == 0 else cron}
    document = {
        "namespace": env.namespace,
        "windows": [
            {
                "schedule": w.schedule,
                "duration": w.duration,
                "time_zone": w.time_zone or "UTC",
            }
            for w in off.windows
        ],
        "deployments": deployments,
    }
    return json.dumps(document, indent=2) + "\n"


def role(env: EffectiveEnvironment) -> Manifest:
    names = ["odoo-web", "odoo-cron"] if cron_replicas(env) else ["odoo-web"]
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "Role",
        "metadata": metadata(env, NAME, object_labels(env, name=NAME)),
        "rules": [
            {
                "apiGroups": ["apps"],
                "resources": ["deployments/scale"],
                "resourceNames": names,
                "verbs": ["get", "patch"],
            }
        ],
    }


def role_binding(env: EffectiveEnvironment) -> Manifest:
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "RoleBinding",
        "metadata": metadata(env, NAME, object_labels(env, name=NAME)),
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": NAME},
        "subjects": [{"kind": "ServiceAccount", "name": NAME, "namespace": env.namespace}],
    }


def config_map(env: EffectiveEnvironment) -> Manifest:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": metadata(env, NAME, object_labels(env, name=NAME)),
        "data": {"off_hours.py": SCRIPT, "schedule.json": schedule(env)},
    }


def cron_job(env: EffectiveEnvironment) -> Manifest:
    container: Manifest = {
        "name": "scaler",
        "image": env.image,
        "imagePullPolicy": "IfNotPresent",
        "command": ["python3", "-B", "/etc/off-hours/off_hours.py"],
        "securityContext": container_security(),
        "resources": dict(SCALER_RESOURCES),
        "volumeMounts": [
            {"name": "schedule", "mountPath": "/etc/off-hours", "readOnly": True},
            {"name": "api-access", "mountPath": ACCOUNT_DIR, "readOnly": True},
        ],
    }
    spec: Manifest = {
        "serviceAccountName": NAME,
        # No automounted token: the projected volume below gives this pod alone a 10-minute one.
        "automountServiceAccountToken": False,
        "enableServiceLinks": False,
        "restartPolicy": "Never",
        "securityContext": pod_security(ODOO_UID),
    }
    placement(env, spec)
    spec["containers"] = [container]
    spec["volumes"] = [
        {"name": "schedule", "configMap": {"name": NAME}},
        {
            "name": "api-access",
            "projected": {
                "sources": [
                    {"serviceAccountToken": {"path": "token", "expirationSeconds": 600}},
                    {
                        "configMap": {
                            "name": "kube-root-ca.crt",
                            "items": [{"key": "ca.crt", "path": "ca.crt"}],
                        }
                    },
                ]
            },
        },
    ]
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": metadata(env, NAME, object_labels(env, name=NAME, instance=env.name)),
        "spec": {
            "schedule": "*/10 * * * *",
            "timeZone": "Etc/UTC",
            "concurrencyPolicy": "Forbid",
            "startingDeadlineSeconds": 300,
            "successfulJobsHistoryLimit": 1,
            "failedJobsHistoryLimit": 3,
            "jobTemplate": {
                "spec": {
                    "backoffLimit": 1,
                    "activeDeadlineSeconds": 240,
                    "template": {
                        "metadata": {"labels": pod_labels(env, NAME)},
                        "spec": spec,
                    },
                }
            },
        },
    }


def documents(env: EffectiveEnvironment) -> list[Manifest]:
    return [
        service_account(env, NAME),
        role(env),
        role_binding(env),
        config_map(env),
        cron_job(env),
    ]
