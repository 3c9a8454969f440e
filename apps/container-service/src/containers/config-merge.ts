import type { ContainerConfig as ApiContainerConfig, HealthConfig } from '@berth/engine-api';

/** Fields dockerd writes as null when unset (inspect shows `"Entrypoint": null`), which the spec types as absent. */
type NullableField = 'Entrypoint' | 'Cmd' | 'Env' | 'OnBuild' | 'Volumes' | 'Shell' | 'Labels' | 'ExposedPorts' | 'Healthcheck';

/**
 * Docker's ContainerConfig (the Engine API type) as this service stores it:
 * nulls where dockerd keeps them, and MacAddress, which left the API's
 * ContainerConfig in 1.44 but older clients still set.
 */
export type ContainerConfig = Omit<ApiContainerConfig, NullableField>
  & { [K in NullableField]?: ApiContainerConfig[K] | null }
  & { MacAddress?: string };

export type Healthcheck = HealthConfig;

function envKey(entry: string): string {
  const eq = entry.indexOf('=');
  return eq < 0 ? entry : entry.slice(0, eq);
}

function nonEmpty<T>(list: T[] | null | undefined): list is T[] {
  return Array.isArray(list) && list.length > 0;
}

/**
 * dockerd's merge(userConf, imageConf) (daemon/commit.go): the request's
 * values win, the image fills what the request left out.
 */
export function mergeImageConfig(user: ContainerConfig, image: ContainerConfig | null | undefined): ContainerConfig {
  const out: ContainerConfig = { ...user };
  if (!image) return out;
  if (!out.User) out.User = image.User ?? '';
  if (image.ExposedPorts && Object.keys(image.ExposedPorts).length > 0) {
    out.ExposedPorts = { ...image.ExposedPorts, ...(out.ExposedPorts ?? {}) };
  }
  if (!nonEmpty(out.Env)) {
    out.Env = image.Env ? [...image.Env] : out.Env;
  } else {
    const userKeys = new Set(out.Env.map(envKey));
    out.Env = [...out.Env, ...(image.Env ?? []).filter((e) => !userKeys.has(envKey(e)))];
  }
  if (image.Labels && Object.keys(image.Labels).length > 0) {
    out.Labels = { ...image.Labels, ...(out.Labels ?? {}) };
  }
  if (!nonEmpty(out.Entrypoint)) {
    if (!nonEmpty(out.Cmd)) {
      out.Cmd = image.Cmd ? [...image.Cmd] : out.Cmd;
      if (image.ArgsEscaped !== undefined) out.ArgsEscaped = image.ArgsEscaped;
    }
    // An explicit empty entrypoint (`--entrypoint ""`) resets the image's.
    if (out.Entrypoint === undefined || out.Entrypoint === null) out.Entrypoint = image.Entrypoint ? [...image.Entrypoint] : null;
  }
  if (!nonEmpty(out.OnBuild) && nonEmpty(image.OnBuild)) out.OnBuild = [...image.OnBuild];
  if (!out.WorkingDir) out.WorkingDir = image.WorkingDir ?? '';
  if (image.Volumes && Object.keys(image.Volumes).length > 0) {
    out.Volumes = { ...image.Volumes, ...(out.Volumes ?? {}) };
  }
  if (!out.StopSignal && image.StopSignal) out.StopSignal = image.StopSignal;
  if (image.Healthcheck) {
    if (!out.Healthcheck) out.Healthcheck = { ...image.Healthcheck };
    else {
      const h: Healthcheck = { ...out.Healthcheck };
      if (!nonEmpty(h.Test)) h.Test = image.Healthcheck.Test ?? h.Test;
      for (const k of ['Interval', 'Timeout', 'StartPeriod', 'StartInterval', 'Retries'] as const) {
        if (!h[k] && image.Healthcheck[k] !== undefined) h[k] = image.Healthcheck[k];
      }
      out.Healthcheck = h;
    }
  }
  if (!nonEmpty(out.Shell) && nonEmpty(image.Shell)) out.Shell = [...image.Shell];
  return out;
}

/** The process a container runs: entrypoint then command, as Path and Args. */
export function commandOf(config: ContainerConfig): { path: string; args: string[] } {
  const argv = [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])];
  return { path: argv[0] ?? '', args: argv.slice(1) };
}
