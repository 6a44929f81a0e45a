import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Response } from 'express';
import { Observable } from 'rxjs';
import { RegistryCache } from '../registry-cache/registry-cache';
import { REGISTRY_INDEX_HEADER } from './send-json-view';

/**
 * `X-Registry-Index` for reads that are not cached views (cached views set the index their
 * data was read at themselves, in sendJsonView): the highest index this replica knows. Put on
 * the controllers that need it, never globally: an interceptor costs every request it wraps.
 */
@Injectable()
export class RegistryIndexHeaderInterceptor implements NestInterceptor {
  constructor(private readonly cache: RegistryCache) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() === 'http') {
      const response = context.switchToHttp().getResponse<Response>();
      response.setHeader(REGISTRY_INDEX_HEADER, String(this.cache.index));
    }
    return next.handle();
  }
}
