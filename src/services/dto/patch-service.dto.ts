import { ApiPropertyOptional } from '@nestjs/swagger';
import { Allow, IsIn, IsISO8601, IsObject, IsOptional, IsString, IsUrl, Length, ValidateIf } from 'class-validator';
import { IsJsonAsSent, IsOptionalNotNull, IsSingleLineText } from '../../http/field-rules';
import { SERVICE_STATUSES, ServiceStatus } from '../service.entity';
import { HealthThresholdsInput, IsHealthThresholds } from './health-thresholds.field';

/**
 * `PATCH /services/:slug`: the fields an operator may change; absent fields stay as they are.
 * `statusMessage`, `capabilities` and `lastHealthyAt` may be set to null (their columns are
 * nullable); `baseUrl`, `status` and `metadata` may not. `health` replaces the service's own
 * thresholds (null: back to the defaults).
 */
export class PatchServiceDto {
  @ApiPropertyOptional({ example: 'http://127.0.0.1:8080' })
  @IsOptionalNotNull()
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false }, { message: 'baseUrl must be an http(s) URL' })
  @Length(1, 2048)
  @IsSingleLineText()
  baseUrl?: string;

  @ApiPropertyOptional({ enum: SERVICE_STATUSES })
  @IsOptionalNotNull()
  @IsIn(SERVICE_STATUSES, { message: `status must be one of ${SERVICE_STATUSES.join(', ')}` })
  status?: ServiceStatus;

  @ApiPropertyOptional({ nullable: true, description: 'Free text: tab, line feed and carriage return allowed, no other control character' })
  @ValidateIf((_, value) => value !== null && value !== undefined)
  @IsString()
  @Length(0, 2000)
  statusMessage?: string | null;

  @ApiPropertyOptional({ nullable: true, description: 'Any JSON value (replaces the stored one)' })
  @IsOptional()
  @Allow()
  @IsJsonAsSent()
  capabilities?: unknown;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'Replaces the stored metadata' })
  @IsOptionalNotNull()
  @IsObject({ message: 'metadata must be a JSON object' })
  @IsJsonAsSent()
  metadata?: Record<string, unknown>;

  @ApiPropertyOptional({ nullable: true, example: '2026-01-01T00:00:00.000Z' })
  @ValidateIf((_, value) => value !== null && value !== undefined)
  @IsISO8601({ strict: true }, { message: 'lastHealthyAt must be an ISO 8601 timestamp or null' })
  lastHealthyAt?: string | null;

  @ValidateIf((_, value) => value !== null && value !== undefined)
  @IsHealthThresholds()
  health?: HealthThresholdsInput | null;
}
