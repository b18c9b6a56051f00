#!/usr/bin/env bash
# Create the project's virtualenv with Python 3.10 and install the pinned stack.
# Usage: make-venv.sh [VENV [REQUIREMENTS [CONSTRAINTS]]] (the portal's: .venv-portal requirements-portal.txt)
set -euo pipefail
exec 1>&2  # progress goes to stderr: commands such as `make -s token` print only their result
venv=${1:-.venv}
requirements=${2:-requirements.txt}
constraints=${3:-constraints.txt}
want=$(cat .python-version 2>/dev/null || echo 3.10)

find_python() {
  local c
  if command -v pyenv >/dev/null 2>&1; then
    c=$(pyenv root)/versions
    for v in $(ls -1 "$c" 2>/dev/null | grep -E "^${want//./\\.}(\.[0-9]+)?$" | sort -V -r); do
      [ -x "$c/$v/bin/python" ] && { echo "$c/$v/bin/python"; return; }
    done
  fi
  for c in "python$want" python3; do
    if command -v "$c" >/dev/null 2>&1 && "$c" -c "import sys; sys.exit(0 if sys.version.startswith('$want.') else 1)"; then
      command -v "$c"; return
    fi
  done
}

py=$(find_python || true)
if [ -z "$py" ]; then
  echo "Python $want est introuvable (Rasa 3.6 refuse 3.11 et plus)." >&2
  echo "Installez-le (par exemple 'pyenv install $want') puis relancez." >&2
  exit 1
fi
echo "==> Environnement Python $want ($py) dans $venv"
[ -x "$venv/bin/python" ] || "$py" -m venv "$venv"
"$venv/bin/python" -m pip install -q "pip<25" "wheel==0.45.1"
echo "==> Installation des dépendances épinglées (1 à 3 minutes la première fois)"
"$venv/bin/python" -m pip install -q -r "$requirements" -c "$constraints"
"$venv/bin/python" -m pip check
