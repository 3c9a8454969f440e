import { mainOf } from '@berth/rpc';
import { ContainerServiceModule } from './container-service.module';
import { ContainerGrpcController } from './grpc/container.grpc';
import { ContainerLogsGrpcController } from './grpc/logs.grpc';
import { ContainerFilesGrpcController } from './grpc/files.grpc';
import { ContainerStatsGrpcController } from './grpc/stats.grpc';
import { ContainerExecGrpcController } from './grpc/exec.grpc';

mainOf({
  name: 'container-service',
  address: (config) => config.services.container,
  module: ContainerServiceModule.forRoot,
  controllers: [ContainerGrpcController, ContainerLogsGrpcController, ContainerFilesGrpcController, ContainerStatsGrpcController, ContainerExecGrpcController],
});
