/**
 * Writing units from the admin page: add or edit a unit, keeping the admin grants of the Cụm trưởng and Cụm phó
 * addresses in step with it.
 */
import type { Unit } from '../domain/model';

/** Roles whose registered addresses may sign in to the admin page of their cluster. */
export const ADMIN_ROLES: ReadonlySet<Unit['role']> = new Set(['cum-truong', 'cum-pho']);

/** The addresses of a unit that are cluster admins: those of an active Cụm trưởng or Cụm phó unit. */
export const adminEmailsOf = (unit: Unit): string[] => (unit.active && ADMIN_ROLES.has(unit.role) ? [...unit.emails] : []);
