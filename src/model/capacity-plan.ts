/**
 * Which `migrate` functions share a capacity provider, and the provider names. A capacity provider
 * is a security boundary (functions on it must trust each other, AWS DG "capacity providers"), so
 * only functions of one region, architecture and trust group are grouped; untagged ones get a
 * provider each unless lmi.groupUntagged.
 */
import type { Architecture } from '../source/profile.js';
import type { FunctionSummary } from './summary.js';

/** Brief: provider names are [a-z0-9-], at most 64 characters. */
const MAX_NAME_LENGTH = 64;

/** FNV-1a 32-bit: a short, stable hash (no crypto needed, must not change between runs). */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');
}

/**
 * `lmi-<trust group or function>-<region>-<x86|arm64>`, lowercased, [a-z0-9-], <= 64 chars.
 * A hash of the raw key is appended when the key had to be changed (so "Team_A" and "team-a"
 * never collide) or the name truncated.
 */
export function capacityProviderName(key: string, region: string, architecture: Architecture): string {
  const arch = architecture === 'x86_64' ? 'x86' : 'arm64';
  const keySlug = slug(key) || 'fn';
  const full = `lmi-${keySlug}-${slug(region)}-${arch}`;
  if (keySlug === key && full.length <= MAX_NAME_LENGTH) return full;
  const suffix = fnv1a(`${key}\u0000${region}\u0000${architecture}`);
  const head = `lmi-${keySlug}`.slice(0, MAX_NAME_LENGTH - suffix.length - arch.length - slug(region).length - 3);
  return `${head.replace(/-$/, '')}-${slug(region)}-${arch}-${suffix}`.slice(0, MAX_NAME_LENGTH);
}

/** What grouping reads of a function (a FunctionSummary, or build-report's entry that carries one). */
export type Groupable = Pick<FunctionSummary, 'region' | 'architecture' | 'trustGroup' | 'name'>;

export interface ProviderGroup<T extends Groupable = FunctionSummary> {
  name: string;
  region: string;
  architecture: Architecture;
  trustGroup: string | null;
  members: T[];
}

/**
 * Groups for the given functions. Tagged: one per region+arch+trust group. Untagged: one per
 * function, or one per region+arch (trustGroup null) when `groupUntagged`. Deterministic order.
 */
export function groupForProviders<T extends Groupable>(functions: readonly T[], groupUntagged: boolean): ProviderGroup<T>[] {
  const groups = new Map<string, ProviderGroup<T>>();
  for (const f of functions) {
    let key: string;
    let nameKey: string;
    if (f.trustGroup != null) {
      key = `t\u0000${f.region}\u0000${f.architecture}\u0000${f.trustGroup}`;
      nameKey = f.trustGroup;
    } else if (groupUntagged) {
      key = `u\u0000${f.region}\u0000${f.architecture}`;
      nameKey = '*untagged'; // not a valid slug: gets a hash, never equals a trust group's name
    } else {
      key = `f\u0000${f.region}\u0000${f.architecture}\u0000${f.name}`;
      nameKey = f.name;
    }
    let group = groups.get(key);
    if (!group) {
      group = {
        name: capacityProviderName(nameKey, f.region, f.architecture),
        region: f.region,
        architecture: f.architecture,
        trustGroup: f.trustGroup,
        members: [],
      };
      groups.set(key, group);
    }
    group.members.push(f);
  }
  const list = [...groups.values()];
  // A function and a trust group may share a name: make colliding names unique by their key.
  const seen = new Map<string, number>();
  for (const g of list) seen.set(g.name, (seen.get(g.name) ?? 0) + 1);
  for (const [key, g] of groups) {
    if ((seen.get(g.name) ?? 0) > 1) {
      const suffix = fnv1a(key);
      g.name = `${g.name.slice(0, MAX_NAME_LENGTH - suffix.length - 1)}-${suffix}`;
    }
  }
  for (const g of list) g.members.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * One provider per member, for a group whose shared plan would cost more than separate providers
 * (the model gives a provider one instance type, so members that fit different families can be
 * cheaper apart). Sharing is allowed by a trust group, never required.
 */
export function splitGroup<T extends Groupable>(group: ProviderGroup<T>, takenNames: ReadonlySet<string>): ProviderGroup<T>[] {
  return group.members.map((m) => {
    let name = capacityProviderName(m.name, group.region, group.architecture);
    if (takenNames.has(name)) {
      const suffix = fnv1a(`${group.name}\u0000${m.name}`);
      name = `${name.slice(0, MAX_NAME_LENGTH - suffix.length - 1)}-${suffix}`;
    }
    return { name, region: group.region, architecture: group.architecture, trustGroup: group.trustGroup, members: [m] };
  });
}
