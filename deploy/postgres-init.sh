#!/bin/sh
# Runs once when the PostgreSQL volume is created: the application role that neither owns the tables nor
# bypasses row-level security. Migrations (run as the owner) grant it table rights.
set -e
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<SQL
CREATE ROLE ${APP_DB_USER} LOGIN PASSWORD '${APP_DB_PASSWORD}' NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
SQL
