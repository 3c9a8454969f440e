import { Injectable } from '@nestjs/common';
import { image } from '@berth/proto';
import { ServiceBinding, unary } from '@berth/rpc';

/** gRPC surface of the image service; methods arrive with later issues. */
@Injectable()
export class ImageGrpcController {
  binding(): ServiceBinding {
    const implementation: image.ImageServiceServer = {
      summary: unary(async () => ({ images: 0 })),
    };
    return { definition: image.ImageServiceService, implementation };
  }
}
