import { Injectable } from '@nestjs/common';
import { IdentifierPipe } from '../http/identifier.pipe';
import { SERVICE_SLUG } from '../identifiers';

/** Validates a `:slug` route parameter (400 when malformed). */
@Injectable()
export class ServiceSlugPipe extends IdentifierPipe {
  constructor() {
    super(SERVICE_SLUG);
  }
}
