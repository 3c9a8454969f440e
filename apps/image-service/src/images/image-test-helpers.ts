import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import * as tar from 'tar-stream';
import { createLogger } from '@berth/logging';
import type { EventInput } from '@berth/events';
import { ImageManager } from './image-manager';
import { ImageLeases } from './image-leases';
import { ImageDb } from '../store/image-db';
import { ContentStore } from '../store/content-store';
import { LayerStore } from '../store/layer-store';
import { importRootfs } from '../archive/import';

/** For unit tests: a one-file root file system as a tar. */
export function rootfsTar(content: string): Promise<Buffer> {
  const pack = tar.pack();
  pack.entry({ name: 'file.txt', mode: 0o644 }, content);
  pack.finalize();
  const chunks: Buffer[] = [];
  return new Promise((resolve) => { pack.on('data', (c: unknown) => chunks.push(c as Buffer)); pack.on('end', () => resolve(Buffer.concat(chunks))); });
}

/** For unit tests: an image store in `root` (a new temp dir by default), its leases, and `docker import` of a one-file image. */
export function testImageStore(root = fs.mkdtempSync(path.join(os.tmpdir(), 'img-'))) {
  const logger = createLogger('test', 'error');
  const events: EventInput[] = [];
  const m = new ImageManager(new ImageDb(path.join(root, 'metadata.db')), new ContentStore(root), new LayerStore(root), { publish: async (e) => { events.push(e); } }, logger);
  const leases = new ImageLeases(m, logger);
  const imp = async (content: string, o: { repo: string; tag?: string; changes?: string[] }) => {
    const lease = leases.startJob('import');
    try {
      return await importRootfs(m, lease, Readable.from([await rootfsTar(content)]), { tag: 'latest', changes: ['CMD ["sh"]'], message: '', platform: '', ...o });
    } finally {
      await lease.release();
    }
  };
  return { root, m, leases, imp, events };
}
