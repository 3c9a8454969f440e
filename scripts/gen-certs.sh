#!/usr/bin/env bash
# Makes a CA and one certificate per Berth component for mutual TLS between
# the services (BERTH_GRPC_TLS_CERT/KEY/CA) and for Redis over TLS.
#
#   scripts/gen-certs.sh OUT_DIR [NAME...]
#
# NAME defaults to: volume image container network gateway redis. For each
# NAME it writes OUT_DIR/NAME.pem and OUT_DIR/NAME-key.pem, usable both as a
# server and as a client certificate (serverAuth + clientAuth), with these
# subject alternative names: NAME, berth-NAME, berth-NAME.<namespace>.svc,
# berth-NAME.<namespace>.svc.cluster.local, localhost, 127.0.0.1 and ::1.
# The CA is OUT_DIR/ca.pem and OUT_DIR/ca-key.pem; an existing CA there is
# reused, so running the script again issues new certificates from the same
# CA (a rotation). Environment:
#   BERTH_CERT_NAMESPACE  Kubernetes namespace in the DNS names (default berth)
#   BERTH_CERT_DAYS       validity of the component certificates (default 365)
#   BERTH_CERT_CA_DAYS    validity of a new CA (default 3650)
#   BERTH_CERT_EXTRA_SANS more names, e.g. "DNS:node1.example.com,IP:10.0.0.5"
# Keys are written 0600. This is a dev CA: keep ca-key.pem off the nodes.
set -euo pipefail

if [ $# -lt 1 ]; then
  sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
out=$1
shift
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(volume image container network gateway redis)
ns=${BERTH_CERT_NAMESPACE:-berth}
days=${BERTH_CERT_DAYS:-365}
ca_days=${BERTH_CERT_CA_DAYS:-3650}

umask 077
mkdir -p "$out"
# Beside the output, so the renames below stay on one file system.
tmp=$(mktemp -d "$out/.gen-XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# P-256 keys: quick to make (the tests make several CAs) and accepted by
# Node, OpenSSL and Redis alike.
newkey() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

if [ ! -s "$out/ca.pem" ] || [ ! -s "$out/ca-key.pem" ]; then
  newkey "$out/ca-key.pem"
  openssl req -x509 -new -key "$out/ca-key.pem" -sha256 -days "$ca_days" \
    -subj "/CN=Berth dev CA $(date -u +%Y%m%dT%H%M%SZ)-$RANDOM" \
    -addext basicConstraints=critical,CA:TRUE \
    -addext keyUsage=critical,keyCertSign,cRLSign \
    -out "$out/ca.pem" 2>/dev/null
fi

for name in "${names[@]}"; do
  sans="DNS:$name,DNS:berth-$name,DNS:berth-$name.$ns.svc,DNS:berth-$name.$ns.svc.cluster.local,DNS:localhost,IP:127.0.0.1,IP:::1"
  [ -z "${BERTH_CERT_EXTRA_SANS:-}" ] || sans="$sans,$BERTH_CERT_EXTRA_SANS"
  newkey "$tmp/$name-key.pem"
  openssl req -new -key "$tmp/$name-key.pem" -subj "/CN=berth-$name" -out "$tmp/$name.csr" 2>/dev/null
  cat >"$tmp/$name.ext" <<EOF
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth,clientAuth
subjectAltName=$sans
EOF
  openssl x509 -req -in "$tmp/$name.csr" -CA "$out/ca.pem" -CAkey "$out/ca-key.pem" \
    -set_serial "0x$(openssl rand -hex 16)" -days "$days" -sha256 \
    -extfile "$tmp/$name.ext" -out "$tmp/$name.pem" 2>/dev/null
  # Key first, then certificate, each by rename: a reader sees an old or a
  # new file, never half of one (the services re-read them to rotate).
  mv -f "$tmp/$name-key.pem" "$out/$name-key.pem"
  mv -f "$tmp/$name.pem" "$out/$name.pem"
done
chmod 600 "$out"/*-key.pem
chmod 644 "$out/ca.pem"
for name in "${names[@]}"; do chmod 644 "$out/$name.pem"; done
echo "certificates in $out: ca.pem ${names[*]/%/.pem}"
