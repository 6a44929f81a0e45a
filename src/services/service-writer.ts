import { BadRequestException } from '@nestjs/common';
import { PatchServiceDto } from './dto/patch-service.dto';
import { RegisterServiceDto } from './dto/register-service.dto';

export interface RegisterResult {
  created: boolean;
  slug: string;
}

/**
 * The API's writes to the registry: external registrations and operator patches. Which
 * store takes them (shared tables, local store, or both with dual writes) is chosen at start
 * from the flags; every implementation publishes one invalidation per committed write.
 */
export abstract class ServiceWriter {
  /**
   * Registers an external service, or updates it if it is already registered as external.
   * A slug that a module owns is a conflict.
   */
  abstract register(input: RegisterServiceDto): Promise<RegisterResult>;

  /** Applies an operator's patch; an unknown slug is a 404, an empty patch a 400. */
  abstract patch(slug: string, patch: PatchServiceDto): Promise<void>;
}

/** A patch that names no field is refused before any store is touched. */
export function assertPatchChangesSomething(patch: PatchServiceDto): void {
  const fields = ['baseUrl', 'status', 'statusMessage', 'capabilities', 'metadata', 'lastHealthyAt'] as const;
  if (fields.every((field) => patch[field] === undefined)) {
    throw new BadRequestException(`the patch changes nothing: give at least one of ${fields.join(', ')}`);
  }
}

/** The conflict of registering a slug that a module owns. */
export function moduleOwnsSlugMessage(slug: string, moduleId: string): string {
  return `service slug '${slug}' is owned by module '${moduleId}'; change it through the module's manifest`;
}
