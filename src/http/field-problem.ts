import { BadRequestException } from '@nestjs/common';

/** One bad field of a request: `{ field: 'metadata.owner', problems: ['…'] }`. */
export interface FieldProblem {
  field: string;
  problems: string[];
}

/** The 400 for bad fields: the message names each field, `details` lists them. */
export function invalidRequest(details: FieldProblem[]): BadRequestException {
  const message = details.map((detail) => `${detail.field}: ${detail.problems.join(', ')}`).join('; ');
  return new BadRequestException({ error: 'Bad Request', message: message || 'invalid request', details });
}
