import { BadRequestException, Injectable, PipeTransform } from '@nestjs/common';
import { IdentifierRule } from '../identifiers';

/** Validates an identifier route parameter: a malformed one is a 400, not a 404. */
@Injectable()
export class IdentifierPipe implements PipeTransform<string, string> {
  constructor(private readonly identifier: IdentifierRule) {}

  transform(value: string): string {
    if (!this.identifier.pattern.test(value)) {
      const problem = `must be ${this.identifier.rule}`;
      throw new BadRequestException({
        message: `${this.identifier.name} ${problem}`,
        details: [{ field: this.identifier.name, problems: [problem] }],
      });
    }
    return value;
  }
}
