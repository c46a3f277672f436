/** `npm run bench`'s argument routing: which benches run, and which options each one receives. */
import { describe, expect, it } from 'vitest';
import { planBenches } from '../../bench/run';

const plan = (args: string[]) => planBenches(args).map(({ bench, args: passed }) => [bench.name, passed.join(' ')]);

describe('planBenches', () => {
  it('runs every bench in order when none is named, each with only its own options', () => {
    expect(plan([])).toEqual([
      ['cold-start', ''],
      ['use-cases', ''],
      ['http-load', ''],
      ['reminders', ''],
      ['scale', ''],
    ]);
    expect(plan(['--units', '3000', '--clusters', '2'])).toEqual([
      ['cold-start', ''],
      ['use-cases', ''],
      ['http-load', ''],
      ['reminders', '--units 3000'],
      ['scale', '--clusters 2'],
    ]);
  });

  it('gives a shared option to every named bench that declares it', () => {
    expect(plan(['scale', 'cold-start', '--json', '--units-per-cluster', '5'])).toEqual([
      ['cold-start', '--json'],
      ['scale', '--json --units-per-cluster 5'],
    ]);
  });

  it('refuses an unknown bench, and an option whose bench is not named', () => {
    expect(() => planBenches(['speed'])).toThrow(/unknown bench speed/);
    expect(() => planBenches(['scale', '--rate', '14'])).toThrow(/--rate is an option of reminders/);
  });
});
