#!/bin/sh
# The containers' schema step (docker-compose's `temporal-schema`), the same as npm run cluster's: each database is
# created when missing, given the schema version table, and brought to this server's schema, all from the schema
# files the tool embeds. Every step is a no-op on an up-to-date database, so every boot may run it. The password
# comes from SQL_PASSWORD (the tool reads it), never the command line.
set -eu
tool() {
  db=$1
  shift
  temporal-sql-tool --ep "$TEMPORAL_DB_HOST" -p "${TEMPORAL_DB_PORT:-5432}" -u "$TEMPORAL_DB_USER" \
    --pl postgres12 --db "$db" "$@"
}
for pair in "${TEMPORAL_DB_NAME:-temporal_payments}:postgresql/v12/temporal" \
  "${TEMPORAL_VISIBILITY_DB_NAME:-temporal_payments_visibility}:postgresql/v12/visibility"; do
  db=${pair%%:*}
  tool "$db" create-database
  tool "$db" setup-schema -v 0.0
  tool "$db" update-schema --schema-name "${pair#*:}"
done
