# One image for every Custodian service; the compose file picks the entry point.
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY access-policy access-policy
COPY platform platform
COPY gateway gateway
COPY subgraphs subgraphs
COPY schema schema
COPY seed seed
COPY scripts scripts
COPY bench bench
# The bench's entry points (which can switch the audit and the rules off) never enter the image.
RUN npm run build && rm -rf dist/bench && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY --from=build /app/schema schema
# Registered operations per client (TRUSTED_DOCUMENTS_DIR); mount the agency's own over it.
COPY trusted-documents trusted-documents
# The sandbox explorer's page and script: served only in the sandbox, which a service starts only
# when asked for by name (CUSTODIAN_MODE=sandbox), and never beside NODE_ENV=production.
COPY --from=build /app/gateway/src/explorer/public gateway/src/explorer/public
# The auditor's console (/audit/), in production too.
COPY --from=build /app/gateway/src/audit-console/public gateway/src/audit-console/public
USER node
# Overridden per service in docker-compose.yml.
# The gateway's V8 flags: gateway/src/gateway-node-flags.ts says why.
CMD ["node", "--max-semi-space-size=32", "dist/gateway/src/main.js"]
