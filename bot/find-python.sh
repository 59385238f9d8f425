#!/usr/bin/env bash
# Prints the path of a working Python interpreter of version $1 (e.g. 3.10), or explains what
# it looked for and exits 1. Looks on the PATH first, then in pyenv's versions.
set -u
want="$1"
candidates=("python$want")
if command -v pyenv >/dev/null 2>&1; then
  for p in "$(pyenv root)"/versions/"$want"*/bin/python; do candidates+=("$p"); done
fi
for p in "$HOME"/.pyenv/versions/"$want"*/bin/python /usr/local/bin/python"$want" /usr/bin/python"$want"; do
  candidates+=("$p")
done
for c in "${candidates[@]}"; do
  if command -v "$c" >/dev/null 2>&1 && "$c" -c "import sys; sys.exit(0 if '%d.%d' % sys.version_info[:2] == '$want' else 1)" 2>/dev/null; then
    command -v "$c"
    exit 0
  fi
done
echo "No working Python $want found. Looked for: python$want on the PATH and \$(pyenv root)/versions/$want*/bin/python." >&2
echo "Install Python $want (for example 'pyenv install $want') and run make again." >&2
exit 1
