import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeGoJson, GoDecodeError } from './go-decode';
import { CONTAINER_CREATE, EXEC_CREATE, VOLUME_CREATE } from './request-types';

/** The wordings below are what a real dockerd (20.10, Go 1.19) answered to the same bodies. */
function refused(body: unknown, message: string): void {
  assert.throws(() => decodeGoJson(body, CONTAINER_CREATE), (err: unknown) => {
    assert.ok(err instanceof GoDecodeError);
    assert.equal(err.message, message);
    return true;
  });
}

test('wrong types are refused with encoding/json\'s message: innermost struct, full field path, Go type', () => {
  refused({ Labels: { a: 1 } }, 'json: cannot unmarshal number into Go struct field CreateRequest.Labels of type string');
  refused({ HostConfig: { NetworkMode: 5 } }, 'json: cannot unmarshal number into Go struct field HostConfig.HostConfig.NetworkMode of type container.NetworkMode');
  refused({ HostConfig: { Memory: 'lots' } }, 'json: cannot unmarshal string into Go struct field HostConfig.HostConfig.Memory of type int64');
  refused({ HostConfig: { Memory: 1.5 } }, 'json: cannot unmarshal number 1.5 into Go struct field HostConfig.HostConfig.Memory of type int64');
  refused({ HostConfig: { Memory: 1e30 } }, 'json: cannot unmarshal number 1e30 into Go struct field HostConfig.HostConfig.Memory of type int64');
  refused({ HostConfig: { Memory: true } }, 'json: cannot unmarshal bool into Go struct field HostConfig.HostConfig.Memory of type int64');
  refused({ HostConfig: { Memory: [1] } }, 'json: cannot unmarshal array into Go struct field HostConfig.HostConfig.Memory of type int64');
  refused({ HostConfig: { Memory: { a: 1 } } }, 'json: cannot unmarshal object into Go struct field HostConfig.HostConfig.Memory of type int64');
  refused({ HostConfig: { Binds: [5] } }, 'json: cannot unmarshal number into Go struct field HostConfig.HostConfig.Binds of type string');
  refused({ HostConfig: { Mounts: [{ Type: 5 }] } }, 'json: cannot unmarshal number into Go struct field Mount.HostConfig.Mounts.Type of type mount.Type');
  refused({ HostConfig: 5 }, 'json: cannot unmarshal number into Go struct field CreateRequest.HostConfig of type container.HostConfig');
  refused({ Image: 5 }, 'json: cannot unmarshal number into Go struct field CreateRequest.Image of type string');
  refused({ Cmd: 5 }, 'json: cannot unmarshal number into Go struct field CreateRequest.Cmd of type string');
  refused({ Cmd: [1] }, 'json: cannot unmarshal array into Go struct field CreateRequest.Cmd of type string');
  refused({ Env: 'x' }, 'json: cannot unmarshal string into Go struct field CreateRequest.Env of type []string');
  refused({ ExposedPorts: { '80/tcp': 'x' } }, 'json: cannot unmarshal string into Go struct field CreateRequest.ExposedPorts of type struct {}');
  refused({ Volumes: { '/a': 5 } }, 'json: cannot unmarshal number into Go struct field CreateRequest.Volumes of type struct {}');
  refused({ Healthcheck: { Interval: '1s' } }, 'json: cannot unmarshal string into Go struct field HealthConfig.Healthcheck.Interval of type time.Duration');
  refused({ Healthcheck: { Test: 'x' } }, 'json: cannot unmarshal string into Go struct field HealthConfig.Healthcheck.Test of type []string');
  refused({ HostConfig: { RestartPolicy: { MaximumRetryCount: 'x' } } }, 'json: cannot unmarshal string into Go struct field RestartPolicy.HostConfig.RestartPolicy.MaximumRetryCount of type int');
  refused({ HostConfig: { PortBindings: { '80/tcp': [{ HostPort: 80 }] } } }, 'json: cannot unmarshal number into Go struct field PortBinding.HostConfig.PortBindings.HostPort of type string');
  refused({ NetworkingConfig: { EndpointsConfig: { n: { Aliases: 'x' } } } }, 'json: cannot unmarshal string into Go struct field EndpointSettings.NetworkingConfig.EndpointsConfig.Aliases of type []string');
  refused({ HostConfig: { ConsoleSize: [-1, 2] } }, 'json: cannot unmarshal number -1 into Go struct field HostConfig.HostConfig.ConsoleSize of type uint');
  refused({ HostConfig: { BlkioWeight: -1 } }, 'json: cannot unmarshal number -1 into Go struct field HostConfig.HostConfig.BlkioWeight of type uint16');
  refused({ HostConfig: { LogConfig: { Config: { a: 1 } } } }, 'json: cannot unmarshal number into Go struct field LogConfig.HostConfig.LogConfig.Config of type string');
  refused({ HostConfig: { Ulimits: [{ Soft: '1' }] } }, 'json: cannot unmarshal string into Go struct field Ulimit.HostConfig.Ulimits.Soft of type int64');
  refused({ HostConfig: { Devices: [{ PathOnHost: 1 }] } }, 'json: cannot unmarshal number into Go struct field DeviceMapping.HostConfig.Devices.PathOnHost of type string');
  refused({ Tty: 'true' }, 'json: cannot unmarshal string into Go struct field CreateRequest.Tty of type bool');
  refused({ StopTimeout: '1' }, 'json: cannot unmarshal string into Go struct field CreateRequest.StopTimeout of type int');
  refused({ Labels: 'x' }, 'json: cannot unmarshal string into Go struct field CreateRequest.Labels of type map[string]string');
  refused([], 'json: cannot unmarshal array into Go value of type container.CreateRequest');
  refused('x', 'json: cannot unmarshal string into Go value of type container.CreateRequest');
});

test('field names match in any case and come out canonical; unknown fields are dropped', () => {
  const out = decodeGoJson<any>({ image: 'busybox', hostconfig: { memory: 8388608, CPURealtimePeriod: 1000, restartpolicy: { name: 'always' } }, Bogus: { x: 1 } }, CONTAINER_CREATE);
  assert.deepEqual(out, { Image: 'busybox', HostConfig: { Memory: 8388608, CpuRealtimePeriod: 1000, RestartPolicy: { Name: 'always' } } });
  const exec = decodeGoJson<any>({ cmd: ['sh'], detachKeys: 'ctrl-x' }, EXEC_CREATE);
  assert.deepEqual(exec, { Cmd: ['sh'], DetachKeys: 'ctrl-x' });
});

test('null leaves a field unset, and is the zero value inside slices and maps', () => {
  const out = decodeGoJson<any>({ Image: 'b', Labels: null, Env: ['A', null], HostConfig: { Memory: null, Tmpfs: { '/t': null } }, Cmd: null }, CONTAINER_CREATE);
  assert.deepEqual(out, { Image: 'b', Env: ['A', ''], HostConfig: { Tmpfs: { '/t': '' } } });
  assert.deepEqual(decodeGoJson(null, CONTAINER_CREATE), {});
});

test('a string Cmd is a one-element StrSlice, as Go reads it', () => {
  assert.deepEqual(decodeGoJson<any>({ Cmd: 'echo hi', Entrypoint: ['sh', '-c'] }, CONTAINER_CREATE), { Cmd: ['echo hi'], Entrypoint: ['sh', '-c'] });
});

test('a __proto__ key of a map is an own label, never the prototype', () => {
  const body = JSON.parse('{"Labels":{"__proto__":"evil","ok":"1"},"HostConfig":{"Sysctls":{"__proto__":"x"}}}') as unknown;
  const out = decodeGoJson<any>(body, CONTAINER_CREATE);
  assert.equal(Object.getPrototypeOf(out.Labels), Object.prototype);
  assert.equal(Object.getOwnPropertyDescriptor(out.Labels, '__proto__')?.value, 'evil');
  assert.equal(JSON.stringify(out.Labels), '{"__proto__":"evil","ok":"1"}');
  assert.throws(() => decodeGoJson(JSON.parse('{"Labels":{"__proto__":{"polluted":"yes"}}}'), CONTAINER_CREATE), /CreateRequest\.Labels of type string/);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('volume create options', () => {
  assert.deepEqual(decodeGoJson<any>({ name: 'v', labels: { a: 'b' }, driveropts: { o: 'x' } }, VOLUME_CREATE), { Name: 'v', Labels: { a: 'b' }, DriverOpts: { o: 'x' } });
  assert.throws(() => decodeGoJson({ Labels: { a: 1 } }, VOLUME_CREATE), /Go struct field CreateOptions\.Labels of type string/);
});

test('malformed JSON is described in Go\'s words', async () => {
  const { goJsonSyntax } = await import('./go-syntax');
  const cases: [string, string | undefined][] = [
    ['{', 'unexpected EOF'],
    ['x', "invalid character 'x' looking for beginning of value"],
    ['{"a" 1}', "invalid character '1' after object key"],
    ['{"a":1 "b":2}', "invalid character '\"' after object key:value pair"],
    ['{a:1}', "invalid character 'a' looking for beginning of object key string"],
    ['[1 2]', "invalid character '2' after array element"],
    ['{"a":tru}', "invalid character '}' in literal true (expecting 'e')"],
    ['{"a":-x}', "invalid character 'x' in numeric literal"],
    ['{"a":1.}', "invalid character '}' after decimal point in numeric literal"],
    ['"\\q"', "invalid character 'q' in string escape code"],
    ['"a\u0001"', "invalid character '\\x01' in string literal"],
    ['{"a":1} trailing', undefined],
  ];
  for (const [text, message] of cases) assert.equal(goJsonSyntax(text).error, message, text);
});
