// ts-proto writes a map entry with `obj[key] = value`; for the key
// "__proto__" that sets the object's prototype instead of adding a label,
// so a client's `__proto__` label vanished between services. Rewrite each
// such assignment as an own-property definition, as Go's maps keep any key.
import * as fs from 'node:fs';
import * as path from 'node:path';

const ASSIGN = /^(\s*)((?:message\.\w+)|acc)\[((?:entry\d+\.key)|key)\] = ([^;]+);$/gm;

function walk(dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) walk(full);
    else if (e.name.endsWith('.ts')) {
      const text = fs.readFileSync(full, 'utf8');
      const out = text.replace(ASSIGN, (_m, indent, target, key, value) =>
        `${indent}Object.defineProperty(${target}, ${key}, { value: ${value}, enumerable: true, writable: true, configurable: true });`);
      if (out !== text) fs.writeFileSync(full, out);
    }
  }
}

walk(process.argv[2] ?? 'src/gen');
