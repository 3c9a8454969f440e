import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig, loadGrpcTls } from './index';

test('gRPC TLS: all three files or none; reload period in seconds; the insecure switch', () => {
  assert.deepEqual(loadGrpcTls({}), { cert: undefined, key: undefined, ca: undefined, insecure: false, reloadMs: 10_000 });
  assert.throws(() => loadGrpcTls({ BERTH_GRPC_TLS_CERT: '/c.pem' }), /all three or none/);
  const tls = loadGrpcTls({ BERTH_GRPC_TLS_CERT: '/c', BERTH_GRPC_TLS_KEY: '/k', BERTH_GRPC_TLS_CA: '/ca', BERTH_GRPC_TLS_RELOAD: '0.5', BERTH_GRPC_INSECURE: '1' });
  assert.deepEqual(tls, { cert: '/c', key: '/k', ca: '/ca', insecure: true, reloadMs: 500 });
  assert.deepEqual(loadConfig({ BERTH_GRPC_TLS_CERT: '/c', BERTH_GRPC_TLS_KEY: '/k', BERTH_GRPC_TLS_CA: '/ca' }).grpcTls.cert, '/c');
});
