/**
 * Persistence of a plan's scoring: the scheme's versions, the settings (opening, freeze, ballots), the units'
 * self-score sheets, the verifications and the registration flags. All of it lives in one partition per plan, so the
 * ranking view reads it with one Query whatever the number of units.
 *
 * Every write that changes a total is conditional on the settings' stored version (`stateVersion`, 0 = never
 * written) as read by the caller: if the results were frozen, self-scoring opened or another write moved the
 * settings meanwhile, the write fails with ConflictError and nothing is written.
 */
import type { RegistrationFlag, ScoringScheme, SelfScoreSheet, Verification } from '../domain/scoring';
import type { ScoringState } from '../domain/scoring-state';

/** A stored value with the version its next write must match (0 = not stored yet). */
export interface Versioned<T> {
  value: T;
  version: number;
}

/** A scheme version as stored: who saved it and when. */
export interface StoredScheme {
  scheme: ScoringScheme;
  savedAt: string;
  savedBy: string;
}

export interface PlanScoring {
  /** Every saved version, oldest first; the last is current. */
  schemes: StoredScheme[];
  state: Versioned<ScoringState>;
  sheets: Versioned<SelfScoreSheet>[];
  verifications: Versioned<Verification>[];
  /** Oldest first. */
  flags: RegistrationFlag[];
}

export interface UnitScoring {
  scheme?: StoredScheme;
  state: Versioned<ScoringState>;
  sheet?: Versioned<SelfScoreSheet>;
}

export interface ScoringRepository {
  /** Everything of a plan's scoring: one Query. */
  getPlanScoring(clusterId: string, planId: string): Promise<PlanScoring>;
  /** What one unit's self-score form needs: the current scheme, the settings and its sheet (two calls, in parallel). */
  getUnitScoring(clusterId: string, planId: string, unitId: string): Promise<UnitScoring>;
  /**
   * Saves a scheme version: `replace` overwrites the current version in place (before self-scoring opens), otherwise
   * the version must be new.
   */
  saveScheme(p: { clusterId: string; planId: string; stored: StoredScheme; replace: boolean; stateVersion: number }): Promise<void>;
  /** Writes the settings if their stored version is still `expectedVersion`; returns the new version. */
  putState(clusterId: string, planId: string, state: ScoringState, expectedVersion: number): Promise<number>;
  putSheet(sheet: SelfScoreSheet, expected: { sheetVersion: number; stateVersion: number }): Promise<number>;
  putVerification(verification: Verification, expected: { verificationVersion: number; stateVersion: number }): Promise<number>;
  addRegistrationFlag(p: { clusterId: string; planId: string; flag: RegistrationFlag; stateVersion: number }): Promise<void>;
}
