#!/usr/bin/env bash
# validate-sarif.sh [--warnings-as-errors] FILE.sarif...
#
# Validates SARIF logs twice:
#  1. with Microsoft's SARIF multitool (`validate`), the reference validator:
#     the SARIF 2.1.0 schema plus the spec's rules (SARIF1xxx errors,
#     SARIF2xxx warnings);
#  2. against the JSON schema that ships inside the multitool, with ajv,
#     because the multitool prints nothing at all for a log it cannot
#     deserialize (an unknown "level" value, say), which would pass as clean.
#
# The multitool exits 0 even when it reports errors, so its output is read.
# Exit status: 0 clean, 1 errors (or warnings with --warnings-as-errors),
# 2 usage or setup failure.
#
# Tools are installed with npm, pinned, into a cache folder on first use:
# $SARIF_VALIDATOR_CACHE, default ${XDG_CACHE_HOME:-~/.cache}/decouple/sarif-validator.
set -euo pipefail

readonly MULTITOOL_VERSION=5.7.0 AJV_VERSION=8.20.0 AJV_FORMATS_VERSION=3.0.1

strict=0
if [[ ${1:-} == --warnings-as-errors ]]; then
	strict=1
	shift
fi
if [[ $# -eq 0 || ${1:-} == -* ]]; then
	echo "usage: $0 [--warnings-as-errors] FILE.sarif..." >&2
	exit 2
fi
for f in "$@"; do
	[[ -f $f ]] || { echo "$0: $f: no such file" >&2; exit 2; }
done

command -v node >/dev/null && command -v npm >/dev/null || {
	echo "$0: node and npm are required" >&2
	exit 2
}

cache=${SARIF_VALIDATOR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/decouple/sarif-validator}/$MULTITOOL_VERSION
platform=$(node -p process.platform)
tooldir=$cache/node_modules/@microsoft/sarif-multitool-$platform
multitool=$tooldir/Sarif.Multitool
[[ $platform == win32 ]] && multitool+=.exe

if [[ ! -f $multitool || ! -d $cache/node_modules/ajv-formats ]]; then
	echo "installing the SARIF multitool $MULTITOOL_VERSION into $cache" >&2
	mkdir -p "$cache"
	npm install --prefix "$cache" --no-audit --no-fund --loglevel=error \
		"@microsoft/sarif-multitool@$MULTITOOL_VERSION" \
		"ajv@$AJV_VERSION" "ajv-formats@$AJV_FORMATS_VERSION" >&2 || {
		echo "$0: npm install failed" >&2
		exit 2
	}
fi
# The package's postinstall only makes the binary executable, and newer npm
# skips install scripts unless approved; do it here.
chmod u+x "$multitool"
# The multitool needs no culture data; this spares machines without ICU.
export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=${DOTNET_SYSTEM_GLOBALIZATION_INVARIANT:-1}

status=0

# 1. The multitool. It is run directly, not through npx, whose shim passes
# the arguments through a shell and so splits paths with spaces.
out=$("$multitool" validate --level "Error;Warning" "$@" 2>&1) || {
	echo "$out"
	echo "$0: the multitool failed" >&2
	exit 2
}
echo "$out"
errors=$(grep -cE ': error [A-Z]+[0-9]' <<<"$out" || true)
warnings=$(grep -cE ': warning [A-Z]+[0-9]' <<<"$out" || true)
echo "multitool: $errors error(s), $warnings warning(s)"
if ((errors > 0 || (strict && warnings > 0))); then
	status=1
fi

# 2. The JSON schema, with ajv. The schema is the one the multitool ships.
cat >"$cache/schema-check.js" <<'JS'
const fs = require('fs');
const Ajv2020 = require('ajv/dist/2020');
const addFormats = require('ajv-formats');
const [schemaFile, ...files] = process.argv.slice(2);
const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
const validate = ajv.compile(JSON.parse(fs.readFileSync(schemaFile, 'utf8')));
let errors = 0;
for (const file of files) {
  let log;
  try {
    log = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    console.log(`${file}: error SCHEMA0001: ${e.message}`);
    errors++;
    continue;
  }
  if (!validate(log)) {
    for (const e of validate.errors) {
      console.log(`${file}: error SCHEMA0002: ${e.instancePath || '/'} ${e.message}`);
      errors++;
    }
  }
}
console.log(`schema: ${errors} error(s)`);
process.exit(errors ? 1 : 0);
JS
node "$cache/schema-check.js" "$tooldir/sarif-2.1.0.json" "$@" || status=1

exit "$status"
