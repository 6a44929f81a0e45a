import { STATUS_CODES } from 'node:http';

/** The one error shape of the API: every error answer, from Nest, Express or Node's HTTP parser. */
export interface HttpErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details: unknown;
}

/** The reason phrase of a status code as HTTP spells it ("Unsupported Media Type"). */
export function reasonPhrase(status: number): string {
  return STATUS_CODES[status] ?? 'Error';
}

export function httpErrorBody(statusCode: number, message: string, details: unknown = null): HttpErrorBody {
  return { statusCode, error: reasonPhrase(statusCode), message, details };
}
