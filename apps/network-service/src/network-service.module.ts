import { Module } from '@nestjs/common';
import { NetworkGrpcController } from './grpc/network.grpc';

@Module({ providers: [NetworkGrpcController] })
export class NetworkServiceModule {}
