# Sourced by demo.sh and test.sh: sets UV to a working uv, installing it with pip if needed.
# A fresh machine has python3 + pip and nothing else; uv then brings the pinned environment.
ensure_uv() {
  if command -v uv >/dev/null 2>&1; then
    UV=(uv)
    return
  fi
  if ! python3 -m uv --version >/dev/null 2>&1; then
    echo "==> uv not found; installing it with pip"
    python3 -m pip install --quiet uv \
      || python3 -m pip install --quiet --user uv \
      || python3 -m pip install --quiet --break-system-packages uv
  fi
  UV=(python3 -m uv)
}
