# syntax=docker/dockerfile:1
# Two images from one file. `app` runs our processes (worker, API, sandbox gateway, set-up scripts): npm ci, the
# production dependencies only, the source the processes load, a non-root user. `temporal` is Temporal's own server
# v1.29.1 and its SQL schema tool, built with Go exactly as `npm run cluster` builds them, with the same config
# (cluster/temporal.yaml). Every base image is pinned to a version.

# --- dependencies, with the lock file's exact versions ---
FROM node:20.20.2-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: nothing here needs an install script at run time (tsx runs the TypeScript).
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# --- worker, API, gateway ---
FROM node:20.20.2-bookworm-slim AS app
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json worker.ts ./
COPY activities ./activities
COPY api ./api
COPY audit ./audit
COPY client ./client
COPY config ./config
COPY encryption ./encryption
COPY gateway-sandbox ./gateway-sandbox
COPY logging ./logging
COPY reconcile ./reconcile
COPY scripts ./scripts
COPY shared ./shared
COPY webhooks ./webhooks
COPY worker ./worker
COPY workflows ./workflows
USER node
CMD ["node_modules/.bin/tsx", "worker.ts"]

# --- Temporal server, built from source with the Go module proxy ---
FROM golang:1.26.8-bookworm AS temporal-build
RUN GOBIN=/out go install go.temporal.io/server/cmd/server@v1.29.1 go.temporal.io/server/cmd/tools/sql@v1.29.1

FROM debian:12.12-slim AS temporal
RUN groupadd --system temporal && useradd --system --gid temporal --home /etc/temporal temporal
COPY --from=temporal-build /out/server /usr/local/bin/temporal-server
COPY --from=temporal-build /out/sql /usr/local/bin/temporal-sql-tool
COPY cluster/temporal.yaml /etc/temporal/config/temporal.yaml
COPY cluster/dynamicconfig.yaml /etc/temporal/config/dynamicconfig.yaml
COPY cluster/setup-schema.sh /usr/local/bin/setup-schema
ENV TEMPORAL_DYNAMIC_CONFIG_FILE=/etc/temporal/config/dynamicconfig.yaml
USER temporal
WORKDIR /etc/temporal
CMD ["temporal-server", "--root", "/etc/temporal", "--config", "config", "--env", "temporal", "--allow-no-auth", "start"]
