import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import { featuresFor } from '../versions/features';
import { parseStartBody, readUpgradeBody, startOptions, UPGRADE_BODY_LIMIT } from './exec.hijack';

describe('exec start request', () => {
  test('the body is required JSON', () => {
    assert.deepEqual(parseStartBody('{"Detach":false,"Tty":true}', 'application/json'), { Detach: false, Tty: true });
    assert.throws(() => parseStartBody('', 'application/json'), /got EOF while reading request body/);
    assert.throws(() => parseStartBody('{', 'application/json'), /invalid JSON/);
    assert.throws(() => parseStartBody('{}', 'text/plain'), /must be 'application\/json'/);
  });

  test('ConsoleSize only with a TTY and from API 1.42', () => {
    assert.deepEqual(startOptions('x', { Tty: true, ConsoleSize: [30, 100] }, featuresFor('1.47')), { id: 'x', detach: false, tty: true, height: 30, width: 100 });
    assert.deepEqual(startOptions('x', { Tty: true, ConsoleSize: [30, 100] }, featuresFor('1.41')), { id: 'x', detach: false, tty: true, height: 0, width: 0 });
    assert.deepEqual(startOptions('x', { Tty: false, ConsoleSize: [30, 100], Detach: true }, featuresFor('1.47')), { id: 'x', detach: true, tty: false, height: 0, width: 0 });
  });

  test('an upgrade request\'s body is read off the socket; what follows is stdin', async () => {
    const req = { headers: { 'content-length': '14' } } as unknown as IncomingMessage;
    const whole = await readUpgradeBody(req, new PassThrough(), Buffer.from('{"Detach":true}extra'.replace('true', 'tru')));
    assert.equal(whole.body.toString(), '{"Detach":tru}');
    assert.equal(whole.rest.toString(), 'extra');

    const socket = new PassThrough();
    const pending = readUpgradeBody(req, socket, Buffer.from('{"Det'));
    socket.write('ach":tru}');
    socket.write('stdin');
    const split = await pending;
    assert.equal(split.body.toString(), '{"Detach":tru}');
    assert.equal(split.rest.toString(), '');

    const none = await readUpgradeBody({ headers: {} } as IncomingMessage, socket, Buffer.from('abc'));
    assert.deepEqual([none.body.length, none.rest.toString()], [0, 'abc']);
  });

  test('a declared body larger than any exec start is refused before anything is buffered (413)', async () => {
    const socket = new PassThrough();
    const req = { headers: { 'content-length': String(UPGRADE_BODY_LIMIT + 1) } } as unknown as IncomingMessage;
    await assert.rejects(readUpgradeBody(req, socket, Buffer.from('{')), (err: { statusCode?: number }) => err.statusCode === 413);
    assert.equal(socket.listenerCount('data'), 0);
  });
});
