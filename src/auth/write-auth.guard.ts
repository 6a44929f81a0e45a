import { timingSafeEqual, createHash } from 'node:crypto';
import { CanActivate, ExecutionContext, ForbiddenException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { Request } from 'express';
import { registryConfig } from '../config/configuration';

/**
 * Guards every write: `Authorization: Bearer <SERVICE_REGISTRY_TOKEN>`. Missing → 401,
 * wrong → 403. With no token configured, writes are refused (403) unless
 * `SERVICE_REGISTRY_ALLOW_ANONYMOUS_WRITES=1`. The token is compared in constant time and
 * never logged or echoed.
 */
@Injectable()
export class WriteAuthGuard implements CanActivate {
  private readonly expectedDigest: Buffer | null;

  constructor(@Inject(registryConfig.KEY) private readonly config: ConfigType<typeof registryConfig>) {
    this.expectedDigest = config.writeToken ? digest(config.writeToken) : null;
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.expectedDigest) {
      if (this.config.allowAnonymousWrites) return true;
      throw new ForbiddenException('writes are disabled: no SERVICE_REGISTRY_TOKEN is configured');
    }
    const request = context.switchToHttp().getRequest<Request>();
    const presented = bearerToken(request.headers.authorization);
    if (presented === null) {
      throw new UnauthorizedException('missing bearer token: send Authorization: Bearer <SERVICE_REGISTRY_TOKEN>');
    }
    // Comparing fixed-length digests keeps the comparison constant-time whatever the length.
    if (!timingSafeEqual(digest(presented), this.expectedDigest)) {
      throw new ForbiddenException('the bearer token is not valid for writes');
    }
    return true;
  }
}

function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match ? match[1] : null;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
