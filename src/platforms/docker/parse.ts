import { InternalError } from '../../errors.js';
import { LABELS } from './names.js';

/** What we read from `docker container inspect`. */
export interface ContainerInfo {
  id: string;
  name: string;
  image: string;
  imageId: string;
  status: string; // created | running | restarting | exited | paused | dead | removing
  running: boolean;
  restarting: boolean;
  exitCode: number;
  oomKilled: boolean;
  restartCount: number;
  /** starting | healthy | unhealthy, or null when the container has no health check. */
  health: string | null;
  startedAt: string;
  /** Loopback host port published for the container port, or null. */
  hostPort: number | null;
  release: string | null;
  error: string;
}

interface RawInspect {
  Id: string;
  Name: string;
  Image: string;
  RestartCount?: number;
  Config?: { Image?: string; Labels?: Record<string, string> | null };
  State: {
    Status: string;
    Running: boolean;
    Restarting: boolean;
    ExitCode: number;
    OOMKilled?: boolean;
    Error?: string;
    StartedAt?: string;
    Health?: { Status: string } | null;
  };
  HostConfig?: { NetworkMode?: string };
  NetworkSettings?: { Ports?: Record<string, Array<{ HostIp: string; HostPort: string }> | null> | null };
}

/** `containerPort` defaults to the container's shipgate.port label. */
export function parseInspect(stdout: string, containerPort?: number): ContainerInfo {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch (error) {
    throw new InternalError('docker container inspect printed something that is not JSON', { cause: error });
  }
  const raw = (Array.isArray(parsed) ? parsed[0] : parsed) as RawInspect | undefined;
  if (!raw?.State) throw new InternalError('docker container inspect returned no container');
  const labels = raw.Config?.Labels ?? {};
  const port = containerPort ?? (labels[LABELS.port] ? Number(labels[LABELS.port]) : null);
  const bindings = port ? (raw.NetworkSettings?.Ports?.[`${port}/tcp`] ?? []) : [];
  const binding = bindings.find((b) => b.HostIp === '127.0.0.1') ?? bindings[0];
  const hostNetwork = raw.HostConfig?.NetworkMode === 'host';
  return {
    id: raw.Id,
    name: raw.Name.replace(/^\//, ''),
    image: raw.Config?.Image ?? raw.Image,
    imageId: raw.Image,
    status: raw.State.Status,
    running: raw.State.Running,
    restarting: raw.State.Restarting,
    exitCode: raw.State.ExitCode,
    oomKilled: Boolean(raw.State.OOMKilled),
    restartCount: raw.RestartCount ?? 0,
    health: raw.State.Health?.Status ?? null,
    startedAt: raw.State.StartedAt ?? '',
    hostPort: hostNetwork ? port : binding ? Number(binding.HostPort) : null,
    release: labels[LABELS.release] ?? null,
    error: raw.State.Error ?? '',
  };
}

/** One row of `docker container ls --format '{{json .}}'`. */
export interface ContainerRow {
  id: string;
  name: string;
  image: string;
  state: string;
  status: string;
  release: string | null;
  createdAt: string;
}

export function parseContainerRows(stdout: string): ContainerRow[] {
  return jsonLines(stdout).map((row) => {
    const labels = parseLabelList(String(row.Labels ?? ''));
    return {
      id: String(row.ID),
      name: String(row.Names),
      image: String(row.Image),
      state: String(row.State),
      status: String(row.Status),
      release: labels[LABELS.release] ?? null,
      createdAt: String(row.CreatedAt),
    };
  });
}

/** One row of `docker image ls --format '{{json .}}'`. */
export interface ImageRow {
  id: string;
  repository: string;
  tag: string;
  createdAt: string;
}

export function parseImageRows(stdout: string): ImageRow[] {
  return jsonLines(stdout).map((row) => ({
    id: String(row.ID),
    repository: String(row.Repository),
    tag: String(row.Tag),
    createdAt: String(row.CreatedAt),
  }));
}

/**
 * Which image tags to remove: everything beyond the newest `keepCount` tags,
 * except tags in `protect` (active, previous, rollback target). Release ids
 * begin with a UTC timestamp, so ordering tags by name is ordering by age.
 */
export function selectImagesToPrune(images: ImageRow[], keepCount: number, protect: Iterable<string>): ImageRow[] {
  const protectedTags = new Set(protect);
  const tagged = images.filter((image) => image.tag !== '<none>');
  const newestFirst = [...tagged].sort((a, b) => (a.tag < b.tag ? 1 : a.tag > b.tag ? -1 : 0));
  return newestFirst.slice(Math.max(0, keepCount)).filter((image) => !protectedTags.has(image.tag));
}

function jsonLines(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function parseLabelList(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of text.split(',')) {
    const at = pair.indexOf('=');
    if (at > 0) labels[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return labels;
}
