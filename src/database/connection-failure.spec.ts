import { describeConnectionFailure } from './connection-failure';

const failure = (code: string | undefined, message: string) => Object.assign(new Error(message), code ? { code } : {});

describe('describeConnectionFailure', () => {
  it.each([
    ['ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1', 'connection refused', true],
    ['ENOTFOUND', 'getaddrinfo ENOTFOUND db.invalid', 'unknown host', false],
    ['28P01', 'password authentication failed for user "admin"', 'authentication failed', false],
    ['28000', 'role "nobody" does not exist', 'authentication failed', false],
    ['3D000', 'database "nope" does not exist', 'database missing', false],
    ['57P03', 'the database system is starting up', 'the server is starting or shutting down', true],
  ])('names %s in an operator\'s words', (code, message, reason, transient) => {
    const described = describeConnectionFailure(failure(code, message))!;
    expect(described).toEqual({ reason: `${reason} (${message})`, transient });
  });

  it('says a port that never answers or hangs up may not be Postgres', () => {
    expect(describeConnectionFailure(failure(undefined, 'timeout expired'))!.reason).toMatch(/^no answer \(is it a Postgres server\?\)/);
    expect(describeConnectionFailure(failure(undefined, 'Connection terminated unexpectedly'))!.reason).toMatch(/^the server closed the connection/);
  });

  it('leaves errors that are not about reaching the database to their own report', () => {
    expect(describeConnectionFailure(new Error('Entity metadata for ServiceEntity#manifest was not found'))).toBeNull();
  });
});
