import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Length, Matches, Max, Min } from 'class-validator';
import { SERVICE_SOURCES, SERVICE_STATUSES, ServiceSource, ServiceStatus } from '../service.entity';

/** `GET /services` query: filters, and change watching (`index` + `wait`). */
export class ListServicesQuery {
  @ApiPropertyOptional({ description: 'Only services that belong to this module' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9._-]{1,100}$/, { message: 'moduleId must be 1-100 letters, digits, ".", "_" or "-"' })
  moduleId?: string;

  @ApiPropertyOptional({ enum: SERVICE_SOURCES })
  @IsOptional()
  @IsIn(SERVICE_SOURCES, { message: `source must be one of ${SERVICE_SOURCES.join(', ')}` })
  source?: ServiceSource;

  @ApiPropertyOptional({ enum: SERVICE_STATUSES })
  @IsOptional()
  @IsIn(SERVICE_STATUSES, { message: `status must be one of ${SERVICE_STATUSES.join(', ')}` })
  status?: ServiceStatus;

  @ApiPropertyOptional({ description: 'Only services of this kind' })
  @IsOptional()
  @Length(1, 100)
  kind?: string;

  @ApiPropertyOptional({ description: 'Block until the registry index passes this value (see X-Registry-Index)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'index must be a non-negative integer' })
  @Min(0, { message: 'index must be a non-negative integer' })
  @Max(Number.MAX_SAFE_INTEGER)
  index?: number;

  @ApiPropertyOptional({ description: 'With index: longest wait, e.g. 30s, 500ms, 2m (capped at 5m)', example: '30s' })
  @IsOptional()
  @Matches(/^\d{1,9}(ms|s|m)?$/, { message: 'wait must be a duration such as 30s, 500ms or 2m' })
  wait?: string;
}
