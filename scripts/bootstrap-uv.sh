# shellcheck shell=bash
# Sourced (not run) by scripts/install.sh and .ci/run: makes `uv` a command of the calling shell.
#
# A uv already on PATH is used as it is. Otherwise uv $TASKFLOW_UV_VERSION (the version CI and
# render.yaml use) goes into a private virtualenv under ~/.cache/taskflow, and only a link to its
# `uv` is put on PATH. `python3 -m pip install uv` is refused on a Debian or Ubuntu whose python3
# is the system's (PEP 668: "externally-managed-environment"), and forcing it would mix a tool
# into the packages apt manages; the virtualenv leaves the system Python untouched. Debian's
# python3 needs its python3-venv package for `python3 -m venv` (.ci/run installs it).
#
# When ~/.local/bin is on PATH (Debian's and Ubuntu's ~/.profile add it), the link goes there
# too, so later shells find uv without sourcing this file.

TASKFLOW_UV_VERSION="0.13.9"

taskflow_bootstrap_uv() {
  command -v uv >/dev/null 2>&1 && return 0

  local root="${XDG_CACHE_HOME:-$HOME/.cache}/taskflow/uv-$TASKFLOW_UV_VERSION"
  if [ ! -x "$root/venv/bin/uv" ]; then
    echo "uv not found: installing uv $TASKFLOW_UV_VERSION into a private virtualenv ($root/venv)" >&2
    if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
      echo "bootstrap-uv: python3 cannot make a virtualenv (Debian/Ubuntu: apt-get install python3-venv)" >&2
      return 1
    fi
    rm -rf "$root/venv"
    if ! python3 -m venv "$root/venv" ||
      ! "$root/venv/bin/python" -m pip install --quiet --disable-pip-version-check \
        "uv==$TASKFLOW_UV_VERSION"; then
      echo "bootstrap-uv: could not install uv $TASKFLOW_UV_VERSION into $root/venv" >&2
      return 1
    fi
  fi
  # Only uv and uvx on PATH: the virtualenv's own python and pip must not shadow the system's.
  mkdir -p "$root/bin"
  ln -sf "$root/venv/bin/uv" "$root/bin/uv"
  ln -sf "$root/venv/bin/uvx" "$root/bin/uvx"
  export PATH="$root/bin:$PATH"
  case ":$PATH:" in
    *":$HOME/.local/bin:"*)
      mkdir -p "$HOME/.local/bin" && ln -sf "$root/venv/bin/uv" "$HOME/.local/bin/uv"
      ;;
  esac
  uv --version >&2
}

taskflow_bootstrap_uv
