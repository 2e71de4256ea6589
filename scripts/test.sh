#!/usr/bin/env bash
# Runs every test against real services: installs MariaDB, Redis and Prometheus from Debian's
# packages if missing, starts MariaDB on 127.0.0.1:3308 and Redis on 127.0.0.1:6381 with their
# data in .local/test, runs `dotnet test` on the solution (extra arguments are passed on), and
# stops what it started.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/services.sh

state=${DISPATCH_TEST_STATE:-.local/test}
db_port=${DISPATCH_TEST_DB_PORT:-3308}
redis_port=${DISPATCH_TEST_REDIS_PORT:-6381}

ensure_packages
start_mariadb "$state/mariadb" "$db_port"
start_redis "$state/redis" "$redis_port"
trap 'stop_services "$state/mariadb"; stop_services "$state/redis"' EXIT

# Each test run creates its own dispatch_test_* databases and drops them at the end.
db_password=$(secret_for "$state" db-password)
ensure_db_user "$state/mariadb" dispatch_test "$db_password" 'dispatch\_test\_%'
# The cluster tests' nodes and bridges connect as a user of their own, so that the test user can
# count their queries (information_schema.USER_STATISTICS, which needs PROCESS) apart from the
# other tests running in parallel.
ensure_db_user "$state/mariadb" dispatch_cluster "$db_password" 'dispatch\_test\_%'
mariadb_root "$state/mariadb" "GRANT PROCESS ON *.* TO 'dispatch_test'@'127.0.0.1'"
export DISPATCH_TEST_MYSQL="Server=127.0.0.1;Port=$db_port;User ID=dispatch_test;Password=$db_password"
export DISPATCH_TEST_MYSQL_CLUSTER="Server=127.0.0.1;Port=$db_port;User ID=dispatch_cluster;Password=$db_password"
export DISPATCH_TEST_REDIS="127.0.0.1:$redis_port"

# The JavaScript station client's and the k6 shim's dependencies, exactly as locked.
npm ci --prefix web --no-audit --no-fund --loglevel=error
npm ci --prefix loadtests/k6 --no-audit --no-fund --loglevel=error
npm run build --prefix web --silent

# One test project at a time (-m:1): the browser and cluster tests time deliveries, and the
# integration tests would otherwise share the two cores with them.
dotnet test Dispatch.sln -c Release -m:1 --logger "console;verbosity=normal" "$@"
