/**
 * Which functions can run on Lambda Managed Instances, and what each runtime implies for sizing.
 * Supported runtimes (https://docs.aws.amazon.com/lambda/latest/dg/lambda-managed-instances-runtimes.html):
 * Node.js 22+, Python 3.13+, Java 21+, .NET 8+, OS-only provided.al2023+. Versions are parsed, not
 * listed, so a new release (nodejs26.x, python3.15) is recognised without a code change.
 */

export type RuntimeLanguage = 'nodejs' | 'python' | 'java' | 'dotnet' | 'provided';

export interface RuntimeTraits {
  language: RuntimeLanguage;
  /** Default PerExecutionEnvironmentMaxConcurrency per vCPU (LMI runtime pages). */
  concurrencyPerVCpu: number;
  /** One invocation uses at most one vCPU (Node.js event loop, one Python process per request). */
  singleThreaded: boolean;
  /** The per-vCPU default is not from the AWS developer guide. */
  lowConfidence: boolean;
}

/**
 * Runtime defaults per vCPU: Node.js 64, Java 32, .NET 32, Python 16 (AWS runtime pages:
 * lambda-managed-instances-{nodejs,java,dotnet,python}-runtime.html). OS-only 8 comes from one
 * third-party workshop output only: a low-confidence figure, reported as a risk.
 */
const TRAITS: Record<RuntimeLanguage, RuntimeTraits> = {
  nodejs: { language: 'nodejs', concurrencyPerVCpu: 64, singleThreaded: true, lowConfidence: false },
  python: { language: 'python', concurrencyPerVCpu: 16, singleThreaded: true, lowConfidence: false },
  java: { language: 'java', concurrencyPerVCpu: 32, singleThreaded: false, lowConfidence: false },
  dotnet: { language: 'dotnet', concurrencyPerVCpu: 32, singleThreaded: false, lowConfidence: false },
  provided: { language: 'provided', concurrencyPerVCpu: 8, singleThreaded: false, lowConfidence: true },
};

/** Oldest supported version per language, and the runtime id to upgrade to. */
const MINIMUM: Record<RuntimeLanguage, { version: number[]; upgradeTo: string }> = {
  nodejs: { version: [22], upgradeTo: 'nodejs22.x' },
  python: { version: [3, 13], upgradeTo: 'python3.13' },
  java: { version: [21], upgradeTo: 'java21' },
  dotnet: { version: [8], upgradeTo: 'dotnet8' },
  provided: { version: [2023], upgradeTo: 'provided.al2023' },
};

export interface ParsedRuntime {
  language: RuntimeLanguage;
  /** Numeric version parts, e.g. [3, 12] for python3.12, [2] for provided.al2, [] for `provided`. */
  version: number[];
}

/** Parses a Lambda runtime id; null for runtimes of other languages (ruby, go1.x, custom ids). */
export function parseRuntime(runtime: string): ParsedRuntime | null {
  const nums = (...parts: (string | undefined)[]): number[] =>
    parts.filter((p): p is string => p !== undefined).map(Number);
  let m = /^nodejs(?:(\d+)(?:\.(\d+))?(?:\.x)?)?$/.exec(runtime);
  if (m) return { language: 'nodejs', version: nums(m[1] ?? '0', m[2]) };
  m = /^python(\d+)\.(\d+)$/.exec(runtime);
  if (m) return { language: 'python', version: nums(m[1], m[2]) };
  m = /^java(\d+)(?:\.al\d+)?$/.exec(runtime);
  if (m) return { language: 'java', version: nums(m[1]) };
  m = /^dotnet(?:core)?(\d+)(?:\.(\d+))?$/.exec(runtime);
  if (m) return { language: 'dotnet', version: nums(m[1], m[2]) };
  m = /^provided(?:\.al(\d+))?$/.exec(runtime);
  if (m) return { language: 'provided', version: nums(m[1] ?? '1') };
  return null;
}

/** Lexicographic comparison of version parts (missing parts count as 0). */
function versionAtLeast(version: number[], minimum: number[]): boolean {
  for (let i = 0; i < Math.max(version.length, minimum.length); i++) {
    const a = version[i] ?? 0;
    const b = minimum[i] ?? 0;
    if (a !== b) return a > b;
  }
  return true;
}

/** LMI minimum function size: 2 GB and 1 vCPU (lambda-managed-instances-scaling.html). */
export const LMI_MIN_MEMORY_MB = 2048;

export interface Eligibility {
  eligible: boolean;
  blockers: string[];
  needsRuntimeUpgrade: boolean;
  needsMemoryIncrease: boolean;
  /** Runtime id to move to when an upgrade is needed. */
  upgradeTo: string | null;
  /** Traits used for sizing; for blocked runtimes the OS-only ones are assumed (see `assumed`). */
  traits: RuntimeTraits;
  /** True when the traits are an assumption because the runtime has no LMI equivalent. */
  assumed: boolean;
}

/**
 * Eligibility of one function. Older versions of supported languages are priced anyway and
 * flagged (needsRuntimeUpgrade); other languages and container images are blockers. A blocked
 * function is still priced as if it ran on an OS-only runtime (8 per vCPU, multi-threaded CPU
 * bound: the most conservative defaults), so the report can show what a rewrite would buy.
 */
export function checkEligibility(runtime: string | null, memoryMB: number): Eligibility {
  const needsMemoryIncrease = memoryMB < LMI_MIN_MEMORY_MB;
  if (runtime === null) {
    return {
      eligible: false,
      blockers: ['container image (no managed runtime): LMI runs managed runtimes only'],
      needsRuntimeUpgrade: false,
      needsMemoryIncrease,
      upgradeTo: null,
      traits: TRAITS.provided,
      assumed: true,
    };
  }
  const parsed = parseRuntime(runtime);
  if (parsed === null) {
    return {
      eligible: false,
      blockers: [
        `runtime ${runtime} is not supported on LMI (supported: Node.js 22+, Python 3.13+, Java 21+, .NET 8+, OS-only provided.al2023)`,
      ],
      needsRuntimeUpgrade: false,
      needsMemoryIncrease,
      upgradeTo: null,
      traits: TRAITS.provided,
      assumed: true,
    };
  }
  const minimum = MINIMUM[parsed.language];
  const supported = versionAtLeast(parsed.version, minimum.version);
  return {
    eligible: true,
    blockers: [],
    needsRuntimeUpgrade: !supported,
    needsMemoryIncrease,
    upgradeTo: supported ? null : minimum.upgradeTo,
    traits: TRAITS[parsed.language],
    assumed: false,
  };
}
