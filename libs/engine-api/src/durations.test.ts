import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DurationError, parseGoDuration } from './index';

describe('parseGoDuration (Go time.ParseDuration)', () => {
  const ok: Array<[string, number]> = [
    ['0', 0],
    ['+0', 0],
    ['-0', 0],
    ['5s', 5e9],
    ['30s', 30e9],
    ['1478s', 1478e9],
    ['-5s', -5e9],
    ['+5s', 5e9],
    ['-0s', 0],
    ['5.0s', 5e9],
    ['5.6s', 5.6e9],
    ['5.s', 5e9],
    ['.5s', 0.5e9],
    ['1.0s', 1e9],
    ['1.00s', 1e9],
    ['1.004s', 1.004e9],
    ['100.00100s', 100.001e9],
    ['10ns', 10],
    ['11us', 11e3],
    ['12µs', 12e3],
    ['12μs', 12e3],
    ['13ms', 13e6],
    ['14s', 14e9],
    ['15m', 15 * 60e9],
    ['16h', 16 * 3600e9],
    ['3h30m', (3 * 60 + 30) * 60e9],
    ['1h30m', 90 * 60e9],
    ['10.5s4m', 4 * 60e9 + 10.5e9],
    ['-2m3.4s', -(2 * 60e9 + 3.4e9)],
    ['1h2m3s4ms5us6ns', 3600e9 + 2 * 60e9 + 3e9 + 4e6 + 5e3 + 6],
    ['39h9m14.425s', 39 * 3600e9 + 9 * 60e9 + 14.425e9],
    ['52763797000ns', 52763797000],
    ['0.3333333333333333333h', 1200e9],
    ['300ms', 300e6],
    ['1.5s', 1.5e9],
    ['-1m', -60e9],
  ];
  for (const [input, want] of ok) {
    it(`accepts ${input}`, () => assert.equal(parseGoDuration(input), want));
  }

  const bad: Array<[string, string]> = [
    ['', 'time: invalid duration ""'],
    ['3', 'time: missing unit in duration "3"'],
    ['-', 'time: invalid duration "-"'],
    ['s', 'time: invalid duration "s"'],
    ['.', 'time: invalid duration "."'],
    ['-.', 'time: invalid duration "-."'],
    ['.s', 'time: invalid duration ".s"'],
    ['+.s', 'time: invalid duration "+.s"'],
    ['1d', 'time: unknown unit "d" in duration "1d"'],
    ['3000000h', 'time: invalid duration "3000000h"'],
    ['1h-5m', 'time: unknown unit "h-" in duration "1h-5m"'],
    ['yesterday', 'time: invalid duration "yesterday"'],
  ];
  for (const [input, message] of bad) {
    it(`refuses ${JSON.stringify(input)}`, () => assert.throws(() => parseGoDuration(input), (err: unknown) => err instanceof DurationError && err.message === message));
  }
});
