#!/usr/bin/env bash
# Installs what the browser test (browser_test.go) needs: Debian's chromium
# and node, and this directory's npm packages (playwright-core, axe-core).
# Idempotent and quick when everything is there, so `make test` can call it
# every time. Run the test with OZG_REQUIRE_BROWSER=1 to make a missing
# piece a failure instead of a skip.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"

apt_updated=
apt_install() {
	local sudo=
	if [[ $(id -u) -ne 0 ]]; then
		if ! command -v sudo >/dev/null; then
			echo "setup.sh: need root (or sudo) to install: $*" >&2
			return 1
		fi
		sudo=sudo
	fi
	if [[ -z $apt_updated ]]; then
		$sudo apt-get update -qq
		apt_updated=1
	fi
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@"
}

if ! command -v "${OZG_CHROMIUM:-chromium}" >/dev/null; then
	echo "setup.sh: installing chromium"
	apt_install chromium
fi

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	echo "setup.sh: installing node and npm"
	apt_install nodejs npm
fi

# playwright-core needs Node.js 20 or later (Debian 12's own nodejs is 18;
# the project's machines carry 20).
node_major=$(node -p 'process.versions.node.split(".")[0]')
if ((node_major < 20)); then
	echo "setup.sh: node $(node --version) is too old for playwright-core, need 20 or later" >&2
	exit 1
fi

# npm ci writes node_modules/.package-lock.json; a newer package-lock.json
# means the dependencies changed since.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
	echo "setup.sh: installing npm packages"
	# No package here needs an install script; playwright-core downloads no
	# browser (the test uses Debian's chromium).
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
fi
