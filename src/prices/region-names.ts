/**
 * Price List `location` names -> region codes, for items that carry no `regionCode` (older
 * offers, trimmed copies). Current items carry `regionCode`, which always wins.
 * Names: Price List API `GetAttributeValues(location)`; "EU (...)" is the older spelling of
 * "Europe (...)" and both occur in public copies of the offer, so both are listed.
 * Billing text ("US East (Northern Virginia)") differs from the price list and is listed too.
 */
const REGION_BY_LOCATION: Readonly<Record<string, string>> = {
  'US East (N. Virginia)': 'us-east-1',
  'US East (Northern Virginia)': 'us-east-1',
  'US East (Ohio)': 'us-east-2',
  'US West (N. California)': 'us-west-1',
  'US West (Northern California)': 'us-west-1',
  'US West (Oregon)': 'us-west-2',
  'Canada (Central)': 'ca-central-1',
  'South America (Sao Paulo)': 'sa-east-1',
  'EU (Ireland)': 'eu-west-1',
  'Europe (Ireland)': 'eu-west-1',
  'EU (London)': 'eu-west-2',
  'Europe (London)': 'eu-west-2',
  'EU (Paris)': 'eu-west-3',
  'Europe (Paris)': 'eu-west-3',
  'EU (Frankfurt)': 'eu-central-1',
  'Europe (Frankfurt)': 'eu-central-1',
  'EU (Stockholm)': 'eu-north-1',
  'Europe (Stockholm)': 'eu-north-1',
  'EU (Milan)': 'eu-south-1',
  'Europe (Milan)': 'eu-south-1',
  'Asia Pacific (Tokyo)': 'ap-northeast-1',
  'Asia Pacific (Seoul)': 'ap-northeast-2',
  'Asia Pacific (Osaka)': 'ap-northeast-3',
  'Asia Pacific (Singapore)': 'ap-southeast-1',
  'Asia Pacific (Sydney)': 'ap-southeast-2',
  'Asia Pacific (Jakarta)': 'ap-southeast-3',
  'Asia Pacific (Mumbai)': 'ap-south-1',
  'Asia Pacific (Hong Kong)': 'ap-east-1',
  'Middle East (Bahrain)': 'me-south-1',
  'Africa (Cape Town)': 'af-south-1',
};

/** Region code of a Price List `location` name, or undefined when the name is not known. */
export function regionCodeForLocation(location: string): string | undefined {
  return Object.hasOwn(REGION_BY_LOCATION, location) ? REGION_BY_LOCATION[location] : undefined;
}
