// Builds native/fs-native.c into dist/native/fs-native.node with the system C
// compiler and the N-API header that ships with Node: no node-gyp and no
// download, so it builds on a fresh machine without network (setup.sh
// installs gcc). The addon is the fs helper's way into the container's root
// (see the C file); container-service cannot serve docker cp safely without it.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const src = path.join(here, '..', 'native', 'fs-native.c');
const outDir = path.join(here, '..', 'dist', 'native');
const out = path.join(outDir, 'fs-native.node');

const prefix = process.config.variables.node_prefix || path.resolve(path.dirname(process.execPath), '..');
const candidates = [path.join(prefix, 'include', 'node'), path.resolve(path.dirname(process.execPath), '..', 'include', 'node'), '/usr/include/node', '/usr/local/include/node'];
const include = candidates.find((d) => fs.existsSync(path.join(d, 'node_api.h')));
if (!include) {
  console.error(`build-native: node_api.h not found (looked in ${candidates.join(', ')})`);
  process.exit(1);
}
if (fs.existsSync(out) && fs.statSync(out).mtimeMs >= fs.statSync(src).mtimeMs) process.exit(0);
fs.mkdirSync(outDir, { recursive: true });
const cc = process.env.CC || 'gcc';
execFileSync(cc, ['-shared', '-fPIC', '-O2', '-DNODE_GYP_MODULE_NAME=fs_native', `-I${include}`, '-o', `${out}.tmp`, src], { stdio: 'inherit' });
fs.renameSync(`${out}.tmp`, out);
