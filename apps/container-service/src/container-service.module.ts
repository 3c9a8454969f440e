import { Module } from '@nestjs/common';
import { ContainerGrpcController } from './grpc/container.grpc';

@Module({ providers: [ContainerGrpcController] })
export class ContainerServiceModule {}
