# Shared helpers for scripts/*.sh. Sourced, not run.
# pnpm is pinned in package.json ("packageManager"); on a machine without it we run it through npx.
PNPM_VERSION="$(node -p "require('./package.json').packageManager.split('@')[1]")"

pnpm_cmd() {
  if command -v pnpm >/dev/null 2>&1 && [ "$(pnpm --version 2>/dev/null)" = "$PNPM_VERSION" ]; then
    pnpm "$@"
  else
    npx -y "pnpm@${PNPM_VERSION}" "$@"
  fi
}

ensure_deps() {
  # A no-op in about a second when node_modules already matches the lockfile.
  echo "==> installing dependencies (pnpm ${PNPM_VERSION}, frozen lockfile)"
  pnpm_cmd install --frozen-lockfile --reporter=silent
}

build_all() {
  echo "==> building packages (tsc -b)"
  pnpm_cmd run -s build
}
