/** The source of "now". Every use case that depends on time takes one, so any date can be tested. */
export interface Clock {
  now(): Date;
}

/** Real time. */
export const systemClock: Clock = { now: () => new Date() };

/** A clock frozen at one instant (tests). */
export function fixedClock(instant: Date | string): Clock {
  const at = new Date(instant);
  return { now: () => new Date(at.getTime()) };
}

/**
 * A clock that starts at `start` when created (or at `startedAt`, a real epoch in ms) and runs forward in real
 * time: `NOW=2021-12-09T07:59:00+07:00 npm start` lives through the 2021-2022 year today.
 */
export function offsetClock(start: Date | string, startedAt: number = Date.now(), real: () => number = Date.now): Clock {
  const offset = new Date(start).getTime() - startedAt;
  return { now: () => new Date(real() + offset) };
}
