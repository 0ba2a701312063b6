#!/usr/bin/env bash
# Sets up a fresh Debian machine for biomass, idempotently:
#   - Debian's GDAL (libgdal-dev) and a C++ toolchain when missing, so gdal-async links
#     against the system GDAL (never its bundled multi-hour build, see ../shared/FACTS.md);
#   - node modules, reinstalled only when package-lock.json, GDAL or Node changed;
#   - the CLI bundle in dist/cli, rebuilt only when src/ changed since the last build.
# Pass --test to also make sure the services and tools the test suite needs are present.
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

sudo_cmd=()
[ "$(id -u)" = 0 ] || sudo_cmd=(sudo)

apt_missing=()
command -v gdal-config >/dev/null 2>&1 || apt_missing+=(libgdal-dev)
command -v g++ >/dev/null 2>&1 || apt_missing+=(g++)
command -v make >/dev/null 2>&1 || apt_missing+=(make)
command -v python3 >/dev/null 2>&1 || apt_missing+=(python3)
# gdal_translate and gdal_rasterize: the peers the benchmarks measure against (bench/).
command -v gdal_translate >/dev/null 2>&1 || apt_missing+=(gdal-bin)
if [ "$want_test" = 1 ]; then
  installed_postgres=0
  command -v pg_ctlcluster >/dev/null 2>&1 || { apt_missing+=(postgresql); installed_postgres=1; }
  # The `biomass plan --report` browser test drives Debian's chromium through playwright-core
  # (playwright's own browser download is not reachable here).
  [ -x /usr/bin/chromium ] || apt_missing+=(chromium)
fi
if [ "${#apt_missing[@]}" -gt 0 ]; then
  echo "setup: installing Debian packages: ${apt_missing[*]}"
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${apt_missing[@]}" >/dev/null
fi

if [ "$want_test" = 1 ]; then
  # The PostGIS parcel-source test (test/parcels/postgis-source.test.ts) needs the extension
  # of the server's major version.
  pg_major=$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1)
  if [ -n "$pg_major" ] && [ ! -f "/usr/share/postgresql/$pg_major/extension/postgis.control" ]; then
    echo "setup: installing Debian package: postgresql-$pg_major-postgis-3"
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "postgresql-$pg_major-postgis-3" >/dev/null
  fi
fi

stamp=node_modules/.biomass-setup
want="$(sha256sum package-lock.json | cut -d' ' -f1) gdal-$(gdal-config --version) node-$(node --version)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: installing node modules (gdal-async is built against GDAL $(gdal-config --version), ~3 min the first time)"
  npm_config_build_from_source=gdal-async npm_config_shared_gdal=true \
    npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi

# bin/biomass.js runs dist/cli; without a fresh build it falls back to the slower sources.
node scripts/build.js --if-stale

if [ "$want_test" = 1 ]; then
  # PostgreSQL: the test suite talks to a real server on 127.0.0.1:5432.
  if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
    version=$(ls /etc/postgresql 2>/dev/null | sort -n | tail -1)
    if [ -z "$version" ]; then
      echo "setup: PostgreSQL is installed but has no cluster; create one with pg_createcluster" >&2
      exit 1
    fi
    echo "setup: starting PostgreSQL $version"
    "${sudo_cmd[@]}" pg_ctlcluster --skip-systemctl-redirect "$version" main start
    for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
  fi
  # A cluster this script just installed asks for passwords on 127.0.0.1; the tests connect as
  # postgres without one (BIOMASS_TEST_DATABASE_URL), as on the machines CI runs on. Only a
  # cluster installed here is changed.
  if [ "${installed_postgres:-0}" = 1 ]; then
    version=$(ls /etc/postgresql | sort -n | tail -1)
    hba=/etc/postgresql/$version/main/pg_hba.conf
    if ! grep -q '^host all all 127.0.0.1/32 trust' "$hba"; then
      echo "setup: letting local test connections in without a password ($hba)"
      "${sudo_cmd[@]}" sed -i '1i host all all 127.0.0.1/32 trust' "$hba"
      "${sudo_cmd[@]}" pg_ctlcluster --skip-systemctl-redirect "$version" main reload
    fi
  fi
fi
