import { mainOf } from '@berth/rpc';
import { VolumeServiceModule } from './volume-service.module';
import { VolumeGrpcController } from './grpc/volume.grpc';

mainOf({
  name: 'volume-service',
  address: (config) => config.services.volume,
  module: VolumeServiceModule.forRoot,
  controllers: [VolumeGrpcController],
});
