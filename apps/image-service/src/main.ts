import { mainOf } from '@berth/rpc';
import { ImageServiceModule } from './image-service.module';
import { ImageGrpcController } from './grpc/image.grpc';

mainOf({
  name: 'image-service',
  address: (config) => config.services.image,
  module: ImageServiceModule.forRoot,
  controllers: [ImageGrpcController],
});
