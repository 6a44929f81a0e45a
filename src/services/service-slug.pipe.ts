import { BadRequestException, Injectable, PipeTransform } from '@nestjs/common';
import { SERVICE_SLUG_PATTERN, SERVICE_SLUG_RULE } from './service-slug';

/** Validates a `:slug` route parameter: a malformed slug is a 400, not a 404. */
@Injectable()
export class ServiceSlugPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!SERVICE_SLUG_PATTERN.test(value)) {
      throw new BadRequestException({
        message: `slug must be ${SERVICE_SLUG_RULE}`,
        details: [{ field: 'slug', problems: [`must be ${SERVICE_SLUG_RULE}`] }],
      });
    }
    return value;
  }
}
