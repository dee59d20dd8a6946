"""desk roles: PostgreSQL group roles with the least grants each needs

On PostgreSQL the database itself refuses what a desk role may not write: the group roles
``deskui_operator``, ``deskui_agent``, ``deskui_lead`` and ``deskui_admin`` get exactly the
privileges their use cases need on this database, and four SECURITY DEFINER functions let an
admin manage the desk's login roles without holding CREATEROLE. On SQLite it does nothing.

Roles are cluster-wide: another desk database on the same cluster may already have made the
group roles (or be making them right now), so creating them tolerates that; every grant is made
in this database only. Login is not granted to the group roles: CONNECT on this database is
revoked from PUBLIC and granted to each login role the functions create, so a member of
``deskui_agent`` made for another desk on the cluster cannot connect to this one.

The installing role (who runs ``deskui db upgrade``) must own the database and hold CREATEROLE
(or be a superuser): it owns the functions, which act with its rights.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 19:00:00.000000
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import text

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

OPERATOR, AGENT, LEAD, ADMIN = "deskui_operator", "deskui_agent", "deskui_lead", "deskui_admin"
GROUPS = (OPERATOR, AGENT, LEAD, ADMIN)
EVERYONE = GROUPS

#: What the console reads: every desk table, for every role.
READ = (
    "support_group",
    "desk_user",
    "user_group",
    "requester",
    "ticket",
    "ticket_event",
    "ticket_sequence",
    "desk_setting",
    "setting_event",
    "alembic_version",
)
#: Table → (privileges, roles) written beyond reading. Every role logs calls (intake adds new
#: callers to the directory and numbers the ticket with an upsert on the day's sequence) and
#: works tickets (a change locks the row with FOR UPDATE, which needs UPDATE). Events are only
#: ever appended. Users, groups and the rules are the admin's.
WRITE: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("requester", "INSERT", EVERYONE),
    ("ticket", "INSERT, UPDATE", EVERYONE),
    ("ticket_event", "INSERT", EVERYONE),
    ("ticket_sequence", "INSERT, UPDATE", EVERYONE),
    ("support_group", "INSERT, UPDATE", (ADMIN,)),
    ("desk_user", "INSERT, UPDATE", (ADMIN,)),
    ("user_group", "INSERT, DELETE", (ADMIN,)),
    ("desk_setting", "INSERT, UPDATE", (ADMIN,)),
    ("setting_event", "INSERT", (ADMIN,)),
)
#: (table, id column) whose sequence an INSERT draws on → who inserts there.
SEQUENCES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("requester", EVERYONE),
    ("ticket", EVERYONE),
    ("ticket_event", EVERYONE),
    ("support_group", (ADMIN,)),
    ("desk_user", (ADMIN,)),
    ("setting_event", (ADMIN,)),
)

_ROLE_NAME = r"^[a-z][a-z0-9_.-]{0,62}$"
_SCRAM = r"^SCRAM-SHA-256\$[0-9]+:[A-Za-z0-9+/]+=*\$[A-Za-z0-9+/]+=*:[A-Za-z0-9+/]+=*$"
_GROUP_ARRAY = "ARRAY[" + ", ".join(f"'{g}'" for g in GROUPS) + "]::text[]"

#: (signature, granted to deskui_admin)
FUNCTIONS = (
    ("deskui_desk_login_role(text)", False),
    ("deskui_create_login_role(text, text)", True),
    ("deskui_set_group_role(text, text)", True),
    ("deskui_set_login(text, boolean)", True),
    ("deskui_set_password(text, text)", True),
)


def _q(name: str) -> str:
    return op.get_bind().dialect.identifier_preparer.quote(name)


def _groups() -> str:
    return ", ".join(GROUPS)


_CREATE_GROUPS = f"""
DO $$
DECLARE
    g text;
BEGIN
    FOREACH g IN ARRAY {_GROUP_ARRAY} LOOP
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = g) THEN
            BEGIN
                EXECUTE format('CREATE ROLE %I NOLOGIN', g);
            EXCEPTION
                -- another desk database on this cluster made it meanwhile
                WHEN duplicate_object OR unique_violation THEN NULL;
                WHEN insufficient_privilege THEN
                    RAISE EXCEPTION 'deskui: % cannot create the group role %', current_user, g
                        USING ERRCODE = 'insufficient_privilege',
                        HINT = 'run deskui db upgrade as a role with CREATEROLE, or have a '
                            'superuser run: CREATE ROLE ' || g || ' NOLOGIN';
            END;
        END IF;
        IF EXISTS (
            SELECT FROM pg_catalog.pg_roles WHERE rolname = g
            AND (rolcanlogin OR rolsuper OR rolcreaterole OR rolcreatedb OR rolreplication
                 OR rolbypassrls)
        ) THEN
            RAISE EXCEPTION 'deskui: the group role % exists with LOGIN or other powers', g
                USING ERRCODE = 'insufficient_privilege',
                HINT = 'ALTER ROLE ' || g || ' NOLOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB '
                    'NOREPLICATION NOBYPASSRLS';
        END IF;
    END LOOP;
END
$$
"""

_OWNER_CHECK = """
DO $$
BEGIN
    IF NOT pg_catalog.pg_has_role(
        current_user,
        (SELECT datdba FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database()),
        'USAGE'
    ) THEN
        RAISE EXCEPTION 'deskui: % does not own the database %', current_user,
            pg_catalog.current_database()
            USING ERRCODE = 'insufficient_privilege',
            HINT = 'run deskui db upgrade as the database''s owner (CREATE DATABASE ... OWNER ...)';
    END IF;
END
$$
"""

# Refuses (raises) unless the role is a login role this desk manages; returns its oid. Run as the
# functions' owner (they call it), never granted to anyone.
_DESK_LOGIN_ROLE = f"""
CREATE OR REPLACE FUNCTION {{schema}}.deskui_desk_login_role(role_name text) RETURNS oid
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r pg_catalog.pg_roles%ROWTYPE;
    groups text[] := {_GROUP_ARRAY};
BEGIN
    SELECT * INTO r FROM pg_catalog.pg_roles WHERE rolname = role_name;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'deskui: no role %', role_name USING ERRCODE = 'undefined_object';
    END IF;
    IF role_name = ANY (groups)
        OR role_name LIKE 'pg\\_%'
        OR r.rolsuper OR r.rolcreaterole OR r.rolcreatedb OR r.rolreplication OR r.rolbypassrls
        -- the installation's owner, the database's owner, or anyone acting with their rights
        OR pg_has_role(r.oid, current_user, 'MEMBER')
        OR pg_has_role(
            r.oid,
            (SELECT datdba FROM pg_database WHERE datname = current_database()),
            'MEMBER'
        )
        -- a role others act through
        OR EXISTS (SELECT FROM pg_auth_members WHERE roleid = r.oid)
        -- a member of anything but the desk's groups
        OR EXISTS (
            SELECT FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
            WHERE m.member = r.oid AND NOT g.rolname = ANY (groups)
        )
        -- in none of them
        OR NOT EXISTS (
            SELECT FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
            WHERE m.member = r.oid AND g.rolname = ANY (groups)
        )
        -- not this desk's: its login roles, and nobody else, hold CONNECT here by name
        OR NOT EXISTS (
            SELECT FROM pg_database d, aclexplode(d.datacl) a
            WHERE d.datname = current_database() AND a.grantee = r.oid
            AND a.privilege_type = 'CONNECT'
        )
    THEN
        RAISE EXCEPTION 'deskui: % is not a login role of this desk', role_name
            USING ERRCODE = 'DK001';
    END IF;
    RETURN r.oid;
END
$$
"""

_CREATE_LOGIN_ROLE = f"""
CREATE OR REPLACE FUNCTION {{schema}}.deskui_create_login_role(role_name text, group_role text)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF role_name IS NULL OR role_name !~ '{_ROLE_NAME}' OR octet_length(role_name) > 63
        OR role_name LIKE 'pg\\_%' OR role_name = ANY ({_GROUP_ARRAY})
    THEN
        RAISE EXCEPTION 'deskui: % is not a role name a desk user may have', role_name
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF group_role IS NULL OR NOT group_role = ANY ({_GROUP_ARRAY}) THEN
        RAISE EXCEPTION 'deskui: % is not a desk group role', group_role
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    EXECUTE format(
        'CREATE ROLE %I LOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION '
        'NOBYPASSRLS',
        role_name
    );
    EXECUTE format('GRANT %I TO %I', group_role, role_name);
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), role_name);
END
$$
"""

_SET_GROUP_ROLE = f"""
CREATE OR REPLACE FUNCTION {{schema}}.deskui_set_group_role(role_name text, group_role text)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    g text;
    target oid;
BEGIN
    IF group_role IS NULL OR NOT group_role = ANY ({_GROUP_ARRAY}) THEN
        RAISE EXCEPTION 'deskui: % is not a desk group role', group_role
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    target := {{schema}}.deskui_desk_login_role(role_name);
    IF NOT EXISTS (
        SELECT FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid
        WHERE m.member = target AND r.rolname = group_role
    ) THEN
        EXECUTE format('GRANT %I TO %I', group_role, role_name);
    END IF;
    FOREACH g IN ARRAY {_GROUP_ARRAY} LOOP
        IF g <> group_role AND EXISTS (
            SELECT FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid
            WHERE m.member = target AND r.rolname = g
        ) THEN
            EXECUTE format('REVOKE %I FROM %I', g, role_name);
        END IF;
    END LOOP;
END
$$
"""

_SET_LOGIN = """
CREATE OR REPLACE FUNCTION {schema}.deskui_set_login(role_name text, enabled boolean)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF enabled IS NULL THEN
        RAISE EXCEPTION 'deskui: LOGIN or NOLOGIN?' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM {schema}.deskui_desk_login_role(role_name);
    EXECUTE format('ALTER ROLE %I ' || CASE WHEN enabled THEN 'LOGIN' ELSE 'NOLOGIN' END,
                   role_name);
END
$$
"""

# Only a SCRAM verifier computed by the client is accepted: the password itself never reaches
# the server, its logs or pg_stat_statements.
_SET_PASSWORD = f"""
CREATE OR REPLACE FUNCTION {{schema}}.deskui_set_password(role_name text, verifier text)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF verifier IS NULL OR verifier !~ '{_SCRAM}' THEN
        RAISE EXCEPTION 'deskui: a password is set from a SCRAM-SHA-256 verifier only'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM {{schema}}.deskui_desk_login_role(role_name);
    EXECUTE format('ALTER ROLE %I PASSWORD %L', role_name, verifier);
END
$$
"""


def upgrade() -> None:
    """Create the group roles (if missing), grant them this desk, install the functions."""
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    database, schema = bind.execute(text("SELECT current_database(), current_schema()")).one()
    db, sch = _q(database), _q(schema)
    op.execute(_OWNER_CHECK)
    op.execute(_CREATE_GROUPS)
    # nobody but the desk's own login roles connects; nobody makes temporary tables or objects
    # in the desk's schema
    op.execute(f"REVOKE ALL ON DATABASE {db} FROM PUBLIC")
    op.execute(f"REVOKE CREATE ON SCHEMA {sch} FROM PUBLIC")
    op.execute(f"GRANT USAGE ON SCHEMA {sch} TO {_groups()}")
    for table in READ:
        op.execute(f"GRANT SELECT ON {sch}.{_q(table)} TO {_groups()}")
    for table, privileges, roles in WRITE:
        op.execute(f"GRANT {privileges} ON {sch}.{_q(table)} TO {', '.join(roles)}")
    for table, roles in SEQUENCES:
        sequence = bind.execute(
            text("SELECT pg_get_serial_sequence(:table, 'id')"), {"table": f"{sch}.{_q(table)}"}
        ).scalar_one()
        op.execute(f"GRANT USAGE ON SEQUENCE {sequence} TO {', '.join(roles)}")
    for body in (_DESK_LOGIN_ROLE, _CREATE_LOGIN_ROLE, _SET_GROUP_ROLE, _SET_LOGIN, _SET_PASSWORD):
        op.execute(body.replace("{schema}", sch))
    for signature, for_admin in FUNCTIONS:
        op.execute(f"REVOKE ALL ON FUNCTION {sch}.{signature} FROM PUBLIC")
        if for_admin:
            op.execute(f"GRANT EXECUTE ON FUNCTION {sch}.{signature} TO {ADMIN}")


def downgrade() -> None:
    """Take this desk's grants back and drop the functions.

    The group roles stay: they are cluster-wide, other desks may use them, and dropping one
    would silently take it from every desk user who is a member.
    """
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    database, schema = bind.execute(text("SELECT current_database(), current_schema()")).one()
    db, sch = _q(database), _q(schema)
    for signature, _ in reversed(FUNCTIONS):
        op.execute(f"DROP FUNCTION IF EXISTS {sch}.{signature}")
    present = set(
        bind.execute(
            text("SELECT rolname FROM pg_roles WHERE rolname = ANY(:g)"), {"g": list(GROUPS)}
        )
        .scalars()
        .all()
    )
    roles = ", ".join(g for g in GROUPS if g in present)
    if roles:
        for table in READ:
            op.execute(f"REVOKE ALL ON {sch}.{_q(table)} FROM {roles}")
        for table, _ in SEQUENCES:
            sequence = bind.execute(
                text("SELECT pg_get_serial_sequence(:table, 'id')"),
                {"table": f"{sch}.{_q(table)}"},
            ).scalar_one()
            op.execute(f"REVOKE ALL ON SEQUENCE {sequence} FROM {roles}")
        op.execute(f"REVOKE ALL ON SCHEMA {sch} FROM {roles}")
    op.execute(f"GRANT CONNECT, TEMPORARY ON DATABASE {db} TO PUBLIC")
