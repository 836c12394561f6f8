#!/usr/bin/env bash
# Set everything up on a fresh Debian/Ubuntu machine (Python 3.11+), then run the app or the tests.
#   bash tools/dev.sh app [PATH]   set up, then open the annotator
#   bash tools/dev.sh test [ARGS]  set up, then run the whole test suite headless; without ARGS (as CI)
#                                  also build the wheel, install it into a fresh venv and start
#                                  both commands from there
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-app}"; shift || true

SUDO=""; [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null && SUDO="sudo"
apt_install() {  # install the Debian packages that are not there yet
    local missing=()
    for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "installing Debian packages: ${missing[*]}"
    $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

PY="${PYTHON:-python3}"
"$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11 or newer is needed (found $("$PY" --version))"; exit 1; }
if command -v dpkg >/dev/null; then
    # Qt's xcb platform plugin (a real window) needs these; offscreen needs none of them.
    qt_libs=(libxcb-cursor0 libxkbcommon-x11-0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-shape0 libegl1 libfontconfig1 libdbus-1-3)
    case "$what" in
        app)  apt_install "${qt_libs[@]}" || echo "warning: could not install Qt's X11 libraries" ;;
        # the real-window tests run under a private Xvfb with openbox
        test) apt_install "${qt_libs[@]}" xvfb openbox || echo "warning: could not install Xvfb, openbox and Qt's X11 libraries" ;;
    esac
    "$PY" -m venv --help >/dev/null 2>&1 && "$PY" -c 'import ensurepip' 2>/dev/null || apt_install python3-venv
fi
if [ ! -x .venv/bin/python ]; then "$PY" -m venv .venv; fi
stamp=.venv/.installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    .venv/bin/python -m pip install -q --upgrade pip
    # torch first, pinned: the release these machines keep on local disk (a CUDA build that also runs on the CPU)
    .venv/bin/python -m pip install -q "torch==2.14.1" "torchvision==0.29.1" || .venv/bin/python -m pip install -q torch torchvision
    .venv/bin/python -m pip install -q -e ".[test,onnx,sam]"
    touch "$stamp"
fi

wheel_check() {  # the wheel, installed into a fresh venv, starts the GUI and the CLI outside the tree
    local tmp; tmp="$(mktemp -d)"
    echo "building the wheel and installing it into a fresh venv in $tmp"
    rm -rf build  # setuptools' in-tree build folder: never let stale files into the wheel
    .venv/bin/python -m pip wheel . --no-deps -q -w "$tmp/dist"
    rm -rf build
    "$PY" -m venv "$tmp/venv"
    "$tmp/venv/bin/python" -m pip install -q "torch==2.14.1" "torchvision==0.29.1" \
        || "$tmp/venv/bin/python" -m pip install -q torch torchvision
    "$tmp/venv/bin/python" -m pip install -q "$tmp"/dist/segstudio-*.whl
    (cd "$tmp" && QT_QPA_PLATFORM=offscreen "$tmp/venv/bin/segstudio" --smoke-test \
        && "$tmp/venv/bin/segcore" --help >/dev/null)
    echo "the installed segstudio and segcore commands work"
    rm -rf "$tmp"
}

case "$what" in
    app)  exec .venv/bin/python main.py "$@" ;;
    test) export QT_QPA_PLATFORM=offscreen
          .venv/bin/python -m ruff check .
          if [ $# -gt 0 ]; then exec .venv/bin/python -m pytest "$@"; fi
          .venv/bin/python -m pytest
          wheel_check ;;
    *)    echo "usage: bash tools/dev.sh app|test"; exit 2 ;;
esac
