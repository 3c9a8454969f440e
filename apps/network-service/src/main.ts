import { mainOf } from '@berth/rpc';
import { NetworkServiceModule } from './network-service.module';
import { NetworkGrpcController } from './grpc/network.grpc';

mainOf({
  name: 'network-service',
  address: (config) => config.services.network,
  module: NetworkServiceModule.forRoot,
  controllers: [NetworkGrpcController],
});
