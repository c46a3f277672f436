/**
 * What changes between AWS and the local emulators for an SDK client: only the endpoint, and, for a process that
 * does not carry the local environment (the CLI), the region and the emulators' dummy credentials.
 */
export interface LocalClientSettings {
  endpoint?: string;
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export function localClientConfig(settings: LocalClientSettings): LocalClientSettings {
  return {
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    ...(settings.region ? { region: settings.region } : {}),
    ...(settings.credentials ? { credentials: settings.credentials } : {}),
  };
}
