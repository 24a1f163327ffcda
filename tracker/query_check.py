"""The statement allow-list of ``tracker query`` (pure): parsed with sqlglot, never matched by regex.

Allowed: one ``SELECT`` (``UNION`` / ``INTERSECT`` / ``EXCEPT`` of them), ``WITH … SELECT``,
``VALUES``, ``TABLE name`` and ``EXPLAIN`` [``QUERY PLAN`` | ``VERBOSE``] of those. Refused
anywhere in the tree: data-modifying statements (also inside ``WITH``), ``SELECT … INTO``,
``FOR UPDATE`` / ``FOR SHARE`` locks, commands the parser does not know (``COPY``, ``LOCK``,
``CHECKPOINT``, ``NOTIFY``, ``DO``, ``SET``…), ``EXPLAIN ANALYZE`` (it runs the statement), and
functions that act on the server or read its files (:data:`REFUSED_FUNCTIONS`,
:data:`REFUSED_PREFIXES`). The tables in :data:`ADMIN_TABLES` (subscribers' addresses, deliveries,
pickled scheduler jobs) need ``--admin``.

The database still enforces read-only on its own (read-only SQLite file with an authorizer; a
Postgres read-only transaction under a role that may only read): the allow-list is the first line.
"""

from __future__ import annotations

import logging

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from tracker.errors import ReadOnlyQueryError, TrackerError

READ_ONLY = "tracker query is read-only"
NOTHING_CHANGED = "nothing was changed"
SEVERAL = "tracker query runs one statement at a time (several were given); nothing was run"

#: Tables whose rows are personal or internal: readable with ``--admin`` only.
ADMIN_TABLES = frozenset({"subscribers", "deliveries", "apscheduler_jobs"})

#: Functions that act (files, large objects, processes, settings, locks, notifications) or leak.
REFUSED_FUNCTIONS = frozenset(
    {
        # SQLite
        "load_extension",
        "fts3_tokenizer",
        "readfile",
        "writefile",
        "edit",
        "zipfile",
        "sqlar_compress",
        "sqlar_uncompress",
        # Postgres
        "set_config",
        "current_setting",
        "lo_import",
        "lo_export",
        "lo_from_bytea",
        "lo_put",
        "lo_unlink",
        "lo_create",
        "lo_creat",
        "lo_open",
        "lo_get",
        "loread",
        "lowrite",
        "lo_truncate",
        "nextval",
        "setval",
        "txid_current",
        "pg_current_xact_id",
        "query_to_xml",
        "query_to_xml_and_xmlschema",
        "query_to_xmlschema",
        "cursor_to_xml",
        "cursor_to_xmlschema",
        "table_to_xml",
        "table_to_xml_and_xmlschema",
        "schema_to_xml",
        "schema_to_xml_and_xmlschema",
        "database_to_xml",
        "database_to_xml_and_xmlschema",
        "pg_notify",
        "pg_sleep",
        "pg_sleep_for",
        "pg_sleep_until",
    }
)
REFUSED_PREFIXES = (
    "pg_read_",
    "pg_ls_",
    "pg_stat_file",
    "pg_file_",
    "pg_terminate_",
    "pg_cancel_",
    "pg_reload_",
    "pg_rotate_",
    "pg_switch_",
    "pg_create_",
    "pg_drop_",
    "pg_replication_",
    "pg_logical_",
    "pg_promote",
    "pg_advisory_",
    "pg_try_advisory_",
    "pg_stat_reset",
    "pg_backup_",
    "pg_log_",
    "pg_import_",
    "dblink",
    "lo_",
)
_ACTING = (
    exp.Insert,
    exp.Update,
    exp.Delete,
    exp.Merge,
    exp.Create,
    exp.Drop,
    exp.Alter,
    exp.TruncateTable,
    exp.Command,
    exp.Copy,
    exp.Into,
    exp.Lock,
    exp.Set,
    exp.Pragma,
    exp.Transaction,
    exp.Commit,
    exp.Rollback,
    exp.Use,
)
_ROOTS = (exp.Select, exp.SetOperation, exp.Values)
_EXPLAIN_WORDS = ("QUERY PLAN", "VERBOSE")


class ParseError(TrackerError):
    """The allow-list cannot read the statement (so it does not run)."""


def check_statement(sql: str, dialect: str, *, admin: bool = False) -> None:
    """Raise :class:`ReadOnlyQueryError` unless ``sql`` is one allowed read (module doc)."""
    text = sql.strip().rstrip(";").strip()
    tree = _parse_one(text, dialect)
    if isinstance(tree, exp.Command) and str(tree.this).upper() == "EXPLAIN":
        rest = str(tree.expression.this if isinstance(tree.expression, exp.Literal) else tree.expression or "")
        rest = rest.strip()
        for word in _EXPLAIN_WORDS:
            if rest.upper().startswith(word + " "):
                rest = rest[len(word) :].strip()
                break
        if rest[:1] == "(" or rest.upper().startswith(("ANALYZE", "ANALYSE")):
            _refuse("EXPLAIN ANALYZE runs the statement; EXPLAIN alone is allowed")
        check_statement(rest, dialect, admin=admin)
        return
    if not isinstance(tree, _ROOTS):
        if isinstance(tree, _ACTING):
            _refuse(_what(tree, dialect))
        word = text.split(None, 1)[0].upper() if text.split() else "this"
        _refuse(f"only SELECT, WITH … SELECT, VALUES and EXPLAIN are allowed, not {word}")
    for node in tree.walk():
        if isinstance(node, _ACTING):
            if dialect == "sqlite" and node.find_ancestor(exp.CTE) is not None:
                raise ParseError("the query cannot run: syntax error (SQLite has no data-modifying WITH)")
            _refuse(_what(node, dialect))
        if isinstance(node, exp.Func):
            name = _function_name(node)
            if name in REFUSED_FUNCTIONS or name.startswith(REFUSED_PREFIXES):
                _refuse(f"the function {name}() is not allowed")
        if isinstance(node, exp.Table) and not admin and node.name.lower() in ADMIN_TABLES:
            raise ReadOnlyQueryError(
                f"refused: {node.name} holds personal or internal data; add --admin to read it; {NOTHING_CHANGED}"
            )
    locks = tree.args.get("locks") if isinstance(tree, exp.Select) else None
    if locks:
        _refuse("SELECT … FOR UPDATE / FOR SHARE takes locks")


def _parse_one(text: str, dialect: str) -> exp.Expression:
    read = "postgres" if dialect == "postgresql" else dialect
    logger = logging.getLogger("sqlglot")
    level = logger.level
    logger.setLevel(logging.ERROR)  # "falling back to parsing as a Command" is our business, not the user's
    try:
        trees = [t for t in sqlglot.parse(text, read=read) if t is not None]
    except SqlglotError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ParseError(f"the query cannot run: tracker query could not read it ({first})") from exc
    finally:
        logger.setLevel(level)
    if len(trees) > 1:
        raise ReadOnlyQueryError(SEVERAL)
    if not trees:
        raise ParseError("no SQL given")
    return trees[0]


def _function_name(node: exp.Func) -> str:
    if isinstance(node, exp.Anonymous):
        return str(node.this).lower()
    return node.sql_name().lower()


def _what(node: exp.Expression, dialect: str) -> str:
    """What was refused, worded like the database would (``DELETE on models``)."""
    if isinstance(node, exp.Command):
        return f"{str(node.this).upper()} is not allowed"
    kind = {
        exp.Insert: "INSERT",
        exp.Update: "UPDATE",
        exp.Delete: "DELETE",
        exp.Merge: "MERGE",
        exp.TruncateTable: "TRUNCATE",
        exp.Into: "SELECT … INTO",
        exp.Lock: "SELECT … FOR UPDATE",
        exp.Pragma: "PRAGMA",
    }.get(type(node)) or node.key.upper().replace("_", " ")
    table = node.find(exp.Table)
    if dialect == "postgresql":
        return f"cannot execute {kind} in a read-only transaction"
    return f"{kind}" + (f" on {table.name}" if table is not None and table.name else "") + " is not allowed"


def _refuse(reason: str) -> None:
    raise ReadOnlyQueryError(f"refused: {READ_ONLY} ({reason}); {NOTHING_CHANGED}")
