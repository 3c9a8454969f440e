import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readRangePages } from './range-pages';
import { MemoryStream } from './memory-stream';

test('a range is read page by page, never more than a page at once', async () => {
  const stream = new MemoryStream();
  for (let i = 0; i < 2500; i++) stream.add(1_000_000 + i);
  const pages: number[] = [];
  let total = 0;
  for await (const page of readRangePages(stream, 0, undefined, 100)) {
    pages.push(page.length);
    total += page.length;
  }
  assert.equal(total, 2500);
  assert.ok(pages.every((n) => n <= 100));
  assert.equal(stream.largestReply, 100);
  assert.equal(stream.calls, 26, 'the last, short page ends the range');
});

test('the next page is fetched only when the consumer asks for it', async () => {
  const stream = new MemoryStream();
  for (let i = 0; i < 1000; i++) stream.add(1_000_000 + i);
  const pages = readRangePages(stream, 0, undefined, 100);
  await pages.next();
  await new Promise((r) => setImmediate(r));
  assert.equal(stream.calls, 1);
  await pages.next();
  assert.equal(stream.calls, 2);
  await pages.return(undefined);
});

test('since and until bound the range by the events\' own times, inclusive', async () => {
  const stream = new MemoryStream();
  const base = 1_700_000_000_000;
  for (let i = 0; i < 50; i++) stream.add(base + i * 100);
  const got: number[] = [];
  for await (const page of readRangePages(stream, (base + 1000) * 1e6, (base + 2000) * 1e6, 3)) {
    for (const e of page) got.push(e.event.timeNano / 1e6 - base);
  }
  assert.deepEqual(got, [1000, 1100, 1200, 1300, 1400, 1500, 1600, 1700, 1800, 1900, 2000]);
});

test('entries that share a millisecond are not lost across a page boundary', async () => {
  const stream = new MemoryStream();
  for (let i = 0; i < 10; i++) stream.add(5_000_000, 5_000_000 * 1e6, `same${i}`);
  const names: string[] = [];
  for await (const page of readRangePages(stream, 0, undefined, 3)) for (const e of page) names.push(e.event.Actor.ID);
  assert.deepEqual(names, Array.from({ length: 10 }, (_, i) => `same${i}`));
});
