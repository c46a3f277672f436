import { describe, expect, it } from 'vitest';
import { AdminRouterEnvSchema, ConfigError, TableEnvSchema, clockFromEnv, parseEnv, setSimulatedNow } from '../../shared/config';

describe('configuration from the environment', () => {
  it('fails fast naming every bad variable', () => {
    expect(() => parseEnv(TableEnvSchema, { DYNAMODB_ENDPOINT: 'not a url' })).toThrow(ConfigError);
    expect(() => parseEnv(TableEnvSchema, { DYNAMODB_ENDPOINT: 'not a url' })).toThrow(/TABLE_NAME.*DYNAMODB_ENDPOINT/);
    expect(() => parseEnv(AdminRouterEnvSchema, { CHECK_RESPONSES: 'yes' })).toThrow(/CHECK_RESPONSES/);
  });

  it('has no default for the table name', () => {
    expect(() => parseEnv(TableEnvSchema, {})).toThrow(/TABLE_NAME/);
    expect(parseEnv(TableEnvSchema, { TABLE_NAME: 't' })).toEqual({ TABLE_NAME: 't' });
  });

  it('uses real time unless a simulated start is configured, then runs forward from it', () => {
    const before = Date.now();
    expect(clockFromEnv({}).now().getTime()).toBeGreaterThanOrEqual(before);
    const startedAt = Date.now() - 60_000;
    const simulated = clockFromEnv({ CLOCK_START: '2021-12-09T00:59:00Z', CLOCK_STARTED_AT: String(startedAt) }).now();
    const elapsed = simulated.getTime() - new Date('2021-12-09T00:59:00Z').getTime();
    expect(elapsed).toBeGreaterThanOrEqual(60_000);
    expect(elapsed).toBeLessThan(70_000);
    expect(() => clockFromEnv({ CLOCK_START: 'yesterday' })).toThrow(ConfigError);
  });

  it('follows a later change of the simulated start (a simulation moving handlers through a year)', () => {
    const env: NodeJS.ProcessEnv = { CLOCK_START: '2021-12-09T00:59:00Z', CLOCK_STARTED_AT: String(Date.now()) };
    const clock = clockFromEnv(env);
    expect(clock.now().getTime() - Date.parse('2021-12-09T00:59:00Z')).toBeLessThan(5_000);
    expect(setSimulatedNow('2022-05-31T00:00:00+07:00', env).start).toBe('2022-05-30T17:00:00.000Z');
    expect(clock.now().getTime() - Date.parse('2022-05-30T17:00:00Z')).toBeLessThan(5_000);
    expect(clock.now().getTime()).toBeGreaterThanOrEqual(Date.parse('2022-05-30T17:00:00Z'));
    env.CLOCK_START = 'not a date';
    expect(() => clock.now()).toThrow(ConfigError);
  });

  it('stays on real time when started without a simulated start, whatever the environment says later', () => {
    const env: NodeJS.ProcessEnv = {};
    const clock = clockFromEnv(env);
    env.CLOCK_START = '2021-12-09T00:59:00Z';
    expect(clock.now().getFullYear()).toBeGreaterThan(2025);
  });
});
