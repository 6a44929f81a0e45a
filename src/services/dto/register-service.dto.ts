import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Allow, IsObject, IsOptional, IsString, IsUrl, Length, Matches } from 'class-validator';
import { SERVICE_SLUG_PATTERN, SERVICE_SLUG_RULE } from '../service-slug';

/** `POST /services`: register (or update) an external service. */
export class RegisterServiceDto {
  @ApiProperty({ example: 'billing-api' })
  @IsString()
  @Matches(SERVICE_SLUG_PATTERN, { message: `slug must be ${SERVICE_SLUG_RULE}` })
  slug!: string;

  @ApiProperty({ example: 'Billing API' })
  @IsString()
  @Length(1, 200)
  displayName!: string;

  @ApiProperty({ example: 'http' })
  @IsString()
  @Length(1, 100)
  kind!: string;

  @ApiProperty({ example: 'http://127.0.0.1:8080' })
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false }, { message: 'baseUrl must be an http(s) URL' })
  @Length(1, 2048)
  baseUrl!: string;

  @ApiPropertyOptional({ example: '/healthz', default: '/healthz' })
  @IsOptional()
  @Matches(/^\/[^\s]{0,500}$/, { message: 'healthEndpoint must be a path starting with "/"' })
  healthEndpoint?: string;

  @ApiPropertyOptional({ description: 'Any JSON value' })
  @IsOptional()
  @Allow()
  capabilities?: unknown;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject({ message: 'metadata must be a JSON object' })
  metadata?: Record<string, unknown>;
}
