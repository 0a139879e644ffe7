#!/bin/sh
# Initialise OpenBao for the compose deployment: an AppRole whose policy reads only the tenants'
# secret paths, with the role id and secret id Tollgate logs in with. Each comes from the file
# named by TOLLGATE_VAULT__ROLE_ID_FILE / TOLLGATE_VAULT__SECRET_ID_FILE (Docker secrets, the same
# files the Tollgate services read), else from TOLLGATE_VAULT__ROLE_ID / TOLLGATE_VAULT__SECRET_ID.
# Needs the `bao` CLI, BAO_ADDR and BAO_TOKEN (a token allowed to enable auth methods and write
# policies); waits up to BAO_WAIT_SECONDS (60) for OpenBao to answer, then gives up with a message.
set -eu

fail() {
    echo "vault-init: $*" >&2
    exit 1
}

# value NAME: the text of the file $NAME_FILE, else $NAME (NAME is one of this script's literals).
value() {
    eval "file=\${${1}_FILE:-} direct=\${${1}:-}"
    if [ -n "$file" ]; then
        [ -r "$file" ] || fail "cannot read ${1}_FILE ($file)"
        cat "$file"
    elif [ -n "$direct" ]; then
        printf '%s' "$direct"
    else
        fail "set ${1}_FILE (a file holding it) or ${1}"
    fi
}

command -v bao >/dev/null 2>&1 || fail "no 'bao' command on PATH (the OpenBao CLI; the openbao image has it)"
[ -n "${BAO_TOKEN:-}" ] || fail "BAO_TOKEN is not set (a token allowed to enable auth methods and write policies)"
export BAO_ADDR="${BAO_ADDR:-http://openbao:8200}"
role_id=$(value TOLLGATE_VAULT__ROLE_ID)
secret_id=$(value TOLLGATE_VAULT__SECRET_ID)
wait_seconds="${BAO_WAIT_SECONDS:-60}"

waited=0
until bao status >/dev/null 2>&1; do
    if [ "$waited" -ge "$wait_seconds" ]; then
        fail "OpenBao at $BAO_ADDR did not answer within ${wait_seconds}s: $(bao status 2>&1 | head -n 1)"
    fi
    sleep 1
    waited=$((waited + 1))
done

bao auth list | grep -q '^approle/' || bao auth enable approle
bao policy write tollgate - <<'POLICY'
path "secret/data/tollgate/tenants/*" { capabilities = ["read"] }
path "secret/metadata/tollgate/tenants/*" { capabilities = ["list", "read"] }
POLICY
bao write auth/approle/role/tollgate token_policies=tollgate token_ttl=1h token_max_ttl=24h
bao write auth/approle/role/tollgate/role-id role_id="$role_id"
bao write auth/approle/role/tollgate/custom-secret-id secret_id="$secret_id" >/dev/null
echo "AppRole 'tollgate' ready"
