import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDefined, IsIn, IsOptional, Matches } from 'class-validator';
import { DeltaHealth } from '../../registry-cache/registry-cache';
import { IsIntegerQueryParam } from '../../http/field-rules';
import { WAIT_PATTERN } from '../watch-duration';

/** `GET /services/changes` query: the index the watcher has seen, and how long to wait for a change. */
export class ServiceChangesQuery {
  @ApiProperty({
    minimum: 0,
    maximum: Number.MAX_SAFE_INTEGER,
    description: 'The registry index the watcher is at (X-Registry-Index of its last read, or `index` of its last delta)',
  })
  @IsDefined({ message: 'since is required' })
  @IsIntegerQueryParam('since', 0, Number.MAX_SAFE_INTEGER)
  since!: number;

  @ApiPropertyOptional({ description: 'Longest wait for a change, e.g. 30s, 500ms, 2m (capped at 5m; default 5m)', example: '30s' })
  @IsOptional()
  @Matches(WAIT_PATTERN, { message: 'wait must be a duration such as 30s, 500ms or 2m' })
  wait?: string;

  @ApiPropertyOptional({
    enum: ['changes', 'all'],
    default: 'changes',
    description:
      'changes: a service whose only change is a new health check (checkedAt, latencyMs, counters, lastHealthyAt) is not reported; all: every check is (to mirror GET /services exactly)',
  })
  @IsOptional()
  @IsIn(['changes', 'all'], { message: 'health must be changes or all' })
  health?: DeltaHealth;
}
