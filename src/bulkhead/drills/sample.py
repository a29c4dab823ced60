"""An Odoo-like sample database for tests, `bulkhead drill demo` and the benchmark.

The tables carry the names, columns and constraints the drill looks at (module states, crons,
mail servers, configuration parameters, attachments with a filestore, users and the admin's
`ir_model_data` record) plus business tables that make up the bulk of a real database
(partners, pickings, stock moves, sale orders, chatter messages). Rows are generated in SQL
with `generate_series`, so a gigabyte takes seconds to minutes, not hours.

`scale` is the number of sale orders; the other business tables are proportional to it.
`SCALE_PER_MB` is how many sale orders make roughly one megabyte of database (tables and
indexes), measured on PostgreSQL 15.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

import psycopg
from psycopg import sql

SCALE_PER_MB = 755
"""Sale orders per megabyte of `pg_database_size`, measured on PostgreSQL 15 (see the module)."""

_SCHEMA = """
CREATE TABLE ir_module_module (
    id serial PRIMARY KEY,
    name varchar NOT NULL UNIQUE,
    state varchar(16) NOT NULL DEFAULT 'uninstalled',
    latest_version varchar,
    create_date timestamp DEFAULT (now() AT TIME ZONE 'UTC'),
    write_date timestamp DEFAULT (now() AT TIME ZONE 'UTC')
);
CREATE TABLE ir_model_data (
    id serial PRIMARY KEY,
    module varchar NOT NULL,
    name varchar NOT NULL,
    model varchar NOT NULL,
    res_id integer,
    noupdate boolean DEFAULT false,
    CONSTRAINT ir_model_data_name_nospaces CHECK (name NOT LIKE '% %'),
    UNIQUE (module, name)
);
CREATE TABLE ir_config_parameter (
    id serial PRIMARY KEY,
    key varchar NOT NULL,
    value text NOT NULL,
    create_date timestamp DEFAULT (now() AT TIME ZONE 'UTC'),
    write_date timestamp DEFAULT (now() AT TIME ZONE 'UTC'),
    CONSTRAINT ir_config_parameter_key_uniq UNIQUE (key)
);
CREATE TABLE ir_cron (
    id serial PRIMARY KEY,
    cron_name varchar NOT NULL,
    active boolean DEFAULT true,
    interval_number integer DEFAULT 1,
    interval_type varchar DEFAULT 'days',
    nextcall timestamp NOT NULL,
    create_date timestamp DEFAULT (now() AT TIME ZONE 'UTC'),
    write_date timestamp DEFAULT (now() AT TIME ZONE 'UTC')
);
CREATE TABLE ir_mail_server (
    id serial PRIMARY KEY,
    name varchar NOT NULL,
    smtp_host varchar,
    smtp_port integer DEFAULT 25,
    smtp_encryption varchar NOT NULL DEFAULT 'none',
    smtp_authentication varchar DEFAULT 'login',
    smtp_user varchar,
    smtp_pass varchar,
    sequence integer DEFAULT 10,
    active boolean DEFAULT true,
    create_date timestamp DEFAULT (now() AT TIME ZONE 'UTC'),
    write_date timestamp DEFAULT (now() AT TIME ZONE 'UTC')
);
CREATE TABLE ir_act_server (
    id serial PRIMARY KEY,
    name varchar NOT NULL,
    state varchar NOT NULL DEFAULT 'code',
    webhook_url varchar
);
CREATE TABLE mail_template (
    id serial PRIMARY KEY,
    name varchar NOT NULL,
    mail_server_id integer REFERENCES ir_mail_server(id) ON DELETE SET NULL
);
CREATE TABLE res_partner (
    id serial PRIMARY KEY,
    name varchar NOT NULL,
    email varchar,
    phone varchar,
    street varchar,
    city varchar,
    zip varchar,
    country_code char(2),
    is_company boolean DEFAULT false,
    active boolean DEFAULT true,
    credit_limit numeric(16, 2) DEFAULT 0,
    create_date timestamp,
    write_date timestamp
);
CREATE INDEX res_partner_email_idx ON res_partner (email);
CREATE TABLE res_users (
    id serial PRIMARY KEY,
    login varchar NOT NULL UNIQUE,
    partner_id integer NOT NULL REFERENCES res_partner(id),
    password varchar,
    active boolean DEFAULT true,
    share boolean DEFAULT false,
    create_date timestamp,
    write_date timestamp
);
CREATE TABLE ir_attachment (
    id serial PRIMARY KEY,
    name varchar NOT NULL,
    res_model varchar,
    res_id integer,
    type varchar NOT NULL DEFAULT 'binary',
    store_fname varchar,
    checksum varchar(40),
    file_size integer,
    mimetype varchar,
    db_datas bytea,
    create_date timestamp,
    write_date timestamp
);
CREATE INDEX ir_attachment_res_idx ON ir_attachment (res_model, res_id);
CREATE TABLE stock_picking (
    id serial PRIMARY KEY,
    name varchar NOT NULL,
    partner_id integer REFERENCES res_partner(id),
    state varchar NOT NULL,
    origin varchar,
    scheduled_date timestamp NOT NULL,
    create_date timestamp,
    write_date timestamp
);
CREATE INDEX stock_picking_partner_idx ON stock_picking (partner_id);
CREATE TABLE stock_move (
    id serial PRIMARY KEY,
    picking_id integer REFERENCES stock_picking(id) ON DELETE CASCADE,
    name varchar NOT NULL,
    product_id integer NOT NULL,
    product_qty numeric(16, 3) NOT NULL,
    state varchar NOT NULL,
    location_id integer,
    location_dest_id integer,
    create_date timestamp,
    write_date timestamp
);
CREATE INDEX stock_move_picking_idx ON stock_move (picking_id);
CREATE TABLE sale_order (
    id serial PRIMARY KEY,
    name varchar NOT NULL UNIQUE,
    partner_id integer NOT NULL REFERENCES res_partner(id),
    state varchar NOT NULL,
    date_order timestamp NOT NULL,
    amount_total numeric(16, 2),
    amount_tax double precision,
    note text,
    create_date timestamp,
    write_date timestamp
);
CREATE INDEX sale_order_partner_idx ON sale_order (partner_id);
CREATE TABLE mail_message (
    id serial PRIMARY KEY,
    model varchar,
    res_id integer,
    body text,
    message_type varchar NOT NULL DEFAULT 'comment',
    author_id integer REFERENCES res_partner(id),
    create_date timestamp,
    write_date timestamp
);
CREATE INDEX mail_message_res_idx ON mail_message (model, res_id);
CREATE VIEW sale_order_report AS
    SELECT partner_id, count(*) AS orders, sum(amount_total) AS total
    FROM sale_order GROUP BY partner_id;
"""

_BASE_ROWS = """
INSERT INTO ir_module_module (name, state, latest_version) VALUES
    ('base', 'installed', '17.0.1.3'), ('web', 'installed', '17.0.1.0'),
    ('mail', 'installed', '17.0.1.15'), ('stock', 'installed', '17.0.1.1'),
    ('sale', 'installed', '17.0.1.2'), ('delivery', 'installed', '17.0.1.0'),
    ('fleet', 'uninstalled', NULL), ('website', 'uninstallable', NULL);
INSERT INTO ir_config_parameter (key, value) VALUES
    ('database.uuid', gen_random_uuid()::text),
    ('database.secret', md5(random()::text) || md5(random()::text)),
    ('database.create_date', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')),
    ('web.base.url', 'https://erp.example.com'),
    ('mail.catchall.domain', 'example.com');
INSERT INTO ir_cron (cron_name, active, nextcall) VALUES
    ('Base: Auto-vacuum internal data', true, now() AT TIME ZONE 'UTC'),
    ('Mail: Email Queue Manager', true, now() AT TIME ZONE 'UTC'),
    ('Stock: Scheduler', true, now() AT TIME ZONE 'UTC'),
    ('Sale: Send reminders', true, now() AT TIME ZONE 'UTC'),
    ('Delivery: Sync carrier statuses', false, now() AT TIME ZONE 'UTC');
INSERT INTO ir_mail_server (name, smtp_host, smtp_port, smtp_encryption, smtp_user) VALUES
    ('Customer mail', 'smtp.example.com', 587, 'starttls', 'odoo@example.com'),
    ('Bulk mail', 'bulk.example.com', 465, 'ssl', 'news@example.com');
INSERT INTO ir_act_server (name, state, webhook_url) VALUES
    ('Notify carrier', 'webhook', 'https://carrier.example.com/hook'),
    ('Recompute totals', 'code', NULL);
INSERT INTO mail_template (name, mail_server_id) VALUES
    ('Order confirmation', 1), ('Delivery notice', 1), ('Newsletter', 2);
INSERT INTO res_partner (name, email, is_company, create_date, write_date) VALUES
    ('My Company', 'info@example.com', true, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'),
    ('Administrator', 'admin@example.com', false, now() AT TIME ZONE 'UTC',
     now() AT TIME ZONE 'UTC'),
    ('Public user', NULL, false, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC');
INSERT INTO res_users (id, login, partner_id, password, share, create_date, write_date) VALUES
    (1, '__system__', 1, NULL, false, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'),
    (2, 'admin', 2, '$pbkdf2-sha512$600000$sample', false, now() AT TIME ZONE 'UTC',
     now() AT TIME ZONE 'UTC'),
    (3, 'public', 3, NULL, true, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC');
SELECT setval('res_users_id_seq', 3);
INSERT INTO ir_model_data (module, name, model, res_id, noupdate) VALUES
    ('base', 'user_root', 'res.users', 1, true),
    ('base', 'user_admin', 'res.users', 2, true),
    ('base', 'public_user', 'res.users', 3, true),
    ('base', 'autovacuum_job', 'ir.cron', 1, true),
    ('mail', 'ir_cron_mail_scheduler_action', 'ir.cron', 2, true),
    ('stock', 'ir_cron_scheduler_action', 'ir.cron', 3, true);
"""

# Business rows, scaled; %(n)s is the number of sale orders.
_BULK_ROWS = (
    """
INSERT INTO res_partner (name, email, phone, street, city, zip, country_code, is_company,
                         credit_limit, create_date, write_date)
SELECT 'Customer ' || g, 'customer' || g || '@example.com', '+46 8 ' || lpad(g::text, 7, '0'),
       g || ' Harbour Road', (ARRAY['Riga', 'Oslo', 'Tallinn', 'Gdansk', 'Turku'])[1 + g %% 5],
       lpad((g %% 99999)::text, 5, '0'), (ARRAY['LV', 'NO', 'EE', 'PL', 'FI'])[1 + g %% 5],
       g %% 7 = 0, (g %% 500) * 100.0,
       (now() AT TIME ZONE 'UTC') - make_interval(secs => g * 13),
       (now() AT TIME ZONE 'UTC') - make_interval(secs => g * 7)
FROM generate_series(1, greatest(%(n)s / 10, 10)) AS g
""",
    """
INSERT INTO sale_order (name, partner_id, state, date_order, amount_total, amount_tax, note,
                        create_date, write_date)
SELECT 'S' || lpad(g::text, 8, '0'), 4 + g %% greatest(%(n)s / 10, 10),
       (ARRAY['draft', 'sent', 'sale', 'done', 'cancel'])[1 + g %% 5],
       (now() AT TIME ZONE 'UTC') - make_interval(secs => g * 3),
       round((g %% 10007) * 1.37, 2), (g %% 997) / 8.0,
       'Deliver to dock ' || (g %% 40) || ', call ahead. Reference ' || md5(g::text),
       (now() AT TIME ZONE 'UTC') - make_interval(secs => g * 3),
       (now() AT TIME ZONE 'UTC') - make_interval(secs => g * 2)
FROM generate_series(1, %(n)s) AS g
""",
    """
INSERT INTO stock_picking (name, partner_id, state, origin, scheduled_date, create_date,
                           write_date)
SELECT 'WH/OUT/' || lpad(g::text, 8, '0'), 4 + g %% greatest(%(n)s / 10, 10),
       (ARRAY['draft', 'waiting', 'assigned', 'done', 'cancel'])[1 + g %% 5],
       'S' || lpad(g::text, 8, '0'), (now() AT TIME ZONE 'UTC') + make_interval(hours => g %% 72),
       (now() AT TIME ZONE 'UTC') - make_interval(secs => g * 3),
       (now() AT TIME ZONE 'UTC') - make_interval(secs => g)
FROM generate_series(1, %(n)s) AS g
""",
    """
INSERT INTO stock_move (picking_id, name, product_id, product_qty, state, location_id,
                        location_dest_id, create_date, write_date)
SELECT 1 + g %% %(n)s, 'Product ' || (g %% 5000), 1 + g %% 5000, (g %% 97) + 0.5,
       (ARRAY['draft', 'confirmed', 'assigned', 'done', 'cancel'])[1 + g %% 5], 8, 9,
       (now() AT TIME ZONE 'UTC') - make_interval(secs => g),
       (now() AT TIME ZONE 'UTC') - make_interval(secs => g)
FROM generate_series(1, %(n)s * 3) AS g
""",
    """
INSERT INTO mail_message (model, res_id, body, message_type, author_id, create_date, write_date)
SELECT 'sale.order', 1 + g %% %(n)s,
       '<p>Order update ' || g || ': ' || repeat(md5(g::text), 2) || '</p>',
       (ARRAY['comment', 'notification', 'email'])[1 + g %% 3], 2,
       (now() AT TIME ZONE 'UTC') - make_interval(secs => g * 2),
       (now() AT TIME ZONE 'UTC') - make_interval(secs => g * 2)
FROM generate_series(1, %(n)s * 2) AS g
""",
)

_ATTACHMENT_ROW = """
INSERT INTO ir_attachment (name, res_model, res_id, type, store_fname, checksum, file_size,
                           mimetype, create_date, write_date)
VALUES (%s, 'sale.order', %s, 'binary', %s, %s, %s, 'application/pdf',
        now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC')
"""


def attachment_content(number: int) -> bytes:
    """The content of sample attachment `number` (deterministic, a few hundred bytes)."""
    return (f"%PDF-1.4 sample delivery note {number}\n" * (5 + number % 20)).encode()


def write_filestore(root: Path, contents: Sequence[bytes]) -> list[tuple[str, str, int]]:
    """Store `contents` as Odoo does (`<sha1[:2]>/<sha1>`); (store_fname, sha1, size) each."""
    stored = []
    for content in contents:
        digest = hashlib.sha1(content, usedforsecurity=False).hexdigest()
        fname = f"{digest[:2]}/{digest}"
        target = root / fname
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        stored.append((fname, digest, len(content)))
    return stored


def populate(
    conninfo: str, *, scale: int = 1000, attachments: int = 20, filestore: Path | None = None
) -> None:
    """Create the sample schema and rows in the (empty) database at `conninfo`.

    With `filestore`, the attachments' files are written under it as Odoo's filestore lays
    them out (`<filestore>/<sha1[:2]>/<sha1>`).
    """
    with psycopg.connect(conninfo, autocommit=False) as connection:
        connection.execute(_SCHEMA)
        connection.execute(_BASE_ROWS)
        for statement in _BULK_ROWS:
            connection.execute(statement, {"n": max(scale, 1)})
        contents = [attachment_content(n) for n in range(attachments)]
        if filestore is not None:
            stored = write_filestore(filestore, contents)
        else:
            stored = [
                (
                    f"{d[:2]}/{d}",
                    d,
                    len(c),
                )
                for c in contents
                for d in [hashlib.sha1(c, usedforsecurity=False).hexdigest()]
            ]
        with connection.cursor() as cursor:
            cursor.executemany(
                _ATTACHMENT_ROW,
                [
                    (f"delivery-note-{n}.pdf", 1 + n, fname, digest, size)
                    for n, (fname, digest, size) in enumerate(stored)
                ],
            )
        connection.execute("ANALYZE")


def create_database(admin_conninfo: str, name: str) -> None:
    """CREATE DATABASE `name` through a maintenance connection (autocommit)."""
    with psycopg.connect(admin_conninfo, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(admin_conninfo: str, name: str) -> None:
    with psycopg.connect(admin_conninfo, autocommit=True) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def random_name(prefix: str) -> str:
    return f"{prefix}_{os.urandom(6).hex()}"
