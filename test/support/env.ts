/** Setting environment variables for handlers imported in a test worker, and putting them back afterwards. */

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
