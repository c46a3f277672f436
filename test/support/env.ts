/** Setting environment variables for handlers imported in a test worker, and putting them back afterwards. */
import type { StackInfo } from '../../local/stack';

export interface EnvScope {
  /** Sets (or, for undefined, deletes) each variable, remembering its value before the first change. */
  set(values: Record<string, string | undefined>): void;
  /** Puts back every variable changed through `set`. */
  restore(): void;
}

export function envScope(): EnvScope {
  const saved = new Map<string, string | undefined>();
  const apply = (name: string, value: string | undefined) => {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  };
  return {
    set(values) {
      for (const [name, value] of Object.entries(values)) {
        if (!saved.has(name)) saved.set(name, process.env[name]);
        apply(name, value);
      }
    },
    restore() {
      for (const [name, value] of saved) apply(name, value);
      saved.clear();
    },
  };
}

/**
 * What the handlers read at cold start, pointed at the harness's stack: its table, emulators, bucket and link secret
 * (a test overrides what it keeps of its own, e.g. its bucket or queue).
 */
export function handlerEnv(stack: StackInfo): Record<string, string | undefined> {
  return {
    TABLE_NAME: stack.tableName,
    DYNAMODB_ENDPOINT: stack.dynamodbEndpoint,
    BUCKET_NAME: stack.bucketName,
    S3_ENDPOINT: stack.s3Endpoint,
    LINK_SECRET_FILE: stack.linkSecretFile,
    LINK_SECRET_ARN: undefined,
    MAIL_FROM: stack.mailFrom,
    SES_ENDPOINT: stack.sesEndpoint,
    SES_CONFIGURATION_SET: undefined,
    PUBLIC_BASE_URL: stack.apiUrl,
  };
}
