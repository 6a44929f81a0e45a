import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { MODULE_ID } from '../identifiers';
import { SERVICE_STATUSES, ServiceStatus } from '../services/service.entity';

/** `GET /status?module=&status=`: an empty value (the form's "all") is no filter. */
export class StatusPageQuery {
  @ApiPropertyOptional({ description: 'Only services that belong to this module' })
  @IsOptional()
  @Matches(new RegExp(`(^$)|${MODULE_ID.pattern.source}`), { message: `module must be ${MODULE_ID.rule}` })
  module?: string;

  @ApiPropertyOptional({ enum: SERVICE_STATUSES, description: 'Only services with this effective status' })
  @IsOptional()
  @IsIn(['', ...SERVICE_STATUSES], { message: `status must be one of ${SERVICE_STATUSES.join(', ')}` })
  status?: ServiceStatus | '';
}
