import type { CertificateStatus } from '../../router/tls/certificate-status.js';
import type { colorFor } from '../../summary/color.js';

const DAY_MS = 86_400_000;
/** A file certificate closer than this to its end is warned about: nothing renews it but the user. */
export const FILE_WARNING_DAYS = 7;

/** One certificate the router serves, as `deploy status` shows it (docs/json-output.md). */
export interface CertificateView {
  hosts: string[];
  source: 'files' | 'acme';
  subject: string;
  sans: string[];
  issuer: string;
  notBefore: string;
  notAfter: string;
  /** Whole days until `notAfter`; negative once expired. */
  daysLeft: number;
  fingerprint256: string;
  file: string;
  /** ACME: the router's next renewal attempt; null for files. */
  nextRenewalAt: string | null;
  /** ACME: the last renewal failure while renewing fails (cleared by a success); null otherwise. */
  lastRenewalError: { at: string; attempts: number; detail: string } | null;
  /** Expired, close to expiry with nothing renewing it, or due while renewal fails; null when all is well. */
  warning: string | null;
}

/** `status` as read from the router's status file, judged at `now`; `runtimeDown`: no runtime answers, so nothing renews. */
export function certificateViews(status: CertificateStatus, now: number, runtimeDown = false): CertificateView[] {
  return status.certificates.map((served) => {
    const notAfter = Date.parse(served.notAfter);
    const renewal = served.renewal;
    const failing = renewal?.failing ?? null;
    const view: CertificateView = {
      hosts: served.hosts,
      source: served.source,
      subject: served.subject,
      sans: served.sans,
      issuer: served.issuer,
      notBefore: served.notBefore,
      notAfter: served.notAfter,
      daysLeft: Math.floor((notAfter - now) / DAY_MS),
      fingerprint256: served.fingerprint256,
      file: served.file,
      nextRenewalAt: renewal?.nextAttemptAt ?? null,
      lastRenewalError: failing ? { at: failing.lastErrorAt, attempts: failing.attempts, detail: failing.lastError } : null,
      warning: null,
    };
    view.warning = warningFor(view, now, renewal ? now >= Date.parse(renewal.windowFrom) : false, runtimeDown);
    return view;
  });
}

function warningFor(view: CertificateView, now: number, inRenewalWindow: boolean, runtimeDown: boolean): string | null {
  const notAfter = Date.parse(view.notAfter);
  if (now >= notAfter) return `expired ${shortTime(view.notAfter)}; clients refuse it`;
  const left = timeLeft(notAfter - now);
  if (view.source === 'files') {
    return notAfter - now < FILE_WARNING_DAYS * DAY_MS ? `expires in ${left}; put the new certificate file in place and deploy` : null;
  }
  if (!inRenewalWindow) return null;
  if (view.lastRenewalError) return `expires in ${left} and renewing fails (${view.lastRenewalError.attempts} attempt${view.lastRenewalError.attempts === 1 ? '' : 's'}): ${view.lastRenewalError.detail}`;
  if (runtimeDown) return `expires in ${left}, renewal is due and no runtime runs to renew it`;
  return null;
}

/** The lines `deploy status` prints under the environment, with the same two-space indent as the others. */
export function renderCertificates(views: CertificateView[], c: ReturnType<typeof colorFor>): string[] {
  const lines: string[] = [];
  for (const v of views) {
    const renewal = v.nextRenewalAt ? `, next renewal ${shortTime(v.nextRenewalAt)}` : '';
    lines.push(`  tls:      ${v.hosts.join(', ')} (${v.source}): ${v.subject}${v.sans.length ? ` [${v.sans.join(', ')}]` : ''}, issuer ${v.issuer}`);
    lines.push(`            expires ${shortTime(v.notAfter)} (${daysText(v.daysLeft)})${renewal}`);
    if (v.lastRenewalError) lines.push(`            last renewal error ${shortTime(v.lastRenewalError.at)}: ${v.lastRenewalError.detail}`);
    if (v.warning) lines.push(`  ${c.yellow('warning')}:  ${v.hosts[0]}${v.hosts.length > 1 ? ` (+${v.hosts.length - 1})` : ''}: certificate ${v.warning}`);
  }
  return lines;
}

function daysText(days: number): string {
  if (days < 0) return 'expired';
  if (days === 0) return 'less than a day left';
  return `${days} day${days === 1 ? '' : 's'} left`;
}

function timeLeft(ms: number): string {
  if (ms >= DAY_MS) {
    const days = Math.floor(ms / DAY_MS);
    return `${days} day${days === 1 ? '' : 's'}`;
  }
  const hours = Math.floor(ms / 3_600_000);
  return hours >= 1 ? `${hours} h` : `${Math.max(1, Math.floor(ms / 60_000))} min`;
}

/** "2026-12-06 14:20 UTC": minutes are enough for expiry and renewal times. */
function shortTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}
