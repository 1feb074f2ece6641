/** Tool name and version stamped into every report. A test keeps VERSION equal to package.json. */
export const TOOL_NAME = 'lmi-advisor';
export const VERSION = '0.1.0';
