import { ApiPropertyOptional } from '@nestjs/swagger';
import { Allow, IsIn, IsISO8601, IsObject, IsOptional, IsString, IsUrl, Length, ValidateIf } from 'class-validator';
import { SERVICE_STATUSES, ServiceStatus } from '../service.entity';

/** `PATCH /services/:slug`: the fields an operator may change; absent fields stay as they are. */
export class PatchServiceDto {
  @ApiPropertyOptional({ example: 'http://127.0.0.1:8080' })
  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false }, { message: 'baseUrl must be an http(s) URL' })
  @Length(1, 2048)
  baseUrl?: string;

  @ApiPropertyOptional({ enum: SERVICE_STATUSES })
  @IsOptional()
  @IsIn(SERVICE_STATUSES, { message: `status must be one of ${SERVICE_STATUSES.join(', ')}` })
  status?: ServiceStatus;

  @ApiPropertyOptional({ nullable: true })
  @ValidateIf((_, value) => value !== null && value !== undefined)
  @IsString()
  @Length(0, 2000)
  statusMessage?: string | null;

  @ApiPropertyOptional({ description: 'Any JSON value (replaces the stored one)' })
  @IsOptional()
  @Allow()
  capabilities?: unknown;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'Replaces the stored metadata' })
  @IsOptional()
  @IsObject({ message: 'metadata must be a JSON object' })
  metadata?: Record<string, unknown>;

  @ApiPropertyOptional({ nullable: true, example: '2026-01-01T00:00:00.000Z' })
  @ValidateIf((_, value) => value !== null && value !== undefined)
  @IsISO8601({ strict: true }, { message: 'lastHealthyAt must be an ISO 8601 timestamp or null' })
  lastHealthyAt?: string | null;
}
