#!/bin/sh
# Generates TypeScript (messages and grpc-js service definitions) from proto/.
set -eu
cd "$(dirname "$0")/.."
rm -rf src/gen
mkdir -p src/gen
protoc \
  --plugin=protoc-gen-ts_proto=./node_modules/.bin/protoc-gen-ts_proto \
  --ts_proto_out=src/gen \
  --ts_proto_opt=outputServices=grpc-js,esModuleInterop=true,env=node,forceLong=number,useOptionals=none,oneof=unions,stringEnums=false \
  -I proto \
  $(find proto -name '*.proto' | sort)
node scripts/own-map-keys.mjs src/gen
