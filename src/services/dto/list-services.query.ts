import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import { IsIntegerQueryParam, IsSingleLineText } from '../../http/field-rules';
import { MODULE_ID } from '../../identifiers';
import { WAIT_PATTERN } from '../watch-duration';
import { SERVICE_SOURCES, SERVICE_STATUSES, ServiceSource, ServiceStatus } from '../service.entity';

/** `GET /services` query: filters, and change watching (`index` + `wait`). */
export class ListServicesQuery {
  @ApiPropertyOptional({ description: 'Only services that belong to this module' })
  @IsOptional()
  @Matches(MODULE_ID.pattern, { message: `moduleId must be ${MODULE_ID.rule}` })
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
  @IsString()
  @Length(1, 100)
  @IsSingleLineText()
  kind?: string;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: Number.MAX_SAFE_INTEGER,
    description: 'Block until the registry index passes this value (see X-Registry-Index); base-10 digits only',
  })
  @IsOptional()
  // The index is a bigint sequence read as a JavaScript number: exact up to MAX_SAFE_INTEGER.
  @IsIntegerQueryParam('index', 0, Number.MAX_SAFE_INTEGER)
  index?: number;

  @ApiPropertyOptional({ description: 'With index: longest wait, e.g. 30s, 500ms, 2m (capped at 5m)', example: '30s' })
  @IsOptional()
  @Matches(WAIT_PATTERN, { message: 'wait must be a duration such as 30s, 500ms or 2m' })
  wait?: string;
}
