"""An Odoo configuration lets new databases and modules load demo data.

## What it does
Reads every Odoo configuration (odoo.conf files, odoo.conf in ConfigMaps, Odoo container
arguments, `ODOO_*` environment). The default changed with Odoo 19, so the verdict follows the
series in the image tag of the Odoo containers that read the configuration (`odoo:17.0` -> 17;
for a bare odoo.conf, the `FROM odoo:...` of the scanned Dockerfiles):
- up to 18, or when no tag shows the series: a complete configuration must set
  `without_demo = all` (or True), and a container must not set `--without-demo` to False/empty
  or to a module list;
- 19 and later (`--without-demo` is the default): only `with_demo` / `--with-demo` /
  `ODOO_WITH_DEMO=True` is flagged, which is flagged in every series.
A ConfigMap is judged for the containers that mount it and do not override the option.

## Why is this bad
Demo data creates users with known logins and passwords (`demo`/`demo`, portal users), sample
partners, products and invoices, and it cannot be removed cleanly once a database has it: a
tenant's production database must be recreated. Odoo's own security checklist says never to
load demo data on an internet-facing server.

## Example (must fail)
```yaml
apiVersion: v1
kind: ConfigMap
metadata: {name: odoo-config, namespace: acme-prod}
data:
  odoo.conf: |
    [options]
    workers = 5
    without_demo = False
```

## Use instead (must pass)
```yaml
apiVersion: v1
kind: ConfigMap
metadata: {name: odoo-config, namespace: acme-prod}
data:
  odoo.conf: |
    [options]
    workers = 5
    without_demo = all
```

## Remediation
Set `without_demo = all` in odoo.conf (harmless on 19, where it is already the default), never
pass `--with-demo` or `ODOO_WITH_DEMO=True` to a production pod, and create databases with the
"Demo data" box unchecked. A database that already holds demo data must be recreated.

## References
Odoo deployment guide, security checklist ("no demo data"); Odoo 19 command-line reference
(`--with-demo`, `--without-demo` now the default); platform rule O5. No peer scanner reads
Odoo's configuration. A module list (`without_demo = sale`) is flagged: only `all` covers the
modules installed later. Unknown series are judged as 18 or older, the conservative choice.
"""

from __future__ import annotations

from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls.odoo._deployment import Deployment, is_set, missing_path
from bulkhead.inventory import Inventory
from bulkhead.model import Severity

META = Meta(
    id="OD009",
    slug="demo-data-enabled",
    title="Odoo configuration loads demo data",
    domain=Domain.ODOO,
    severity=Severity.MEDIUM,
    scope=Scope.INVENTORY,
)

DISABLED = frozenset({"all", "true", "1"})
FIRST_WITHOUT_DEMO_DEFAULT = 19


def check(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    deployment = Deployment.build(inventory)
    for config in deployment.configs:
        with_demo = config.get("with_demo")
        if (
            with_demo is not None
            and is_set(with_demo)
            and deployment.affected(config, "with_demo") != ()
        ):
            yield Hit(
                with_demo.path,
                f"{config.origin} turns demo data on (with_demo): new databases get demo users "
                "with known passwords; remove --with-demo / with_demo / ODOO_WITH_DEMO",
                resource=config.resource,
                file=with_demo.file,
                line=with_demo.line,
                key=f"{config.origin}:with_demo",
            )
            continue
        majors = deployment.majors(config)
        if majors and min(majors) >= FIRST_WITHOUT_DEMO_DEFAULT:
            continue  # 19+: no demo data unless asked for
        series = (
            f"Odoo {min(majors)} loads it by default"
            if majors
            else "no image tag shows the series, and Odoo up to 18 loads it by default"
        )
        option = config.get("without_demo")
        if option is not None:
            if option.value.strip().lower() in DISABLED:
                continue
            what = f"without_demo = {option.value.strip()[:40] or '(empty)'}"
        elif config.complete:
            what = "no without_demo option"
        else:
            continue
        if deployment.affected(config, "without_demo") == ():
            continue  # every container that mounts it sets --without-demo itself
        yield Hit(
            option.path if option is not None else missing_path(config, "without_demo"),
            f"{config.origin} loads demo data ({what}; {series}): demo users with known "
            "passwords and sample records land in tenant databases; set without_demo = all",
            resource=config.resource,
            file=option.file if option is not None else config.file,
            line=option.line if option is not None else config.line,
            key=f"{config.origin}:without_demo",
        )
