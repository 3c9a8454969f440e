import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventFollower, EventOutput, EventSource } from './follower';
import { MemoryStream } from './memory-stream';
import { readRangePages } from './range-pages';
import type { StoredEvent } from './reader';

const T0 = 1_700_000_000_000;

/** The stream plus a live hub over it, as the gateway has them. */
class Source implements EventSource {
  readonly listeners = new Set<(e: StoredEvent) => void>();
  subscribed = 0;
  constructor(readonly stream: MemoryStream, private readonly pageSize = 10) {}
  pages(since: number, until: number | undefined): AsyncIterable<StoredEvent[]> {
    return readRangePages(this.stream, since, until, this.pageSize);
  }
  async subscribe(listener: (e: StoredEvent) => void): Promise<() => void> {
    this.subscribed++;
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }
  /** Appends an event and hands it to the live followers. */
  publish(ms: number): string {
    const id = this.stream.add(ms);
    for (const l of this.listeners) l(this.stream.stored(id));
    return id;
  }
}

/** A client whose socket takes `room` events before it must be drained. */
class Client implements EventOutput {
  readonly got: string[] = [];
  private waiters: (() => void)[] = [];
  constructor(public room = Infinity) {}
  write(entry: StoredEvent): boolean {
    this.got.push(entry.id);
    this.room--;
    return this.room > 0;
  }
  drained(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }
  /** The client reads: room for `n` more. */
  read(n: number): void {
    this.room = n;
    for (const w of this.waiters.splice(0)) w();
  }
}

const tick = () => new Promise((r) => setImmediate(r));
async function until(fn: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !fn(); i++) await tick();
  assert.ok(fn());
}

test('replay then live, in order, without gaps or duplicates', async () => {
  const stream = new MemoryStream();
  const ids = Array.from({ length: 25 }, (_, i) => stream.add(T0 + i));
  const source = new Source(stream);
  const client = new Client(5);
  const f = new EventFollower(source, client, { sinceNano: 0, nowNano: (T0 + 100) * 1e6 });
  const done = f.run();
  await until(() => client.got.length === 5);
  // live events while the replay waits for the client: they are in the stream too
  ids.push(source.publish(T0 + 30), source.publish(T0 + 31));
  client.read(Infinity);
  await until(() => client.got.length === 27);
  ids.push(source.publish(T0 + 40));
  await until(() => client.got.length === 28);
  assert.deepEqual(client.got, ids);
  f.close();
  assert.equal(await done, 'closed');
  assert.equal(source.listeners.size, 0, 'unsubscribed');
});

test('the next page is read only once the client drained', async () => {
  const stream = new MemoryStream();
  for (let i = 0; i < 100; i++) stream.add(T0 + i);
  const source = new Source(stream, 10);
  const client = new Client(3);
  const f = new EventFollower(source, client, { sinceNano: 0, untilNano: (T0 + 200) * 1e6, nowNano: (T0 + 1000) * 1e6 });
  const done = f.run();
  await until(() => client.got.length === 3);
  for (let i = 0; i < 20; i++) await tick();
  assert.equal(stream.calls, 1, 'one page fetched while the client does not read');
  assert.equal(client.got.length, 3);
  client.read(Infinity);
  assert.equal(await done, 'done');
  assert.equal(client.got.length, 100);
  assert.equal(source.subscribed, 0, 'a range wholly in the past needs no live subscription');
});

test('a live follower that stops reading is evicted once too far behind, and its queue freed', async () => {
  const source = new Source(new MemoryStream());
  const client = new Client(1);
  const f = new EventFollower(source, client, { nowNano: T0 * 1e6, maxBehind: 50 });
  const done = f.run();
  await tick();
  for (let i = 0; i < 50; i++) source.publish(T0 + i);
  await tick();
  assert.ok(f.behind <= 50);
  source.publish(T0 + 60);
  source.publish(T0 + 61);
  assert.equal(await done, 'evicted');
  assert.equal(f.behind, 0);
  assert.equal(source.listeners.size, 0);
});

test('a follower stuck in its replay is evicted when the live stream runs away from it', async () => {
  const stream = new MemoryStream();
  for (let i = 0; i < 100; i++) stream.add(T0 + i);
  const source = new Source(stream);
  const client = new Client(2);
  const f = new EventFollower(source, client, { sinceNano: 0, nowNano: (T0 + 100) * 1e6, maxBehind: 20 });
  const done = f.run();
  await until(() => client.got.length === 2);
  for (let i = 0; i < 21; i++) source.publish(T0 + 200 + i);
  assert.equal(await done, 'evicted');
  assert.equal(client.got.length, 2);
});

test('a follower keeping up is never evicted', async () => {
  const source = new Source(new MemoryStream());
  const client = new Client();
  const f = new EventFollower(source, client, { nowNano: T0 * 1e6, maxBehind: 10 });
  const done = f.run();
  await tick();
  for (let i = 0; i < 200; i++) {
    source.publish(T0 + i);
    if (i % 5 === 0) await tick();
  }
  await until(() => client.got.length === 200);
  f.close();
  assert.equal(await done, 'closed');
});

test('a client leaving while its replay waits ends the follow', async () => {
  const stream = new MemoryStream();
  for (let i = 0; i < 30; i++) stream.add(T0 + i);
  const client = new Client(1);
  const f = new EventFollower(new Source(stream), client, { sinceNano: 0, untilNano: (T0 + 100) * 1e6, nowNano: (T0 + 1000) * 1e6 });
  const done = f.run();
  await until(() => client.got.length === 1);
  f.close();
  assert.equal(await done, 'closed');
});

test('an until in the future ends the live part then, and later events are not sent', async () => {
  const now = Date.now();
  const source = new Source(new MemoryStream());
  const client = new Client();
  const f = new EventFollower(source, client, { sinceNano: now * 1e6, untilNano: (now + 150) * 1e6, nowNano: now * 1e6 });
  const done = f.run();
  await tick();
  source.publish(now + 10);
  source.publish(now + 10_000);
  assert.equal(await done, 'done');
  assert.equal(client.got.length, 1);
});

/** An output that gathers lines and sends them only on flush, as the gateway's response does. */
class BatchingClient implements EventOutput {
  readonly sent: string[] = [];
  private gathered: string[] = [];
  write(entry: StoredEvent): boolean { this.gathered.push(entry.id); return this.gathered.length < 4; }
  flush(): boolean { this.sent.push(...this.gathered.splice(0)); return true; }
  drained(): Promise<void> { return Promise.resolve(); }
}

test('gathered lines go out at the end of each page and as soon as the live queue is empty', async () => {
  const stream = new MemoryStream();
  const ids = Array.from({ length: 7 }, (_, i) => stream.add(T0 + i));
  const source = new Source(stream, 5);
  const client = new BatchingClient();
  const f = new EventFollower(source, client, { sinceNano: 0, nowNano: (T0 + 100) * 1e6 });
  const done = f.run();
  await until(() => client.sent.length === 7);
  ids.push(source.publish(T0 + 50));
  await until(() => client.sent.length === 8);
  assert.deepEqual(client.sent, ids);
  f.close();
  assert.equal(await done, 'closed');
});
