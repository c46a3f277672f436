import type { LinkKey } from '../domain/link-token';

/** The secrets that sign unit links. The first key signs; every key verifies (so a rotation keeps old links). */
export interface LinkKeyStore {
  keys(): Promise<readonly LinkKey[]>;
}
