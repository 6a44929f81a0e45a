import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Allow, IsObject, IsOptional, IsString, IsUrl, Length, Matches, NotEquals } from 'class-validator';
import { IsJsonAsSent, IsSingleLineText } from '../../http/field-rules';
import { SERVICE_SLUG } from '../../identifiers';
import { HealthThresholdsInput, IsHealthThresholds } from './health-thresholds.field';

/**
 * `POST /services`: register (or update) an external service. Every string in the body is at
 * least free text (no NUL, no control characters but tab/LF/CR: see the API validation pipe);
 * names, kinds, URLs and paths are one line.
 */
export class RegisterServiceDto {
  @ApiProperty({ example: 'billing-api' })
  @IsString()
  @Matches(SERVICE_SLUG.pattern, { message: `slug must be ${SERVICE_SLUG.rule}` })
  // `GET /services/changes` is the delta watch: a service of that name could never be read.
  @NotEquals('changes', { message: 'slug "changes" is reserved (GET /services/changes is the delta watch)' })
  slug!: string;

  @ApiProperty({ example: 'Billing API' })
  @IsString()
  @Length(1, 200)
  @IsSingleLineText()
  displayName!: string;

  @ApiProperty({ example: 'http' })
  @IsString()
  @Length(1, 100)
  @IsSingleLineText()
  kind!: string;

  @ApiProperty({ example: 'http://127.0.0.1:8080' })
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false }, { message: 'baseUrl must be an http(s) URL' })
  @Length(1, 2048)
  @IsSingleLineText()
  baseUrl!: string;

  @ApiPropertyOptional({ example: '/healthz', default: '/healthz' })
  @IsOptional()
  @Matches(/^\/[^\s]{0,500}$/, { message: 'healthEndpoint must be a path starting with "/"' })
  @IsSingleLineText()
  healthEndpoint?: string;

  @ApiPropertyOptional({ description: 'Any JSON value' })
  @IsOptional()
  @Allow()
  @IsJsonAsSent()
  capabilities?: unknown;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject({ message: 'metadata must be a JSON object' })
  @IsJsonAsSent()
  metadata?: Record<string, unknown>;

  @IsOptional()
  @IsHealthThresholds()
  health?: HealthThresholdsInput | null;
}
