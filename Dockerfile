# syntax=docker/dockerfile:1
# Catalyst image: `docker build -t catalyst .`, then `docker run catalyst serve` (see docs/DEPLOY.md).

# --- build: compiles TypeScript and the better-sqlite3 native addon, then drops dev dependencies ---
FROM node:20-bookworm-slim AS build
# better-sqlite3 falls back to node-gyp when no prebuilt binary matches; that needs a toolchain,
# which stays in this stage and never reaches the runtime image.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# Manifests first: the dependency layer is reused until package*.json change.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
# .dockerignore keeps node_modules, .env, certs, data and the like out of this copy.
COPY . .
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# --- runtime: same Debian as the build, so the compiled addon links against the same glibc ---
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8000 \
    CATALYST_DATA_DIR=/var/lib/catalyst
WORKDIR /app
# Code is owned by root and only readable by the service user, so a compromised process cannot
# rewrite it; only the data directory is writable.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
RUN mkdir -p /var/lib/catalyst && chown node:node /var/lib/catalyst
USER node
VOLUME ["/var/lib/catalyst"]
EXPOSE 8000
# Liveness only: readiness (dependencies up) is the orchestrator's choice, see docker-compose.yml.
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8000) + '/health/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "bin/catalyst.js"]
CMD ["serve"]
