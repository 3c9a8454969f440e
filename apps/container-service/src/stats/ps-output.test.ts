import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldsAscii, parsePsOutput, psPidsArg, validatePsArgs } from './ps-output';

const PS_EF = `UID          PID    PPID  C STIME TTY          TIME CMD
root           1       0  0 03:00 ?        00:00:01 /sbin/init
root        1995    1972  0 03:11 ?        00:00:00 sleep 1000
root        3059    1972 18 03:12 ?        00:00:00 sh -c echo  two   spaces
`;

test('rows of the container\'s pids only; the last column keeps its spaces joined by one', () => {
  const r = parsePsOutput(PS_EF, [1995, 3059]);
  assert.deepEqual(r.titles, ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD']);
  assert.deepEqual(r.processes, [
    ['root', '1995', '1972', '0', '03:11', '?', '00:00:00', 'sleep 1000'],
    ['root', '3059', '1972', '18', '03:12', '?', '00:00:00', 'sh -c echo two spaces'],
  ]);
  assert.deepEqual(parsePsOutput(PS_EF, []).processes, []);
});

test('thread lines ("-" PID) follow their process', () => {
  const out = 'USER PID %CPU COMMAND\nroot 10 0.0 sleep\n- - 0.0 -\nroot 11 0.0 other\n- - 0.0 -\n';
  assert.deepEqual(parsePsOutput(out, [10]).processes, [['root', '10', '0.0', 'sleep'], ['-', '-', '0.0', '-']]);
});

test('no PID column, a bad pid: dockerd\'s errors', () => {
  assert.throws(() => parsePsOutput('COMMAND\nsleep\n', [1]), /^Error: Couldn't find PID field in ps output$/);
  assert.throws(() => parsePsOutput('PID CMD\nabc x\n', [1]), /Unexpected pid 'abc': strconv.Atoi: parsing "abc": invalid syntax/);
});

test('renaming a column to PID is refused, except pid=PID', () => {
  assert.throws(() => validatePsArgs('-o user=PID'), /^Error: specifying "user=PID" is not allowed$/);
  assert.doesNotThrow(() => validatePsArgs('-o pid=PID'));
  assert.doesNotThrow(() => validatePsArgs('-ef'));
});

test('ASCII whitespace only; -q list', () => {
  assert.deepEqual(fieldsAscii(' a\tb  c\u00a0d '), ['a', 'b', 'c\u00a0d']);
  assert.equal(psPidsArg([1, 2, 3]), '-q1,2,3');
});
