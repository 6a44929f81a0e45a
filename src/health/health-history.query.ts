import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { IsIntegerQueryParam, POSTGRES_INTEGER_MAX } from '../http/field-rules';

/** `GET /services/:slug/health?limit=&beforeVersion=` */
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
}
