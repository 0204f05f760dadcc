#!/usr/bin/env bash
# Adds a migration for BOTH providers (PostgreSQL and SQLite), each in its own folder.
# Usage: scripts/add-migration.sh MigrationName
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:?usage: scripts/add-migration.sh MigrationName}
dotnet tool restore >/dev/null
project=src/EmailEngine
dotnet build "$project" -v q -nologo >/dev/null
for pair in "PostgresAppDbContext:Postgres" "SqliteAppDbContext:Sqlite"; do
  context=${pair%%:*}; folder=${pair##*:}
  dotnet ef migrations add "$name" --project "$project" --context "$context" \
    --output-dir "Data/Migrations/$folder" --namespace "EmailEngine.Data.Migrations.$folder" --no-build
done
