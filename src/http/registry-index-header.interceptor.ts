import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Response } from 'express';
import { Observable } from 'rxjs';
import { RegistryCache } from '../registry-cache/registry-cache';
import { REGISTRY_INDEX_HEADER } from './send-json-view';

/**
 * Every read carries `X-Registry-Index`. Cached views set the index their data was read at;
 * other reads get the highest index this replica knows.
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
