import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { IsIntegerQueryParam, POSTGRES_INTEGER_MAX } from '../http/field-rules';

/** `GET /services/:slug/health?limit=&beforeVersion=&transitions=` */
export class HealthHistoryQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50, description: 'Snapshots per page' })
  @IsOptional()
  @IsIntegerQueryParam('limit', 1, 500)
  limit: number = 50;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: POSTGRES_INTEGER_MAX,
    description: "Only snapshots with a lower version (the previous page's meta.nextBeforeVersion)",
  })
  @IsOptional()
  // `service_health_snapshots.version` is an integer column.
  @IsIntegerQueryParam('beforeVersion', 1, POSTGRES_INTEGER_MAX)
  beforeVersion?: number;

  @ApiPropertyOptional({
    enum: ['true', 'false'],
    default: 'false',
    description: 'true: only the checks that changed the effective status (each with previousStatus), newest first',
  })
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'transitions must be true or false' })
  transitions?: 'true' | 'false';
}
