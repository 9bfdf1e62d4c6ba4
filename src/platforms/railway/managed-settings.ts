import type { RailwaySettings } from './config.js';
import type { ServiceInstance } from './service-instance.js';

/** One serviceInstanceUpdate with only what differs, plus a line per change for the summary. Pure. */
export interface SettingsChange {
  input: Record<string, unknown>;
  notes: string[];
}

export function settingsChange(instance: ServiceInstance, settings: RailwaySettings, healthPath: string, image: string | null): SettingsChange {
  const input: Record<string, unknown> = {};
  const notes: string[] = [];
  if (!instance.healthcheckPath && settings.setHealthcheck) {
    input.healthcheckPath = healthPath;
    notes.push(`set the service's healthcheckPath to ${healthPath} (it had none)`);
  }
  if (settings.overlapSeconds !== null && instance.overlapSeconds !== settings.overlapSeconds) {
    input.overlapSeconds = settings.overlapSeconds;
    notes.push(`set overlapSeconds to ${settings.overlapSeconds}`);
  }
  if (settings.drainingSeconds !== null && instance.drainingSeconds !== settings.drainingSeconds) {
    input.drainingSeconds = settings.drainingSeconds;
    notes.push(`set drainingSeconds to ${settings.drainingSeconds}`);
  }
  if (image && instance.source?.image !== image) {
    input.source = { image };
    notes.push(`set the service's image to ${image}`);
  }
  return { input, notes };
}

/** `image: registry/app:${commit}` with the commit filled in. */
export function imageFor(template: string, commit: string | null): string {
  if (template.includes('${commit}') && !commit) throw new Error('image: uses ${commit}, but the deployed tree has no commit (not a git repository?)');
  return template.split('${commit}').join(commit ?? '');
}
