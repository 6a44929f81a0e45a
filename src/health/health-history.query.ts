import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** Query strings are strings: only plain base-10 integers become numbers (the rest fail `@IsInt`). */
const toInteger = () => Transform(({ value }) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value));

/** `GET /services/:slug/health?limit=&beforeVersion=` */
export class HealthHistoryQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50, description: 'Snapshots per page' })
  @IsOptional()
  @toInteger()
  @IsInt({ message: 'limit must be an integer between 1 and 500' })
  @Min(1, { message: 'limit must be an integer between 1 and 500' })
  @Max(500, { message: 'limit must be an integer between 1 and 500' })
  limit: number = 50;

  @ApiPropertyOptional({ minimum: 1, description: 'Only snapshots with a lower version (the previous page\'s meta.nextBeforeVersion)' })
  @IsOptional()
  @toInteger()
  @IsInt({ message: 'beforeVersion must be a positive integer' })
  @Min(1, { message: 'beforeVersion must be a positive integer' })
  beforeVersion?: number;
}
