import { Module } from '@nestjs/common';
import { ImageGrpcController } from './grpc/image.grpc';

@Module({ providers: [ImageGrpcController] })
export class ImageServiceModule {}
