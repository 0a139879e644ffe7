#!/bin/sh
# Initialise OpenBao for the compose deployment: an AppRole whose policy reads only the tenants'
# secret paths, with a fixed role id and secret id taken from the environment (demo only; real
# deployments deliver the secret id through their orchestrator).
set -eu
export BAO_ADDR="${BAO_ADDR:-http://openbao:8200}"
until bao status >/dev/null 2>&1; do sleep 1; done

bao auth list | grep -q '^approle/' || bao auth enable approle
bao policy write tollgate - <<'POLICY'
path "secret/data/tollgate/tenants/*" { capabilities = ["read"] }
path "secret/metadata/tollgate/tenants/*" { capabilities = ["list", "read"] }
POLICY
bao write auth/approle/role/tollgate token_policies=tollgate token_ttl=1h token_max_ttl=24h
bao write auth/approle/role/tollgate/role-id role_id="$TOLLGATE_VAULT__ROLE_ID"
bao write auth/approle/role/tollgate/custom-secret-id secret_id="$TOLLGATE_VAULT__SECRET_ID" >/dev/null
echo "AppRole 'tollgate' ready"
